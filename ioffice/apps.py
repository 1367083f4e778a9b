from django.apps import AppConfig


class IofficeConfig(AppConfig):
    name = "ioffice"
    verbose_name = "Văn phòng điện tử"
