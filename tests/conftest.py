"""Suite-wide test set-up."""

import signal

import pytest
from django.core.management import call_command
from django.test import Client

#: The authenticator secret of the devices the force_login patch below gives people (hex, as django-otp stores it).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_two_factor: force_login leaves the second factor to the test (tests of the two-factor flow itself)",
    )


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


def give_authenticator(user, *, key: str = TEST_TOTP_KEY):
    """A confirmed TOTP device for ``user`` (the one they have, if any), written directly as a fixture row."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", key=key, confirmed=True)


def next_code(device) -> str:
    """The code the device's app shows next: one step past the last accepted, so the replay guard lets it in."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():06d}"


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(request, monkeypatch):
    """``client.force_login(user)`` also passes the second factor for people who must use one.

    Signers, clerks and admins must type an authenticator code after the password
    (:mod:`ioffice.web.two_factor`); tests that are about something else log in with
    ``force_login`` and expect to be on their page. This gives such a person a confirmed device
    (rows written directly: no audit row, nothing enqueued) and marks the session verified with it,
    as a right code would. Tests of the flow itself opt out with ``@pytest.mark.real_two_factor``.
    """
    if request.node.get_closest_marker("real_two_factor"):
        return
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY

        from ioffice.web.two_factor import requires_two_factor

        if not requires_two_factor(user):
            return
        device = give_authenticator(user)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
