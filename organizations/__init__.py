"""Organisations (Đơn vị và người dùng).

Units (đơn vị) as a tree — the Department, its divisions, district education offices, schools and
external agencies — and the people in them: memberships (user x unit x role, with validity dates),
delegations of signing or routing authority, pilot enrolment (e-office or paper-only), and the
Django groups kept in sync with units and (unit, role) pairs so object permissions can be granted to a
whole unit in one row. The lowest layer: it imports no other ioffice app.
"""
