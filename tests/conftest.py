"""Suite-wide test set-up."""

import signal

import pytest
from django.core.management import call_command


def pytest_collection_modifyitems(items):
    """Every transactional test restores the database it found (``serialized_rollback``).

    A transactional test ends with a flush. Without serialized rollback the flush re-runs post_migrate,
    which recreates content types and permissions under new ids, and the seeded document types (a data
    migration) are gone; the next serialized test on the same worker then collides with the rows
    post_migrate made. Making them all serialized keeps every worker's database in one shape whatever
    order xdist hands out the tests in.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"):
            continue
        item.add_marker(
            pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False
        )


@pytest.fixture
def run_worker():
    """Run ``db_worker --batch`` in this process, putting back the signal handlers it installs."""

    def run() -> None:
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run
