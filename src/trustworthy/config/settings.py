"""Django settings, all from the environment.

TRUSTWORTHY_ENV is `development` (the default, and what `make run` sets), `test` or
`production` (what `trustworthy serve` uses unless TRUSTWORTHY_ENV is set). Production fails
closed: it refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, or with a weak
secret key, and DEBUG is off unless DJANGO_DEBUG says otherwise.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("TRUSTWORTHY_ENV", "development")
if ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured(f"TRUSTWORTHY_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
DATA_DIR = Path(os.environ.get("TRUSTWORTHY_DATA_DIR", "data")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


DEVELOPMENT_SECRET_KEY = "insecure-key-for-development-and-tests-only"


def _weak_key(key: str) -> bool:
    """Django's own test for a guessable key (check --deploy, W009), and the known defaults."""
    return (
        len(key) < 50
        or len(set(key)) < 5
        or key == DEVELOPMENT_SECRET_KEY
        or key.startswith("django-insecure")
    )


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production has no default secret key.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
_NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
if PRODUCTION and _weak_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters, "
        f"made for example with {_NEW_KEY}"
    )

# The key that seals audit events (an HMAC), kept outside the database so someone who can
# edit the database cannot re-seal what they changed. Set TRUSTWORTHY_AUDIT_KEY in
# production and keep it: without it, it is derived from the secret key, and rotating that
# would make every existing trail fail verification.
AUDIT_KEY = (
    os.environ.get("TRUSTWORTHY_AUDIT_KEY")
    or hashlib.sha256(f"trustworthy-audit:{SECRET_KEY}".encode()).hexdigest()
)

DEBUG = _env_bool("DJANGO_DEBUG", default=ENV == "development")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS, for example innovation.example.gov.uk")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The proxies in front of the service whose X-Forwarded-For is believed, to tell consultation
# participants apart for their rate limit (voices/ratelimit.py): addresses or networks, or `*`
# for any, in the variable gunicorn reads for the same purpose. By default this machine and
# private networks (a proxy or load balancer beside the service), never the open internet.
_PROXIES = "127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("FORWARDED_ALLOW_IPS", _PROXIES).split(",")]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "trustworthy.core",
    "trustworthy.organisations",
    "trustworthy.appraisals",
    "trustworthy.reviews",
    "trustworthy.voices",
    "trustworthy.reports",
    "trustworthy.api",
    "trustworthy.programmes",
    # For staff superusers only, read-only: organisations/admin.py. After the apps, whose
    # templates (organisations/templates/admin/) come first.
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trustworthy.core.language.LanguageMiddleware",  # English or Welsh, from the address
    "trustworthy.core.private.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "trustworthy.organisations.middleware.CurrentOrganisationMiddleware",
    "trustworthy.organisations.twofactor_middleware.TwoFactorMiddleware",
    "trustworthy.core.middleware.LockedAppraisalMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trustworthy.config.urls"
WSGI_APPLICATION = "trustworthy.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "trustworthy.config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "trustworthy.organisations.context_processors.organisation",
                "trustworthy.config.jinja2.csrf_input_once",
                "trustworthy.core.language.context",
            ],
        },
    },
    # Only for the admin site's own templates (the service's pages are Jinja2, found first).
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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

# Each gunicorn worker keeps its connection between requests (checked before reuse) rather
# than opening one, and setting it up, per request. Workers connect after they are forked
# (`serve` opens nothing that they inherit), so no connection is shared between processes.
# SQLite's tests keep Django's default (a connection per request), as before.
SQLITE_CONN_MAX_AGE = 0 if ENV == "test" else 600
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
    }
else:
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # private to the service's user
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "trustworthy.sqlite3"),
            "CONN_MAX_AGE": SQLITE_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            # IMMEDIATE transactions and WAL avoid "database is locked" under concurrent writes.
            # Django runs init_command once for each new connection, so with the connection
            # kept these pragmas run once per worker (every CONN_MAX_AGE seconds at most).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if ENV == "test":
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "trustworthy.organisations.passwords.NotTrivialValidator"},  # aaaaaaaaaaaa, 123456789012
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A whole council may sit behind one address: lock out per username and address together.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
AXES_ENABLED = ENV != "test"
# People sign in with their email address, which the sign-in form passes as `username`.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"

