"""Workflows (Luồng xử lý).

How documents move: the outgoing approval state machine, one delivery per recipient unit with the
edXML statuses, routing (lead / coordinate / for information), deadlines on the working-day
calendar, reminders and recall. Every transition is a django-fsm-2 transition with a log row. Filled
by the outgoing and incoming issues.
"""
