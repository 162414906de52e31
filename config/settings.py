"""One env-driven settings file (see README "Configuration").

Every knob is an environment variable with a safe default for the embedded
set-up (`make demo`): SQLite under var/, background work in process.
"""

import json
import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from linli.core.logging import json_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "linli-development-only-secret-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "treebeard",
    "auditlog",  # who granted or revoked a role, changed a person, issued a token (linli.accounts.audit)
    "linli.core",
    "linli.accounts",
    "linli.places",
    "linli.orgs",
    "linli.cases",
    "linli.open311",
    "linli.hotline",
    "linli.webhooks",
    "linli.points",
    "linli.scoring",
    "linli.enrolment",
    "linli.onboarding",
    "linli.academy",
    "linli.volunteering",
    "linli.service_orders",
    "linli.site",  # the top floor: home page, menu, demo; last, it reads what the others registered
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First: every log record of the request, even from other middleware, carries its id.
    "linli.core.middleware.RequestIdMiddleware",
    # /healthz before HTTPS redirect and host checks: a load balancer probes by address over HTTP.
    "linli.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API bodies in text gzipped (static files come pre-compressed from whitenoise above).
    "linli.core.compression.CompressTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.accounts.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A NUL in any query parameter is a 400 here, before it can reach PostgreSQL (a 500).
    "linli.core.query_guard.RefuseNulQueryMiddleware",
    # Last: under DEBUG (the demo) people still get the project's 404/403 pages, not Django's.
    "linli.core.error_pages.FriendlyErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linli.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file under var/ unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'linli.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A persistent connection is checked before a request reuses it: after a database
        # restart each worker reconnects instead of failing its next request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Web requests are short index lookups: JIT compilation and parallel workers only
    # add latency there (bench/queue.py measured +100 ms on the queue counts).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", os.environ.get("DATABASE_PG_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A resident's request must not fail because a dispatcher is writing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes exist on PostgreSQL only; SQLite (the embedded default) skips them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "linli.accounts.backends.OneTimeCodeBackend",
]
LOGIN_URL = "accounts:login_code"  # a signed-out resident following a link signs in by SMS; staff have a tab
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization: Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files: front-end libraries are installed from the package registry into static_vendor/
# by `make assets` and served by whitenoise; never a CDN. In production `collectstatic` writes
# each file under its content hash (cached for a year, immutable) with Brotli and gzip copies.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "linli" / "static", BASE_DIR / "static_vendor"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
# Resumable uploads in progress (core.uploads): on this server's own disk, whatever stores media.
UPLOADS_DIR = Path(os.environ.get("UPLOADS_DIR", VAR_DIR / "uploads"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files in an S3-compatible object store (MinIO on an intranet) when a bucket is named;
# the local MEDIA_ROOT otherwise. Files stay private: pages stream them through the app after
# the permission check (core.media.photo_response), so browsers never need to reach the store.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # e.g. http://minio:9000
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # MinIO and most intranet stores want path-style URLs (http://minio:9000/bucket/key).
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }

# Maps: polygons on a blank base unless a tile URL template is configured,
# e.g. an intranet tile server "https://tiles.example.gov/{z}/{x}/{y}.png".
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# Background work: eager after commit when REDIS_URL is unset, Celery on Redis otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Workers keep the JSON console log of LOGGING instead of replacing the root handler with theirs.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Without Redis a long task (a hotline import) runs in a thread of the web process (core.background).
LONG_TASKS_IN_THREAD = True
CELERY_TIMEZONE = TIME_ZONE

# Redis answers in a millisecond on a LAN: a call that takes longer than this has failed, and
# the "redis" circuit breaker (core.breaker) then skips Redis — cache, budgets and broker — for
# DEPENDENCY_RETRY_SECONDS, so a frozen Redis costs one request per process one timeout.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5"))
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
DEPENDENCY_RETRY_SECONDS = int(os.environ.get("DEPENDENCY_RETRY_SECONDS", "10"))
# Publishing waits for the broker's answer no longer than this (the connect timeout alone leaves
# a frozen broker's publish hanging forever), and reconnects at most once, at once (kombu's
# default keeps a request retrying the connection for seconds).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **REDIS_SOCKET_OPTIONS, "retry_on_timeout": False,
    "max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1,
}

