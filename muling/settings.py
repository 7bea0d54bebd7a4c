"""Muling settings: one file, driven by environment variables.

Defaults make `make run` work with zero setup (SQLite under var/, a generated secret kept in var/);
production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MULING_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _demo_secret_key() -> str:
    """A random key generated once and kept in var/, so demo sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _demo_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "import_export",
    "muling.places",
    "muling.people",
    "muling.cases",
    "muling.stats",
    "muling.open311",
    "muling.web",
    "muling.api",
    "muling.trust",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "muling.privacy",
    "muling.benchmark",
]

MIDDLEWARE = [
    "muling.web.dbdown.DatabaseUnavailableMiddleware",  # first: a lost database answers 503, not 500
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "muling.trust.otp.RequireOTPMiddleware",  # staff with a TOTP device type its code after the password
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "muling.urls"
WSGI_APPLICATION = "muling.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "muling" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "muling.web.context_processors.navigation",
                "muling.cases.context_processors.case_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'muling.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a background task writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Web requests run small indexed queries; PostgreSQL's parallel plans for them spent ~3 ms
    # starting a worker to scan a few rows (EXPLAIN ANALYZE of the overdue list at 10 M cases:
    # 0.03 ms of scan, 5 ms in all). Big reads (rollups, exports) are tables of their own.
    # DB_PARALLEL_WORKERS_PER_GATHER puts PostgreSQL's default (2) back.
    _parallel = int(os.environ.get("DB_PARALLEL_WORKERS_PER_GATHER", "0"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={_parallel}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis on every page and written through to the database, so a Redis
    # restart logs nobody out (one query fewer per signed-in request).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "muling.trust.backends.LoginThrottleBackend",  # django-axes' lockout check must come first
    "rules.permissions.ObjectPermissionBackend",
    "muling.people.backends.PhoneOrUsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "muling" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "muling" / "web" / "static"]
_NODE = BASE_DIR / "node_modules"
for _prefix, _dir in [
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]:
    if _dir.exists():
        STATICFILES_DIRS.append((_prefix, _dir))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Field encryption for ID-card numbers: a separate key in production; derived from SECRET_KEY for the demo.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

# Map tiles are optional (the map works with polygons alone on an offline LAN).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# Public address used on printed service cards (QR codes must point at a reachable host).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and "127.0.0.1" not in ALLOWED_HOSTS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

MULING_SITE_NAME = _("睦邻")

# ---- background work ------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a task whose worker died is redelivered after the broker's visibility timeout
# (Redis default: one hour). Sweeps are short and safe to repeat, so a killed worker's sweep is
# picked up again within minutes instead (tests/crash proves the repeat escalates nothing twice).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT_SECONDS", "300"))
}
CELERY_TIMEZONE = TIME_ZONE
SWEEP_INTERVAL_SECONDS = int(os.environ.get("SWEEP_INTERVAL_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue-cases": {"task": "cases.escalate_overdue", "schedule": SWEEP_INTERVAL_SECONDS},
    "close-unrated-cases": {"task": "cases.close_unrated", "schedule": 3600},
}

# ---- the closed loop -------------------------------------------------------------------------------
CASE_UNRATED_CLOSE_DAYS = int(os.environ.get("CASE_UNRATED_CLOSE_DAYS", "7"))
# The last year whose State Council holiday schedule the `holidays` package is trusted for; later
# years count weekends only unless an admin records the schedule (CalendarDay).
HOLIDAY_CALENDAR_KNOWN_UNTIL = int(os.environ.get("HOLIDAY_CALENDAR_KNOWN_UNTIL", "2027"))
SMS_BACKEND = os.environ.get("SMS_BACKEND", "muling.cases.notify.ConsoleSms")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "muling@localhost")

# ---- security (issue 7) ----------------------------------------------------------------------------
# Login throttling (django-axes): one counter per account *and* client address, so a stranger guessing a
# password cannot lock the owner out from home; the phone and the username of one account share it.
from datetime import timedelta  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "muling.trust.backends.lockout_username"
AXES_CLIENT_IP_CALLABLE = "muling.trust.client.client_ip"
AXES_LOCKOUT_CALLABLE = "muling.trust.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "睦邻")

# Password policy for every password set through Django (admin, changepassword, createsuperuser).
for _validator in AUTH_PASSWORD_VALIDATORS:
    if _validator["NAME"].endswith("MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))}

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files; map tiles
# from MAP_TILE_URL's host when one is configured ("{s}" subdomains become a wildcard).
_img_src = ["'self'", "data:", "blob:"]
if MAP_TILE_URL:
    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
    if _tiles.scheme and _tiles.netloc:
        _img_src.append(f"{_tiles.scheme}://{_tiles.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _img_src,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Production over HTTPS: SECURE_COOKIES=1 (or a public ALLOWED_HOSTS with DEBUG=0) says the site is
# served over TLS; then redirect to HTTPS and send HSTS. Behind a TLS-terminating proxy set BEHIND_PROXY=1
# so Django trusts the proxy's X-Forwarded-Proto (only then: a client could send it too).
_HTTPS = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"

# Abuse limits on reporting (muling/cases/abuse.py); 0 turns a limit off.
# Dashboards and the statistics API keep an area slice's numbers this long in the shared cache.
STATS_CACHE_SECONDS = int(os.environ.get("STATS_CACHE_SECONDS", "60"))
# Intake's per-process copy of categories, areas, routing rules and grid posts (muling/cases/reference.py)
# is re-read after a committed change at once; this is the upper bound for changes no signal reports.
REFERENCE_CACHE_SECONDS = int(os.environ.get("REFERENCE_CACHE_SECONDS", "60"))
REPORT_LIMIT_PER_USER_PER_HOUR = int(os.environ.get("REPORT_LIMIT_PER_USER_PER_HOUR", "10"))
REPORT_LIMIT_PER_ADDRESS_PER_HOUR = int(os.environ.get("REPORT_LIMIT_PER_ADDRESS_PER_HOUR", "30"))
# More than this many near-identical texts (rapidfuzz ratio >= REPORT_REPEAT_SIMILARITY) from one reporter
# within a day flags the new case for a supervisor (it is still accepted).
REPORT_REPEAT_LIMIT_PER_DAY = int(os.environ.get("REPORT_REPEAT_LIMIT_PER_DAY", "3"))
REPORT_REPEAT_SIMILARITY = int(os.environ.get("REPORT_REPEAT_SIMILARITY", "90"))

# The benchmark's ceiling view (/bench/ceiling/, muling/benchmark): an anonymous one-row write that
# bench/harness.py measures next to case intake. Off (404) everywhere except a benchmark server.
BENCH_CEILING = env_bool("MULING_BENCH_CEILING", False)
