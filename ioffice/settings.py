"""Django settings, derived from :mod:`ioffice.config` (the only place that reads the environment)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ioffice import config as _config

CONFIG = _config.load()
BASE_DIR = _config.BASE_DIR

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)

CONFIG.var_dir.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    # First, so that its versions of contrib commands (createsuperuser) win: see its apps.py.
    "ioffice.overrides",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    # Ours, lowest layer first (imports run one way, down this list).
    "organizations",
    "journal",
    "documents",
    "signatures",
    "workflows",
    "archive",
    "search",
    "schoolrecords",
    "ioffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything else, static files included, so every response carries the policy.
    "ioffice.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ioffice.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ioffice.web.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "journal.middleware.RequestContextMiddleware",
    "ioffice.web.middleware.ActiveMembershipMiddleware",
    "ioffice.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "ioffice.urls"
WSGI_APPLICATION = "ioffice.wsgi.application"
ASGI_APPLICATION = "ioffice.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ioffice.web.context.shell",
            ],
        },
    },
]

_db = CONFIG.database
if _db.is_postgresql:
    DATABASES = {
        "default": {
            "ENGINE": _db.engine,
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # Parameters bound by the server, and a statement run five times on a connection prepared
            # there: PostgreSQL then neither parses nor plans it again (a registration's PostgreSQL
            # CPU halves, bench/numbering.py). Off behind a transaction-pooling PgBouncer.
            "OPTIONS": {
                "server_side_binding": CONFIG.database_prepared,
                "prepare_threshold": 5 if CONFIG.database_prepared else None,
            },
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": _db.engine,
            "NAME": _db.name,
            "OPTIONS": {
                # WAL lets the worker and the web server read while the other writes;
                # IMMEDIATE takes the write lock at BEGIN, so row locks behave like PostgreSQL's.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
IOFFICE_LOGIN_MAX_FAILURES = CONFIG.login_max_failures
IOFFICE_LOGIN_LOCKOUT_MINUTES = CONFIG.login_lockout_minutes

# Uploads: documents.uploads refuses a file over IOFFICE_MAX_UPLOAD_MB (checked on the bytes read). Files
# above FILE_UPLOAD_MAX_MEMORY_SIZE spill to a temporary file, so concurrent 20 MB scans do not sit in a
# worker's memory; DATA_UPLOAD_MAX_MEMORY_SIZE bounds only the non-file fields, where a long draft body is
# a few hundred KB.
IOFFICE_MAX_UPLOAD_MB = CONFIG.max_upload_mb
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Two-factor (TOTP) for signers, clerks and admins: see ioffice.web.two_factor.
OTP_TOTP_ISSUER = "ioffice"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.var_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# In debug, WhiteNoise serves straight from the apps' static folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": CONFIG.var_dir / "media"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
    "blobs": {
        "BACKEND": CONFIG.blob_backend,
        "OPTIONS": {"location": CONFIG.blob_location},
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
IOFFICE_TASK_MAX_ATTEMPTS = CONFIG.task_max_attempts
IOFFICE_TASK_RETRY_BASE_SECONDS = CONFIG.task_retry_base_seconds

IOFFICE_ELASTICSEARCH_URL = CONFIG.elasticsearch_url
IOFFICE_SEARCH_INDEX_DIR = CONFIG.search_index_dir

EMAIL_BACKEND = CONFIG.email_backend
EMAIL_FILE_PATH = CONFIG.var_dir / "mail"
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a client without credentials gets 401 with WWW-Authenticate, not a bare 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ioffice.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ioffice API",
    "DESCRIPTION": "Electronic office for the Đồng Tháp education sector (Sở GDĐT and its units).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the sidecar package: government networks are often offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

GUARDIAN_RAISE_403 = True
# No "AnonymousUser" row: nothing here is ever granted to people who have not signed in, and the row
# post_migrate would recreate after every flush collides with serialized test rollbacks.
ANONYMOUS_USER_NAME = None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"
# Pages hand the token to htmx in a header (base.html), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = CONFIG.secure_ssl_redirect
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # WeasyPrint and fontTools log every ignored CSS property and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
