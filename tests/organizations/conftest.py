import pytest

from organizations import audit


@pytest.fixture(autouse=True)
def audit_calls():
    """Record what the actions send to the audit seam; restores whatever recorder was there."""
    calls: list[dict] = []
    previous = audit.set_recorder(lambda **kwargs: calls.append(kwargs))
    yield calls
    audit.set_recorder(previous)


@pytest.fixture
def superuser(db):
    from tests.organizations.factories import make_user

    return make_user("root", superuser=True)
