"""ioffice.config: the embedded default, production refusals, and clear errors for bad values."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from ioffice.config import BASE_DIR, ConfigError, load, parse_database_url

PRODUCTION = {
    "IOFFICE_DEBUG": "0",
    "IOFFICE_SECRET_KEY": secrets.token_urlsafe(64),
    "IOFFICE_ALLOWED_HOSTS": "ioffice.dongthap.edu.vn",
}


def test_no_variables_gives_the_embedded_default():
    config = load({})
    assert config.debug is True
    assert config.var_dir == (BASE_DIR / "var").resolve()
    assert config.database.engine == "django.db.backends.sqlite3"
    assert config.database.name == str(config.var_dir / "ioffice.sqlite3")
    assert config.blob_backend == "archive.storage.ContentAddressedFileSystemStorage"
    assert config.blob_location == config.var_dir / "blobs"
    assert config.elasticsearch_url is None
    assert config.secret_key.startswith("insecure-debug-")
    assert load({}).secret_key != config.secret_key, "the debug secret is random per start"


def test_settings_are_vietnamese_first():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.USE_TZ is True


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode" if connection.vendor == "sqlite" else "SELECT 'wal'")
        mode = cursor.fetchone()[0]
    # The in-memory test database of SQLite reports "memory"; a file database reports "wal".
    assert mode in {"wal", "memory"}


def test_sqlite_file_database_is_wal(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IOFFICE_", "DJANGO_"))}
    env |= {"IOFFICE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ioffice.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "wal"


def test_production_mode_needs_a_secret():
    env = PRODUCTION | {"IOFFICE_SECRET_KEY": ""}
    with pytest.raises(ConfigError, match="IOFFICE_SECRET_KEY must be set"):
        load(env)


@pytest.mark.parametrize("secret", ["short", "k" * 64])
def test_production_mode_refuses_a_weak_secret(secret):
    with pytest.raises(ConfigError, match="at least 50 characters long and random"):
        load(PRODUCTION | {"IOFFICE_SECRET_KEY": secret})


def test_production_mode_needs_allowed_hosts():
    with pytest.raises(ConfigError, match="IOFFICE_ALLOWED_HOSTS"):
        load(PRODUCTION | {"IOFFICE_ALLOWED_HOSTS": " , "})


def test_production_mode_with_everything_set():
    config = load(PRODUCTION)
    assert config.debug is False
    assert config.secret_key == PRODUCTION["IOFFICE_SECRET_KEY"]
    assert config.allowed_hosts == ("ioffice.dongthap.edu.vn",)
    assert config.secure_ssl_redirect is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IOFFICE_DEBUG": "maybe"}, "IOFFICE_DEBUG='maybe' is not a boolean"),
        ({"IOFFICE_LOGIN_MAX_FAILURES": "five"}, "IOFFICE_LOGIN_MAX_FAILURES='five' is not a whole number"),
        ({"IOFFICE_LOGIN_MAX_FAILURES": "0"}, "must be at least 1"),
        ({"IOFFICE_EMAIL_BACKEND": "pigeon"}, "IOFFICE_EMAIL_BACKEND='pigeon' is not one of: console, file"),
        ({"IOFFICE_BLOB_BACKEND": "floppy"}, "IOFFICE_BLOB_BACKEND='floppy' is not one of"),
        ({"IOFFICE_DATABASE_URL": "mysql://x/y"}, "must be postgresql:// or sqlite:///"),
        ({"IOFFICE_DATABASE_URL": "postgresql://u@h:5432"}, "names no database"),
        ({"IOFFICE_DATABASE_URL": "postgresql://u@h:port/db"}, "port that is not a number"),
        ({"IOFFICE_DATABASE_URL": "sqlite://relative.db"}, "three slashes"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(env)


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_booleans_accept_the_usual_spellings(raw):
    assert load({"IOFFICE_DEBUG": raw}).debug is True


def test_database_url_switches_to_postgresql():
    config = load({"IOFFICE_DATABASE_URL": "postgresql://ioffice:p%40ss@db.internal:5433/ioffice"})
    db = config.database
    assert db.is_postgresql
    assert (db.name, db.user, db.password, db.host, db.port) == ("ioffice", "ioffice", "p@ss", "db.internal", "5433")


def test_sqlite_url_with_absolute_path():
    assert parse_database_url("sqlite:////srv/ioffice/db.sqlite3").name == "/srv/ioffice/db.sqlite3"


def test_var_dir_moves_every_default_path(tmp_path):
    config = load({"IOFFICE_VAR_DIR": str(tmp_path)})
    assert config.database.name == str(tmp_path / "ioffice.sqlite3")
    assert config.blob_location == tmp_path / "blobs"
    assert config.search_index_dir == tmp_path / "search"


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("IOFFICE_", "DJANGO_"))}
    base |= {"IOFFICE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ioffice.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=base | env, cwd=BASE_DIR, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_start_without_secret_is_an_error(tmp_path):
    result = _manage("check", env=PRODUCTION | {"IOFFICE_SECRET_KEY": ""}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "IOFFICE_SECRET_KEY must be set" in result.stderr


def test_prepared_statements_are_on_unless_turned_off():
    assert load({}).database_prepared is True
    assert load({"IOFFICE_DATABASE_PREPARED": "0"}).database_prepared is False


@pytest.mark.django_db
def test_postgresql_prepares_a_statement_run_again_and_again():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no server to prepare statements on")
    from organizations.models import Unit

    for _ in range(6):
        list(Unit.objects.filter(code="nothing-like-this").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("organizations_unit" in statement and "$1" in statement for statement in prepared), prepared
