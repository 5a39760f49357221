"""Samen settings: one file, read from the environment with sane defaults.

SQLite (WAL) when DATABASE_URL is unset, PostgreSQL (or any dj-database-url URL) when set.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def private_dir(path: Path) -> Path:
    """A folder only the account running Samen can read (0700), tightened if it exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """A file only the account running Samen can read (0600): created so, or tightened."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


# Generated files (database, secret key, cache, static files) live in one private folder,
# made (0700) when something is put there: a server with its own paths needs none.
VAR_DIR = Path(env_str("SAMEN_VAR_DIR", str(PROJECT_DIR / "var")))


def var_path(name: str) -> Path:
    return private_dir(VAR_DIR) / name


DEBUG = env_bool("DEBUG", False)
# Demo mode: `make run` sets it; relaxes what a laptop demo cannot provide (2FA for caseworkers).
DEMO = env_bool("SAMEN_DEMO", False)

DATABASE_URL = env_str("DATABASE_URL")
# Development is the laptop set-up: DEBUG, the demo, or SQLite. A server database is production.
DEVELOPMENT = DEBUG or DEMO or not DATABASE_URL or DATABASE_URL.startswith("sqlite")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SECRET_KEY must be set when Samen runs on a server database.")
    # A per-checkout random key, so sessions survive restarts of `make run`.
    key_file = var_path("secret_key")
    if not key_file.exists():
        private_file(key_file).write_text(secrets.token_urlsafe(50))
    SECRET_KEY = private_file(key_file).read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "corsheaders",
    "samen.core",
    "samen.concerns",
    "samen.activities",
    "samen.partners",
    "samen.outreach",
    "samen.volunteering",
    "samen.workshops",
    "samen.impact",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "samen.core.middleware.PublicCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samen.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samen.core.oidc.SsoOTPMiddleware",  # django-otp's, plus the provider's MFA (core/oidc.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "samen.core.middleware.SecurityHeadersMiddleware",
    "samen.core.middleware.ApiVersionMiddleware",
    "samen.core.middleware.ApiHygieneMiddleware",
    "samen.core.middleware.AdminScopeMiddleware",
    "samen.core.middleware.AuditChannelMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the 429 page
]

ROOT_URLCONF = "samen.urls"
WSGI_APPLICATION = "samen.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:after-login"
LOGOUT_REDIRECT_URL = "core:index"

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
                "django.template.context_processors.i18n",
                "samen.core.context_processors.samen",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": var_path("samen.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:") and not str(
        DATABASES["default"]["NAME"]
    ).startswith("file:"):
        private_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The occurrence index INCLUDEs the id for PostgreSQL's index-only scans; on SQLite the rowid
# is the id already, so Django's warning that SQLite ignores INCLUDE says nothing useful.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache (rate limits, throttling) ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A file cache is shared between the processes of one machine, which rate limits need.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("SAMEN_CACHE_DIR", "") or str(var_path("cache")),
        }
    }
RATELIMIT_ENABLE = env_bool("SAMEN_RATELIMIT", True)
# The reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: REMOTE_ADDR only.
# A wrong entry stops the start-up instead of failing every request.
SAMEN_TRUSTED_PROXIES = [
    str(ipaddress.ip_network(entry, strict=False)) for entry in env_list("SAMEN_TRUSTED_PROXIES")
]
RATELIMIT_IP_META_KEY = "samen.core.net.client_ip"
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]

# --- Background tasks (Django's tasks API) -----------------------------------------------------
# Default: run in-process, nothing extra. Production: SAMEN_TASKS_BACKEND=database plus
# `samen db_worker` processes (a queue in PostgreSQL with SKIP LOCKED).
if env_str("SAMEN_TASKS_BACKEND", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Auth ------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SAMEN_REQUIRE_2FA_CASEWORKERS = env_bool("SAMEN_REQUIRE_2FA_CASEWORKERS", not DEMO)
# Login throttle: django-axes, counters in the database (samen/core/throttle.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "samen.core.oidc.SamenOIDCBackend",  # single sign-on, only when SAMEN_OIDC_* is set
]
AXES_HANDLER = "samen.core.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("SAMEN_LOGIN_FAILURES", 5)  # per username, from every address
SAMEN_LOGIN_ADDRESS_FAILURES = env_int("SAMEN_LOGIN_ADDRESS_FAILURES", 30)  # per address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAMEN_LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "samen.core.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "samen.core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "samen.core.throttle.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # no open-ended log of every login's address (AVG)
OTP_TOTP_ISSUER = "Samen"
# "Wachtwoord vergeten" and the coordinator's reset: the link is valid this long.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * env_int("SAMEN_PASSWORD_RESET_DAYS", 3)

# --- Single sign-on (OpenID Connect, core/oidc.py, README "Inloggen met het gemeente-account")
# One identity provider; unset SAMEN_OIDC_CLIENT_ID: no single sign-on, password login only.
OIDC_RP_CLIENT_ID = env_str("SAMEN_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("SAMEN_OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("SAMEN_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("SAMEN_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("SAMEN_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("SAMEN_OIDC_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("SAMEN_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("SAMEN_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATE_CLASS = "samen.core.oidc.AuthenticateView"
OIDC_CALLBACK_CLASS = "samen.core.oidc.CallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/inloggen/"
SAMEN_OIDC_ISSUER = env_str("SAMEN_OIDC_ISSUER")  # checked against the ID token's `iss`
SAMEN_OIDC_GROUPS_CLAIM = env_str("SAMEN_OIDC_GROUPS_CLAIM", "groups")
# group=municipality-slug:role, comma-separated; roles: coordinator, caseworker, privacy_officer
SAMEN_OIDC_GROUPS = env_str("SAMEN_OIDC_GROUPS")
# The ID token's amr values (or acr values) that mean the provider did multi-factor login.
SAMEN_OIDC_MFA_AMR = env_str("SAMEN_OIDC_MFA_AMR", "mfa,otp,hwk,swk,sms,fpt,face")
SAMEN_OIDC_MFA_ACR = env_str("SAMEN_OIDC_MFA_ACR")
SAMEN_DEMO_PASSWORD = env_str("SAMEN_DEMO_PASSWORD", "samen-demo")

# --- Concerns (Signaalpunt) -------------------------------------------------------------------
SAMEN_CONCERN_RETENTION_DAYS = env_int("SAMEN_CONCERN_RETENTION_DAYS", 365)
# A case without any activity for this long is closed as "niet bereikbaar" (then retention).
SAMEN_CONCERN_IDLE_DAYS = env_int("SAMEN_CONCERN_IDLE_DAYS", 180)
SAMEN_CONCERN_RATE = env_str("SAMEN_CONCERN_RATE", "30/h")

# --- Volunteering ----------------------------------------------------------------------------
# A volunteer with no match proposed, no login and no hours for this long is deleted.
SAMEN_VOLUNTEER_IDLE_DAYS = env_int("SAMEN_VOLUNTEER_IDLE_DAYS", 730)

# --- I18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", "") or var_path("static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Samen <noreply@samen.example>")
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# --- Security --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
HTTPS = env_bool("SAMEN_HTTPS", not DEVELOPMENT)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_AGE = 60 * 60 * 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # what each retention rule removed, every day (docs/privacy.md)
    "loggers": {"samen.retention": {"level": "INFO"}},
}

# --- CORS: only the public operations, for any origin, never with credentials --------------------
CORS_URLS_REGEX = (
    r"^/api/v1/(activities|openapi\.json|concerns/status/[^/]+"
    r"|municipalities/[^/]+/(partnerships|concerns))$"
)
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "content-type")
CORS_EXPOSE_HEADERS = ("API-Version", "Retry-After")

# --- Geocoding --------------------------------------------------------------------------------
SAMEN_GEOCODER = env_str("SAMEN_GEOCODER", "offline")  # "offline" or "pdok"
SAMEN_PDOK_URL = env_str("SAMEN_PDOK_URL", "https://api.pdok.nl/bzk/locatieserver/search/v3_1")
# Requests to the remote geocoder one visitor's searches may cause (answers are cached a day).
SAMEN_GEOCODE_RATE = env_str("SAMEN_GEOCODE_RATE", "60/h")

# --- Activities -----------------------------------------------------------------------------------
SAMEN_OCCURRENCE_HORIZON_DAYS = env_int("SAMEN_OCCURRENCE_HORIZON_DAYS", 120)
SAMEN_FEED_TIMEOUT = env_int("SAMEN_FEED_TIMEOUT", 10)
SAMEN_FEED_MAX_BYTES = env_int("SAMEN_FEED_MAX_BYTES", 5_000_000)
# One import: at most so many items and seconds (issue #14, bounded cost).
SAMEN_FEED_MAX_ITEMS = env_int("SAMEN_FEED_MAX_ITEMS", 5_000)
SAMEN_FEED_IMPORT_SECONDS = env_int("SAMEN_FEED_IMPORT_SECONDS", 120)
# Memory one import may add to its process (MB): more is refused with a message.
SAMEN_FEED_IMPORT_MB = env_int("SAMEN_FEED_IMPORT_MB", 512)
# Hosts ("name" or "name:port") fetched even when they resolve to a private or loopback
# address: an intranet feed, the tests' local server. Everything else must be public.
SAMEN_FEED_ALLOWED_HOSTS = env_list("SAMEN_FEED_ALLOWED_HOSTS")
# What one feed may store over the horizon; what is cut is reported on the feed.
SAMEN_MAX_OCCURRENCES_PER_ACTIVITY = env_int("SAMEN_MAX_OCCURRENCES_PER_ACTIVITY", 400)
SAMEN_MAX_OCCURRENCES_PER_FEED = env_int("SAMEN_MAX_OCCURRENCES_PER_FEED", 20_000)
# Anonymous previews of a feed address on the join page, per client.
SAMEN_FEED_PREVIEW_RATE = env_str("SAMEN_FEED_PREVIEW_RATE", "10/h")
