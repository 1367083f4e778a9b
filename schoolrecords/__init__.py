"""School records (Hồ sơ trường học (vnEdu)).

The link to the school records module (vnEdu): school directory sync by school code, deep links to a
school's records, directive follow-up and adoption statistics per level and district. Student
personal data stays in vnEdu. Filled by the school-records issue.
"""
