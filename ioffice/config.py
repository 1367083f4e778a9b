"""Every ``IOFFICE_*`` environment variable, read and checked in one place.

With none set, ioffice runs on one machine: SQLite (WAL) and files under ``./var``, debug on, a
random secret. Production mode (``IOFFICE_DEBUG=0``) refuses to start without a secret and allowed
hosts. A bad value is a start-up error that names the variable and says what it accepts, so a
misconfigured deployment fails loudly instead of running on a silent default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ImproperlyConfigured):
    """A ``IOFFICE_*`` variable is missing or malformed."""


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict = field(default_factory=dict)

    @property
    def is_postgresql(self) -> bool:
        return self.engine == "django.db.backends.postgresql"


@dataclass(frozen=True)
class Config:
    debug: bool
    secret_key: str
    allowed_hosts: tuple[str, ...]
    csrf_trusted_origins: tuple[str, ...]
    var_dir: Path
    database: DatabaseConfig
    database_prepared: bool
    blob_backend: str
    blob_location: Path
    elasticsearch_url: str | None
    search_index_dir: Path
    email_backend: str
    default_from_email: str
    login_max_failures: int
    login_lockout_minutes: int
    task_max_attempts: int
    task_retry_base_seconds: int
    secure_ssl_redirect: bool
    log_level: str
    #: Largest uploaded file, in MB (IOFFICE_MAX_UPLOAD_MB); a 600 dpi colour scan of a few pages fits in 20.
    max_upload_mb: int = 20


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _choice(env: Mapping[str, str], name: str, default: str, choices: Mapping[str, str]) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        accepted = ", ".join(sorted(choices))
        raise ConfigError(f"{name}={raw!r} is not one of: {accepted}.")
    return choices[raw]


def parse_database_url(url: str, *, name: str = "IOFFICE_DATABASE_URL") -> DatabaseConfig:
    """``postgresql://user:pass@host:port/db`` or ``sqlite:///path/to/file.sqlite3``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ConfigError(f"{name}={url!r} names no database: add /<name> after the host.")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}={url!r} has a port that is not a number.") from None
        return DatabaseConfig(
            engine="django.db.backends.postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(port or ""),
        )
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path parses as netloc "" and path "//abs/path"
            path = path[1:]
        if parts.netloc or not path or path == "/":
            raise ConfigError(f"{name}={url!r}: write sqlite:////absolute/path.sqlite3 (three slashes, then the path).")
        return DatabaseConfig(engine="django.db.backends.sqlite3", name=path)
    raise ConfigError(f"{name}={url!r}: the scheme must be postgresql:// or sqlite:///.")


def load(env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from ``env`` (``os.environ`` by default)."""
    env = os.environ if env is None else env
    debug = _bool(env, "IOFFICE_DEBUG", True)

    secret_key = env.get("IOFFICE_SECRET_KEY", "").strip()
    allowed_hosts = _list(env, "IOFFICE_ALLOWED_HOSTS")
    if not debug:
        if not secret_key:
            raise ConfigError("IOFFICE_SECRET_KEY must be set when IOFFICE_DEBUG is off (production mode).")
        if len(secret_key) < 50 or len(set(secret_key)) < 5:
            raise ConfigError("IOFFICE_SECRET_KEY must be at least 50 characters long and random.")
        if not allowed_hosts:
            raise ConfigError("IOFFICE_ALLOWED_HOSTS must list the served host names when IOFFICE_DEBUG is off.")
    if not secret_key:
        # Debug only: sessions do not survive a restart, which is acceptable on a developer machine.
        secret_key = "insecure-debug-" + secrets.token_urlsafe(48)
    if not allowed_hosts:
        allowed_hosts = ("127.0.0.1", "localhost", "[::1]", "testserver")

    var_dir = Path(env.get("IOFFICE_VAR_DIR", "").strip() or BASE_DIR / "var").resolve()

    database_url = env.get("IOFFICE_DATABASE_URL", "").strip()
    if database_url:
        database = parse_database_url(database_url)
    else:
        database = DatabaseConfig(engine="django.db.backends.sqlite3", name=str(var_dir / "ioffice.sqlite3"))

    blob_backend = _choice(
        env,
        "IOFFICE_BLOB_BACKEND",
        "filesystem",
        {"filesystem": "archive.storage.ContentAddressedFileSystemStorage"},
    )

    return Config(
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=_list(env, "IOFFICE_CSRF_TRUSTED_ORIGINS"),
        var_dir=var_dir,
        database=database,
        database_prepared=_bool(env, "IOFFICE_DATABASE_PREPARED", True),
        blob_backend=blob_backend,
        blob_location=Path(env.get("IOFFICE_BLOB_DIR", "").strip() or var_dir / "blobs").resolve(),
        elasticsearch_url=env.get("IOFFICE_ELASTICSEARCH_URL", "").strip() or None,
        search_index_dir=Path(env.get("IOFFICE_SEARCH_DIR", "").strip() or var_dir / "search").resolve(),
        email_backend=_choice(
            env,
            "IOFFICE_EMAIL_BACKEND",
            "file",
            {
                "file": "django.core.mail.backends.filebased.EmailBackend",
                "console": "django.core.mail.backends.console.EmailBackend",
                "smtp": "django.core.mail.backends.smtp.EmailBackend",
                "memory": "django.core.mail.backends.locmem.EmailBackend",
            },
        ),
        default_from_email=env.get("IOFFICE_DEFAULT_FROM_EMAIL", "").strip() or "ioffice@localhost",
        login_max_failures=_int(env, "IOFFICE_LOGIN_MAX_FAILURES", 5, minimum=1),
        login_lockout_minutes=_int(env, "IOFFICE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1),
        task_max_attempts=_int(env, "IOFFICE_TASK_MAX_ATTEMPTS", 6, minimum=1),
        task_retry_base_seconds=_int(env, "IOFFICE_TASK_RETRY_BASE_SECONDS", 10, minimum=1),
        max_upload_mb=_int(env, "IOFFICE_MAX_UPLOAD_MB", 20, minimum=1),
        secure_ssl_redirect=_bool(env, "IOFFICE_SECURE_SSL_REDIRECT", not debug),
        log_level=_choice(
            env,
            "IOFFICE_LOG_LEVEL",
            "info",
            {lvl: lvl.upper() for lvl in ("debug", "info", "warning", "error")},
        ),
    )