RATE_LIMIT_TABLE = {
    "BACKEND": "linli.core.ratelimit.CounterDatabaseCache",
    "LOCATION": "linli_rate_limit_cache",
    # Past MAX_ENTRIES Django culls expired rows, then a third of the live counters (their
    # budgets made whole); each write counts the rows, so the table is kept small too.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
CACHES = {
    "default": (
        # Short timeouts and a circuit breaker: an unreachable Redis must not hold a request.
        {"BACKEND": "linli.core.cache.GuardedRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_SOCKET_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Request budgets (linli.core.ratelimit) must be shared by every process of the deployment:
    # Redis when configured, else a table of the database (created by `migrate`), never LocMem.
    "ratelimit": (
        {"BACKEND": "linli.core.cache.GuardedRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_SOCKET_OPTIONS}
        if REDIS_URL
        else RATE_LIMIT_TABLE
    ),
    # Where the budgets are counted while Redis cannot be reached: the same shared table (never a
    # process's memory), so sign-in keeps working and its limits keep holding.
    "ratelimit_fallback": RATE_LIMIT_TABLE,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "linli.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "linli.core.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "linli.core.api.exception_handler",
    # JSON only: an API error is never an HTML page (Accept: text/html gets a JSON 406).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's three, with a JSON parser that answers a too-deeply nested body with `parse_error`.
    "DEFAULT_PARSER_CLASSES": [
        "linli.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI schema at /api/schema/, docs at /api/docs/ (Swagger UI), its JavaScript
# served from the sidecar package's static files (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli API",
    "DESCRIPTION": "Linli 邻里: cases (诉求), places, organizations and accounts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags and operation ids without the /api or /api/v1 prefix ("cases_list", "areas_list").
    "SCHEMA_PATH_PREFIX": r"/api(/v1)?",
    # Separate request components, so multipart uploads are described as binary files.
    "COMPONENT_SPLIT_REQUEST": True,
    # One enum name for a choice set used by several fields (status, from_status, to_status).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "linli.cases.choices.CaseStatus",
        "CaseActionEnum": "linli.cases.choices.Action",
        "RedemptionStatusEnum": "linli.points.choices.RedemptionStatus",
        "PointsEntryKindEnum": "linli.points.choices.EntryKind",
        "RewardKindEnum": "linli.points.choices.RewardKind",
        "SignupStatusEnum": "linli.volunteering.choices.SignupStatus",
        "ActivityStatusEnum": "linli.volunteering.choices.ActivityStatus",
        "HoursStatusEnum": "linli.volunteering.choices.HoursStatus",
        "MembershipStatusEnum": "linli.orgs.choices.MembershipStatus",
        "ServiceAreaEnum": "linli.volunteering.choices.ServiceArea",
        "ServiceOrderStatusEnum": "linli.service_orders.choices.OrderStatus",
        "ServiceOrderActionEnum": "linli.service_orders.choices.OrderAction",
        "OfferingKindEnum": "linli.service_orders.choices.OfferingKind",
    },
    # Every operation documents the error responses it can give (config.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# API tokens (`issue_token`, the app's sign-in) stop working this many days after issue.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))

# SMS (linli.accounts.sms): login codes and notices at the steps a resident cares about.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "linli.accounts.sms.LogSmsBackend")
# The log backend writes login codes to the log: `check --deploy` refuses it unless allowed here.
SMS_LOG_ALLOWED = os.environ.get("SMS_LOG_ALLOWED", "") == "1"
# Cloud backends: the provider's approved template code for each key of linli.accounts.sms.TEMPLATES.
try:
    SMS_TEMPLATES = json.loads(os.environ.get("SMS_TEMPLATES") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"SMS_TEMPLATES must be a JSON object of template codes: {error}") from error
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID", "")  # Aliyun AccessKey ID / Tencent SecretId
SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET", "")
SMS_SDK_APP_ID = os.environ.get("SMS_SDK_APP_ID", "")  # Tencent only
SMS_REGION = os.environ.get("SMS_REGION", "")  # unset: cn-hangzhou (Aliyun), ap-guangzhou (Tencent)
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "")  # unset: the provider's public endpoint
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "5"))

# One-time login codes for residents.
LOGIN_CODE_TTL_SECONDS = 300
LOGIN_CODE_MAX_ATTEMPTS = 5
LOGIN_CODE_RESEND_SECONDS = 60
LOGIN_CODE_PER_PHONE_PER_HOUR = 5
LOGIN_CODE_PER_IP_PER_HOUR = 20

# How many of our own reverse proxies (e.g. 1 for nginx) append to
# X-Forwarded-For; 0 trusts only REMOTE_ADDR (rate limits key on the client IP).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Request budgets (linli.core.ratelimit): scope → (requests, seconds), fixed windows in the
# cache. Over budget: 429 with Retry-After. Generous per address: many residents share one
# carrier NAT; the per-user and per-phone budgets are the tight ones.
RATE_LIMITS = {
    "intake-user": (10, 60),  # cases one signed-in user files through the API
    "intake-ip": (60, 60),  # cases filed from one address, whoever signs them
    "login-ip": (30, 300),  # failed sign-ins (password or SMS code) from one address
    # Failed password sign-ins for one number from one address: the guesser's budget. Per number
    # alone only well above it, or anyone who knows a staff number could lock its owner out.
    "login-phone-ip": (10, 900),
    "login-phone": (100, 3600),  # failed password sign-ins for one mobile number, from anywhere
    "open311-key": (60, 60),  # Open311 requests per API key; each key's own rate replaces the 60
}
# Load tests from one machine (bench/) multiply every budget, e.g. RATE_LIMIT_MULTIPLIER=1000.
_rate_limit_multiplier = max(1, int(os.environ.get("RATE_LIMIT_MULTIPLIER", "1")))
RATE_LIMITS = {scope: (requests * _rate_limit_multiplier, seconds) for scope, (requests, seconds) in RATE_LIMITS.items()}
RATE_LIMIT_KEY_PREFIX = "linli-rl"

# Grid lookup index: other processes notice grid changes within this many seconds.
LOCATE_INDEX_CHECK_SECONDS = 30
# How long a process trusts its copy of the case categories and routing rules (cases.routing).
ROUTING_CACHE_SECONDS = 30

# A failed CSRF check on an API path answers the API's JSON error, not Django's page.
CSRF_FAILURE_VIEW = "linli.core.api.csrf_failure"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)

# HTTPS behind a proxy (README "Production"): nginx terminates TLS and sets X-Forwarded-Proto.
# Trust that header only when the app is reachable through the proxy alone.
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
# HSTS: start small (3600) and raise to 31536000 once every page works over HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")

# Logs: one JSON object per line on stderr (for a log collector), each with the request id
# (linli.core.logging). Django's own loggers, django.request's unhandled errors among them,
# go there too instead of to the DEBUG-only console and the (unset) ADMINS email.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = json_logging(LOG_LEVEL, loggers={
    "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    "linli": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
})
# Python's warnings (a missing static directory, a deprecation) become log records too: JSON lines.
logging.captureWarnings(True)

