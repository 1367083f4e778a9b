from django.apps import AppConfig


class SchoolrecordsConfig(AppConfig):
    name = "schoolrecords"
    verbose_name = "Hồ sơ trường học (vnEdu)"
