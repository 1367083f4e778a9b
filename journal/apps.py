import datetime

from django.apps import AppConfig

#: How often the worker seals committed audit rows into the chain: the longest a row stays unsealed
#: while the worker runs (``journal_verify`` seals before it checks).
SEAL_EVERY = datetime.timedelta(seconds=10)


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = "Nhật ký"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from journal import audit, schedule, signals
        from organizations import audit as org_audit

        auth_signals.user_logged_in.connect(signals.on_user_logged_in, dispatch_uid="journal.auth.login")
        auth_signals.user_logged_out.connect(signals.on_user_logged_out, dispatch_uid="journal.auth.logout")
        auth_signals.user_login_failed.connect(signals.on_user_login_failed, dispatch_uid="journal.auth.login_failed")
        # organizations sits below journal and cannot import it: it writes its audit rows through
        # this port, which journal fills in.
        org_audit.set_recorder(audit.record)
        # Validity dates pass at midnight without anyone acting: re-derive unit groups every night.
        schedule.register_daily("organizations.sync_groups", "organizations.groups.sync_all", at=datetime.time(0, 5))
        # Actions append audit rows without taking turns; the worker seals them into the hash chain.
        schedule.register_every("journal.seal", "journal.sealing.seal_pending", every=SEAL_EVERY)
        schedule.register_daily("journal.prune_tasks", "journal.tasks.prune_finished", at=datetime.time(0, 45))