# Optional error reports to Sentry (pip install 'linli[sentry]'); imported only when set.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured("SENTRY_DSN is set but sentry-sdk is not installed: pip install 'linli[sentry]'.")
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,  # residents' phone numbers and addresses stay here (PIPL)
    )

# --- Working time, outbox, notifications (linli.core) ----------------------------------
# Working hours in local time (TIME_ZONE). Which days work comes from the CalendarDay
# table: public holidays and swapped working days (调休); `manage.py load_calendar`.
WORKING_HOURS = (("08:30", "12:00"), ("14:00", "17:30"))
# Without Redis the calendar cache is per process: others see an edit within this time.
CALENDAR_CACHE_SECONDS = 600

# Outbox relay: a failing message is retried with growing pauses, then given up
# (it stays in the back office, whose "retry" action sends it again).
OUTBOX_MAX_ATTEMPTS = 8
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "core.relay_outbox", "schedule": 60.0, "options": {"expires": 55}},
    # Idempotency-Key answers are kept 24 h (linli/core/idempotency.py)
    "purge-idempotency-keys": {"task": "core.purge_idempotency_keys", "schedule": 3600.0, "options": {"expires": 3500}},
    # resumable uploads abandoned for a day (linli/core/uploads.py)
    "remove-stale-uploads": {"task": "core.remove_stale_uploads", "schedule": 3600.0, "options": {"expires": 3500}},
    # due-soon / overdue marks, reminders, escalation by policy (linli/cases/tasks.py)
    "sweep-sla": {"task": "cases.sweep_sla", "schedule": 60.0, "options": {"expires": 55}},
    # due webhook deliveries and their retries (linli/webhooks/tasks.py)
    "deliver-webhooks": {"task": "webhooks.deliver", "schedule": 60.0, "options": {"expires": 55}},
    # reminders the day before, automatic check-out after the end (linli/volunteering/tasks.py)
    "volunteering-reminders": {"task": "volunteering.send_reminders", "schedule": 600.0, "options": {"expires": 590}},
    "volunteering-auto-check-out": {"task": "volunteering.auto_check_out", "schedule": 300.0, "options": {"expires": 290}},
    # points older than POINTS_EXPIRE_MONTHS expire (linli/points/tasks.py; a repeat posts nothing)
    "expire-points": {"task": "points.expire", "schedule": 3600.0, "options": {"expires": 3500}},
}
# Volunteer points expire this many months after they were earned, oldest first.
# 待结案: a case verified on site is called back and closed within this many working hours, or the
# command center is reminded (linli/cases/sla.py).
# A fix waiting for the grid worker's check on site is late after this many working hours (the
# grid leader's page counts them per worker).
CASES_VERIFY_WITHIN_WORKING_HOURS = int(os.environ.get("CASES_VERIFY_WITHIN_WORKING_HOURS", "8"))
CASES_CLOSE_WITHIN_WORKING_HOURS = int(os.environ.get("CASES_CLOSE_WITHIN_WORKING_HOURS", "8"))
POINTS_EXPIRE_MONTHS = int(os.environ.get("POINTS_EXPIRE_MONTHS", "12"))
# Volunteer hours count from the later of check-in and the activity's start to the earlier of
# check-out and its end; this many minutes either side of the activity still count.
VOLUNTEER_HOURS_GRACE_MINUTES = int(os.environ.get("VOLUNTEER_HOURS_GRACE_MINUTES", "0"))
# The CJK font of volunteer service certificates (PDF): Debian's fonts-noto-cjk by default. For a
# .ttc/.otc collection, CERTIFICATE_FONT_INDEX picks the face (2 = Noto Sans CJK SC).
CERTIFICATE_FONT_PATH = os.environ.get(
    "CERTIFICATE_FONT_PATH", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CERTIFICATE_FONT_INDEX = int(os.environ.get("CERTIFICATE_FONT_INDEX", "2"))
# A request that queues work after commit must not hang on an unreachable broker.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS

# Email: EMAIL_URL = smtp+tls://user:password@host:587 (STARTTLS), smtps://…:465 (TLS)
# or smtp://host:25 (plain). Unset: printed on the console with DEBUG, dropped without.
# Tests always use Django's in-memory outbox.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtp+tls:// or smtps://")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[_email.scheme]
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = (
        "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.dummy.EmailBackend"
    )
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = SERVER_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "linli@localhost")
# Public address of the site (https://linli.example.org), for links in emails and SMS.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# --- Webhooks (linli.webhooks) ----------------------------------------------------------
# Webhook URLs on loopback/private addresses are refused unless this is on: on for DEBUG
# (and in the webhook tests); turn it on for a government intranet whose receivers
# live on private addresses.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", default=DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "5"))
# Attempts before a delivery is given up (retries after 1, 2, 4 … minutes, at most an hour).
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "8"))