# Two-factor authentication (organisations/twofactor.py): anyone holding one of these roles
# in any organisation must set up an authenticator app and enter a code when signing in.
# Admins and approvers in production; nobody in development and tests unless set. A
# comma-separated list of roles; empty means nobody. Anyone may still turn it on.
_REQUIRE_2FA = os.environ.get("TRUSTWORTHY_REQUIRE_2FA_ROLES", "admin,approver" if PRODUCTION else "")
TRUSTWORTHY_REQUIRE_2FA_ROLES = [role.strip() for role in _REQUIRE_2FA.split(",") if role.strip()]
OTP_TOTP_ISSUER = "Trustworthy Innovation"  # the name authenticator apps show

# Sessions stay in the database (one query a request, built once: see core/sessions.py),
# so signing out or being removed takes effect at once in every worker process.
SESSION_ENGINE = "trustworthy.core.sessions"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A failed check keeps what a signed-in person typed, as an expired session does (core/views.py).
CSRF_FAILURE_VIEW = "trustworthy.core.views.csrf_failure"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    # Served over plain HTTP behind a proxy that terminates TLS and sets X-Forwarded-Proto
    # (replacing whatever the client sent). Plain HTTP requests are sent to HTTPS, except
    # the proxy's or load balancer's health check.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
    }
}

# English and Welsh (Welsh Language Standards). The language is chosen by the address, never
# a cookie of its own (core/language.py). The Welsh catalogue is compiled from
# locale/cy/LC_MESSAGES/django.po by `make translations` (Babel).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# `make assets` compiles the Sass and copies the JavaScript to build/assets in the checkout.
_CHECKOUT_ASSETS = PACKAGE_DIR.parent.parent / "build" / "assets"
ASSETS_DIR = Path(os.environ.get("TRUSTWORTHY_ASSETS_DIR", _CHECKOUT_ASSETS)).resolve()
STATICFILES_DIRS = [ASSETS_DIR] if ASSETS_DIR.exists() else []
if ENV == "test":
    # Tests serve build/assets as they are, through WhiteNoise's finders, with no
    # collectstatic step; live_server and the test client see every rebuild.
    STATICFILES_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
else:
    # Hashed names (cached for a year, immutable) and gzipped copies, made by
    # collectstatic (`trustworthy serve` runs it).
    STATICFILES_BACKEND = "trustworthy.core.storage.StaticStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}

# Producing a record's PDF or Word file stops after this many seconds (a 503 asking to try
# again), well inside gunicorn's 30 s worker timeout. Text limits keep real records far below.
RECORD_RENDER_SECONDS = float(os.environ.get("TRUSTWORTHY_RECORD_RENDER_SECONDS", "20"))

# Caches. "default" is Django's own default (each process's memory), written out only because
# naming one cache means naming them all. "records" holds decision records as rendered
# (charts, the record page's body, PDF, Word) in files under the data folder, named by the
# hash of the record document (reports/files.py): shared by the gunicorn workers, kept across
# restarts. Approved records' files are kept; drafts' expire after TIMEOUT unused and number
# at most MAX_ENTRIES (a few hundred kB each at most; reports/filestore.py). Tests use a
# throwaway folder per process (an empty LOCATION), never ./data.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "records": {
        "BACKEND": "trustworthy.reports.filestore.RecordFileCache",
        "LOCATION": "" if ENV == "test" else str(DATA_DIR / "cache" / "records"),
        "TIMEOUT": 7 * 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# The API's rate limit: requests per token (or signed-in person) per minute, counted in the
# "api" cache (files in the data folder, shared by the gunicorn workers, or the database over
# PostgreSQL; each test process has its own memory).
API_RATE_LIMIT = int(os.environ.get("TRUSTWORTHY_API_RATE_LIMIT", "600"))
API_RATE_LIMIT_CACHE = "api"
CACHES["api"] = (
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    if ENV == "test"
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "api"),
        "TIMEOUT": 120,
    }
)
if os.environ.get("DATABASE_URL") and ENV != "test":
    # Several servers may share one PostgreSQL database but not a data folder: the count is
    # kept in the database, so it holds across all of them (`trustworthy migrate` makes the table).
    CACHES["api"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trustworthy_api_rate",
        "TIMEOUT": 120,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
# Links in emails point here.
SITE_URL = os.environ.get("TRUSTWORTHY_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "no-reply@trustworthy-innovation.example")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Consultation links never reach a log (Django names the path of a 404, 410 or 429).
    "filters": {"hide_links": {"()": "trustworthy.config.logs.HideLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_links"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
