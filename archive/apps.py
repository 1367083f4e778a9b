from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """Lưu trữ: storage backends behind STORAGES, fixity, and the archive copy of what is issued."""

    name = "archive"
    verbose_name = "Lưu trữ"

    def ready(self) -> None:
        from journal import events

        events.subscribe("dispatch.issued", "archive.handlers.store_issued_copy")
