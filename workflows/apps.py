from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Luồng xử lý"

    def ready(self) -> None:
        import datetime

        from journal import events, schedule
        from workflows import handlers

        schedule.register_daily("workflows.reminders", "workflows.reminders.run_daily", at=datetime.time(6, 30))

        # Notifications: who is told what when a document moves (workflows.handlers).
        for kind, handler in handlers.SUBSCRIPTIONS.items():
            events.subscribe(kind, handler)
