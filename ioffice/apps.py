from django.apps import AppConfig


class IofficeConfig(AppConfig):
    name = "ioffice"
    verbose_name = "Văn phòng điện tử"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from ioffice.passwords import refuse_weak_password

        pre_save.connect(refuse_weak_password, sender=get_user_model(), dispatch_uid="ioffice.refuse_weak_password")
