"""Settings of the ready-to-run livecam server, read from the LIVECAM_* environment."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from livecam.site.env import env_bool, env_float, env_int, env_list, log_level, secret_key
from livecam.site.notify_env import email_settings, notify_settings
from livecam.site.recording_env import recording_settings

DATA_DIR = Path(os.environ.get("LIVECAM_DATA_DIR", "livecam-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

DEBUG = env_bool("LIVECAM_DEBUG")
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("LIVECAM_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("LIVECAM_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # django-ninja's own copy of Swagger UI for /api/docs (without it, a CDN the CSP blocks).
    "ninja",
    "livecam",
]

MIDDLEWARE = [
    # First: every error answer below gets its form (JSON on machine paths, themed pages) and
    # is counted, also a 500 from any other middleware.
    "livecam.errors.middleware.ErrorAnswerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Views that fail because the database is down answer 503 with Retry-After, not 500.
    "livecam.views.unavailable.DatabaseUnavailableMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "livecam.access.middleware.TokenAuthMiddleware",
    "livecam.access.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "livecam.access.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "livecam.site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
ASGI_APPLICATION = "livecam.site.asgi.application"

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("LIVECAM_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'livecam.sqlite3'}",
            conn_max_age=0,
            # A connection the server dropped is noticed and replaced, not reused broken.
            conn_health_checks=True,
        )
    }
except ValueError as exc:  # dj-database-url's UnknownSchemeError and malformed URLs
    raise ImproperlyConfigured(f"LIVECAM_DATABASE_URL: {exc}") from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Capture threads and the web loop write concurrently; wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses logins while a username+address pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limiting (django-axes): after LIVECAM_LOGIN_FAILURES wrong passwords for one
# username from one address, that pair is locked out for LIVECAM_LOGIN_COOLOFF minutes.
AXES_FAILURE_LIMIT = env_int("LIVECAM_LOGIN_FAILURES", 5, low=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_float("LIVECAM_LOGIN_COOLOFF", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "livecam.views.errors.login_locked_out"
# uvicorn already resolved X-Forwarded-For from trusted proxies only (LIVECAM_BEHIND_PROXY):
# REMOTE_ADDR is the client, and nothing a client sends can change it.
AXES_CLIENT_IP_CALLABLE = "livecam.views.errors.client_address"
AXES_VERBOSE = False
CSRF_FAILURE_VIEW = "livecam.views.errors.csrf_failure"
LOGIN_URL = "livecam:login"
LOGIN_REDIRECT_URL = "livecam:dashboard"
LOGOUT_REDIRECT_URL = "livecam:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
TIME_ZONE = os.environ.get("TZ", "UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["livecam.formats"]  # one date format per language, with the time zone

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve the app's static files straight from the package: no collectstatic step, no CDN.
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_ROOT.mkdir(exist_ok=True)

# Requests are small forms and JSON; nothing legitimate is large.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if env_bool("LIVECAM_BEHIND_PROXY"):
    # TLS ends at a trusted reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # local health probes speak plain HTTP
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    USE_X_FORWARDED_HOST = False

_redis_url = os.environ.get("LIVECAM_REDIS_URL", "")
LIVECAM = {
    "BUS": "redis" if _redis_url else "memory",
    "REDIS_URL": _redis_url,
    "EMBEDDED_CAPTURE": not _redis_url,
    "MAX_VIEWERS": env_int("LIVECAM_MAX_VIEWERS", 0),
    "MAX_VIEWERS_PER_CAMERA": env_int("LIVECAM_MAX_VIEWERS_PER_CAMERA", 0),
    # file: sources only from these directories (default: the data dir's media folder).
    "FILE_DIRS": env_list("LIVECAM_FILE_DIRS", [str(MEDIA_ROOT)]),
    "ACCESS_RECHECK": env_float("LIVECAM_ACCESS_RECHECK", 10),
    "ACCESS_GRACE": env_float("LIVECAM_ACCESS_GRACE", 300),
    "MAX_STREAMS_PER_USER": env_int("LIVECAM_MAX_STREAMS_PER_USER", 32),
    "MAX_HEADER_BYTES": env_int("LIVECAM_MAX_HEADER_BYTES", 32 * 1024, low=1024),
    "HEAD_TIMEOUT": env_float("LIVECAM_HEAD_TIMEOUT", 10),
    "MAX_CONNECTIONS": env_int("LIVECAM_MAX_CONNECTIONS", 4096),
    "MAX_CONNECTIONS_PER_ADDRESS": env_int("LIVECAM_MAX_CONNECTIONS_PER_ADDRESS", 128),
    "H264_ENCODER": os.environ.get("LIVECAM_H264_ENCODER", "libx264"),
    **notify_settings(),
    **recording_settings(),
}

# E-mail notifications (Django's e-mail framework): LIVECAM_SMTP_* (see docs/notifications.md).
_email = email_settings()
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _email["DEFAULT_FROM_EMAIL"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Share-link secrets are redacted at the handler, whichever logger wrote the record.
    "filters": {"redact_share_secrets": {"()": "livecam.logs.RedactShareSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_share_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": log_level("LIVECAM_LOG_LEVEL", "INFO")},
    "loggers": {"django": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
