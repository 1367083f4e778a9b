"""/healthz and /readyz as a load balancer sees them."""

import socket

import pytest
from django.core.files.storage import storages


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
