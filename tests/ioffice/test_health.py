"""/healthz and /readyz as a load balancer sees them."""

import re
import secrets
import socket

import pytest
import yaml
from django.core.files.storage import storages

from ioffice.config import BASE_DIR, load


def test_healthz_answers_without_the_database(client):
    # No django_db mark: pytest-django makes any database access here raise.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_all_four(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "blobs", "search", "queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["queue"]["ready"] >= 0
    assert body["checks"]["search"]["backend"] in {"embedded", "elasticsearch"}


@pytest.mark.django_db
def test_readyz_counts_audit_rows_waiting_to_be_sealed(client):
    from django.db import transaction

    from journal.audit import record
    from journal.sealing import seal_pending

    with transaction.atomic():
        record(actor=None, verb="test.pending")
    queue = client.get("/readyz").json()["checks"]["queue"]
    assert queue["unsealed_audit_rows"] == 1 and queue["oldest_unsealed_seconds"] >= 0
    seal_pending()
    queue = client.get("/readyz").json()["checks"]["queue"]
    assert (queue["unsealed_audit_rows"], queue["oldest_unsealed_seconds"]) == (0, 0.0)


@pytest.mark.django_db
def test_readyz_probe_does_not_grow_the_store(client):
    client.get("/readyz")
    before = list(storages["blobs"].iter_keys())
    client.get("/readyz")
    assert list(storages["blobs"].iter_keys()) == before


@pytest.mark.django_db
def test_readyz_fails_and_names_the_blob_store(client, tmp_path, settings):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store should be")
    settings.STORAGES = {**settings.STORAGES, "blobs": {**settings.STORAGES["blobs"], "OPTIONS": {"location": blocker}}}
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["blobs"]["ok"] is False and body["checks"]["blobs"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_fails_when_elasticsearch_is_unreachable(client, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.IOFFICE_ELASTICSEARCH_URL = f"http://127.0.0.1:{port}"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["search"]["ok"] is False


def _compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _interpolate(value: str) -> str:
    """What docker compose does with ``${NAME:-default}`` and ``${NAME:?error}`` when NAME is unset,
    except that a required secret gets a throw-away value (compose itself would stop there)."""

    def one(match: re.Match) -> str:
        operator, word = match.group(2), match.group(3)
        return word if operator == ":-" else secrets.token_urlsafe(48)

    return re.sub(r"\$\{([A-Z0-9_]+)(:[-?])([^}]*)\}", one, value)


def test_the_stack_probes_healthz_and_its_shared_settings_start_in_production_mode():
    services = _compose()["services"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    env = {name: _interpolate(str(value)) for name, value in services["web"]["environment"].items()}
    for name in ("migrate", "worker"):
        assert services[name]["environment"] == services["web"]["environment"], name
    config = load(env)
    assert config.debug is False
    assert config.database.is_postgresql and config.database.host == "postgres"
    assert config.elasticsearch_url == "http://elasticsearch:9200"
    # The health probe connects to 127.0.0.1 inside the container: that Host must be allowed.
    assert "127.0.0.1" in config.allowed_hosts
    # Web and worker must see the same blobs: the store sits on the volume both mount.
    for name in ("web", "worker"):
        assert f"blobs:{config.blob_location}" in services[name]["volumes"], name
