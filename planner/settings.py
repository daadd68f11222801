"""Settings for the cycle planner, read from the environment (12-factor).

With nothing set the planner runs embedded: a SQLite file in the project and Celery tasks run
eagerly in the web process. ``DATABASE_URL`` (postgres://…) and ``REDIS_URL`` switch to the real
services. Production (``DJANGO_DEBUG`` off) refuses to start without ``DJANGO_SECRET_KEY`` and
turns on Django's deployment checklist (HTTPS redirect, HSTS, secure cookies, JSON logs), so
``manage.py check --deploy --fail-level WARNING`` passes with only the secret key and the allowed
hosts set. Every variable is listed in ``.env.example``.
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", default=False)
# pytest sets nothing itself; tests get the throwaway key and the test host without extra setup.
TESTING = env_bool("PLANNER_TESTING", default="pytest" in sys.modules)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Development and tests only: a throwaway key, never used in production.
        SECRET_KEY = "django-insecure-dev-only-key-not-for-production"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`) or set DJANGO_DEBUG=1 for development."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if (DEBUG or TESTING) else ""
    ).split(",")
    if h.strip()
]
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# --- Security (Django's deployment checklist) ----------------------------------------------------
# Production is "debug off outside the test suite"; tests and `make run` talk plain HTTP.
PRODUCTION = not DEBUG and not TESTING
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (the compose file's web is reached
# through one), trust that header; never set this when clients can reach gunicorn directly.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
# Container health checks and load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", default=PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "core",
    "releases",
    "squads",
    "blueprints",
    "notifications",
    "planner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NUL bytes in parameters and BadQueryParameter -> 400; Content-Security-Policy.
    "core.middleware.RequestHygieneMiddleware",
]

# The pages need no script and load nothing from elsewhere. The API docs (Swagger UI, served
# from this site by drf-spectacular-sidecar through its split view, whose init script is a
# file of its own) also need their inline stylesheet and data: images.
_CSP_COMMON = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
CONTENT_SECURITY_POLICY = f"default-src 'self'; {_CSP_COMMON}"
CONTENT_SECURITY_POLICY_PATHS = {
    "/api/docs/": (
        f"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; {_CSP_COMMON}"
    ),
}

ROOT_URLCONF = "planner.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planner.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "planner.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once (make run with a worker thread).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the dashboard's one large query (correlated subqueries per blueprint) spent 2.5 s
    # of its 3 s compiling at 5,000 blueprints; short OLTP queries never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Caches ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The default cache is the shared one: the login limiter and the API throttles count there, so
# a limit holds across every web process. On Redis when REDIS_URL is set (core.cache: while
# Redis is down it counts in process memory and logs a warning, it never fails a request);
# embedded, in the one process's memory. Its keys live under KEY_PREFIX, and clear() deletes
# only those (the broker shares the database).
_CACHE_PREFIX = os.environ.get("DJANGO_CACHE_KEY_PREFIX") or (
    f"planner-test-{os.getpid()}" if TESTING else "planner"
)
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_URL") or REDIS_URL,
            "KEY_PREFIX": _CACHE_PREFIX,
            # A login must not hang on an unreachable Redis: fail fast, count locally.
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "FAILOVER_RETRY_SECONDS": 5,
            },
        }
        if os.environ.get("DJANGO_CACHE_URL") or REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "planner",
            "KEY_PREFIX": _CACHE_PREFIX,
        }
    ),
    # Serialised rows of read-mostly API endpoints (milestones), keyed by the series' data
    # version so a write invalidates them everywhere; per process on purpose (no Redis
    # dependency on reads). The timeout bounds a write that does not move the version.
    "api": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "planner-api",
        "TIMEOUT": int(os.environ.get("PLANNER_API_CACHE_SECONDS", "30")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# The dashboard's blueprint sections of a day, kept while the data version does not move
# (planner.dashboard). Off in tests, which write around the services.
DASHBOARD_CACHE_SECONDS = (
    0 if TESTING else int(os.environ.get("PLANNER_DASHBOARD_CACHE_SECONDS", "300"))
)

# Days whose forecast rows (blueprints.forecast_days) are kept per series, besides today's: the
# dashboards of other days compute theirs on first view, replacing the days computed longest ago.
FORECAST_DAYS_KEPT = int(os.environ.get("PLANNER_FORECAST_DAYS_KEPT", "60"))

if TESTING:
    # Tests create many users (the demo's role accounts): a deliberately cheap hash there only.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Trusted proxies in front of the web processes (the TLS proxy: 1). The client's address is
# the one the outermost of them appended to X-Forwarded-For (core.throttling.client_address);
# 0 means clients connect directly and X-Forwarded-For is ignored.
NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))

# Login attempt limiting (core.throttling), per (username, client address): after
# LOGIN_FAILURE_LIMIT failures each further attempt waits LOGIN_FAILURE_BACKOFF seconds, doubled
# at each failure, at most LOGIN_FAILURE_MAX_LOCKOUT; counts are forgotten LOGIN_FAILURE_WINDOW
# seconds after the last failure. One address failing LOGIN_ADDRESS_FAILURE_LIMIT times (any
# usernames) waits the same way.
AUTHENTICATION_BACKENDS = ["core.throttling.LoginLimitedModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", 1000 if TESTING else 10))
LOGIN_FAILURE_WINDOW = int(os.environ.get("DJANGO_LOGIN_FAILURE_WINDOW", 15 * 60))
LOGIN_FAILURE_BACKOFF = float(os.environ.get("DJANGO_LOGIN_FAILURE_BACKOFF", 60))
LOGIN_FAILURE_MAX_LOCKOUT = float(os.environ.get("DJANGO_LOGIN_FAILURE_MAX_LOCKOUT", 15 * 60))
LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 10000 if TESTING else 100)
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Email ------------------------------------------------------------------------------------
# Development and tests print mail on the console (pytest-django swaps in the locmem outbox);
# DJANGO_EMAIL_BACKEND (or a configured EMAIL_URL deployment) keeps Django's SMTP default.
if os.environ.get("DJANGO_EMAIL_BACKEND"):
    EMAIL_BACKEND = os.environ["DJANGO_EMAIL_BACKEND"]
elif (DEBUG or TESTING) and not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "planner@localhost")

# --- Celery -----------------------------------------------------------------------------------
# kombu warns about a broker URL without a host ("No hostname was supplied"), even for the
# in-memory transport that eager tasks still open a producer on: name one.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the planner still works: tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue name per deployment sharing a Redis (and per test run, so runs never swap tasks).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic task of the planner, in this one place: the DatabaseScheduler copies these into
# its tables when beat starts (an entry of the same name is updated, so the rows older migrations
# created follow what is written here). Times are UTC.
CELERY_BEAT_SCHEDULE = {
    # Work recorded while the broker was down (core.outbox) is sent again once it is back.
    "planner-send-pending-tasks": {
        "task": "core.tasks.send_pending_tasks",
        "schedule": float(os.environ.get("PLANNER_PENDING_TASKS_EVERY", "60")),
    },
    # Every series' branch cuts, in case a rule or the calendar moved under them.
    "Recompute every series' branch cuts (nightly)": {
        "task": "releases.tasks.recompute_all_branch_cuts",
        "schedule": crontab(minute="17", hour="3"),
    },
    # Just after the day a merge-by date names has ended everywhere near UTC.
    "Expire overdue FFEs (daily)": {
        "task": "blueprints.tasks.expire_ffes",
        "schedule": crontab(minute="15", hour="0"),
    },
    # The day's forecast rows of the series in progress, before the first dashboard of the day.
    "Compute the day's forecast rows (daily)": {
        "task": "blueprints.tasks.compute_forecast_days",
        "schedule": crontab(minute="5", hour="0"),
    },
    # In the morning for Europe, late evening the day before for the Americas.
    "Send deadline digests to squad leads (daily)": {
        "task": "notifications.tasks.send_deadline_digests",
        "schedule": crontab(minute="0", hour="7"),
    },
    # Blueprints of the projects in PLANNER_SYNC_PROJECTS, in their current series, from
    # Launchpad; then the Gerrit reviews behind them. Nothing when the setting is empty.
    "Sync blueprints from Launchpad (every 6 hours)": {
        "task": "blueprints.tasks.sync_launchpad_projects",
        "schedule": crontab(minute="40", hour="*/6"),
    },
    "Sync reviews from Gerrit (hourly)": {
        "task": "blueprints.tasks.sync_gerrit_projects",
        "schedule": crontab(minute="50"),
    },
}
# A write must not hang while Redis is down: fail fast, record the work, send it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The first class answers an unauthenticated request: the token scheme's WWW-Authenticate
    # makes it a 401 (the session scheme has no challenge, so first it would make a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # API bodies are JSON (pages post Django forms, not through DRF): one request media type
    # per operation in the schema, which generated clients need, and no cross-site form posts.
    # Nested deeper than 32 levels is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.StrictOrderingFilter",
    ],
    # limit at most 1000, offsets bounded; bad values are a 400 naming the parameter.
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # drf-spectacular's, plus the error answers and optional credentials (core.openapi).
    "DEFAULT_SCHEMA_CLASS": "core.openapi.PlannerAutoSchema",
    # Services raise Django's ValidationError/PermissionDenied: translated in one place.
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    # Rates are read per request, so tests can lower them with override_settings; the suite
    # itself runs with rates no test reaches.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    # The same client address as the login limiter (core.throttling.client_address).
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_THROTTLE_ANON", "100000/min" if TESTING else "300/min"),
        "user": os.environ.get("DJANGO_THROTTLE_USER", "100000/min" if TESTING else "1200/min"),
    },
}

# API tokens (django-rest-knox, ``Authorization: Token …``): obtained with a username and password
# at ``POST /api/v1/tokens/``, stored hashed, valid for DJANGO_API_TOKEN_TTL_DAYS (0: no expiry).
_token_ttl_days = float(os.environ.get("DJANGO_API_TOKEN_TTL_DAYS", "30"))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=_token_ttl_days) if _token_ttl_days > 0 else None,
    "AUTH_HEADER_PREFIX": "Token",
    # A user's live tokens (one per script or bot); expired ones do not count.
    "TOKEN_LIMIT_PER_USER": int(os.environ.get("DJANGO_API_TOKEN_LIMIT_PER_USER", "20")),
}

# Optimistic concurrency (core.etags): API writes must send If-Match (428 otherwise) when on.
# Off by default until every client sends it; a stale If-Match always answers 412.
API_REQUIRE_IF_MATCH = env_bool("DJANGO_API_REQUIRE_IF_MATCH", default=False)

SPECTACULAR_SETTINGS = {
    "TITLE": "Cycle planner API",
    "DESCRIPTION": (
        "Release cycles, milestones, branch cuts, squads, blueprints and FFEs. Reads are "
        "anonymous; writes need `Authorization: Token <token>` (POST /api/v1/tokens/) or a "
        "session. Lists are paginated (`limit`, `offset`). A query parameter naming something "
        "that does not exist answers 400 naming the parameter; a path naming it, 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags and operation ids from the path after the version ("blueprints_list"), so a
    # generated client's functions read as the resources they act on.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # 3.1: a nullable object is `oneOf: [<ref>, {type: null}]`, which validators and client
    # generators read as written; 3.0's `nullable` beside an `allOf` has no `type` to apply to.
    "OAS_VERSION": "3.1.0",
    # Separate request and response components: read-only fields are not asked of writers, and
    # write-only ones (a password) never appear in an answer.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.blank_strings_any_of",
        "core.openapi.nullable_as_null_type",
        "core.openapi.strings_without_nul",
    ],
    # Swagger UI from the drf-spectacular-sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Structured logs: one JSON object per line on stderr in production (DJANGO_LOG_FORMAT=json),
# readable lines in development; containers ship stderr to the log collector.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG or TESTING else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "planner.logfmt.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Webhooks reach public addresses only (notifications.egress). Loopback may be allowed for a
# receiver on the same machine (the tests' local HTTP servers); private, link-local and
# metadata addresses never are.
NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK = env_bool("PLANNER_WEBHOOK_ALLOW_LOOPBACK", default=False)

# The server's "today" (core.clock): unset in production (the real date); a demo of a past cycle
# fixes it (make run: PLANNER_TODAY=2017-01-12 for the Ocata demo).
_today = os.environ.get("PLANNER_TODAY", "").strip()
try:
    PLANNER_TODAY = date.fromisoformat(_today) if _today else None
except ValueError:
    raise ImproperlyConfigured(f"PLANNER_TODAY={_today!r} is not a YYYY-MM-DD date.") from None

# Where the planner looks for an openstack/releases checkout when none is given (make run).
RELEASES_DATA = os.environ.get("PLANNER_RELEASES_DATA", "")

# A tripleo-specs checkout: load_demo takes the Ocata blueprints from its specs when it is there
# (the specs are CC-BY 3.0 and not shipped with the project); empty: the hand-written facts.
# Unset: the shared snapshot beside the project, else where `make data` puts it.
_specs_default = BASE_DIR.parent / "shared" / "data" / "tripleo-specs"
if not _specs_default.is_dir() and (BASE_DIR / "var" / "tripleo-specs").is_dir():
    _specs_default = BASE_DIR / "var" / "tripleo-specs"
PLANNER_SPECS_DATA = os.environ.get("PLANNER_SPECS_DATA", str(_specs_default))

# --- Launchpad and Gerrit syncs (blueprints.launchpad_import, blueprints.gerrit_sync) ---------
# The devel web service: the 1.0 API serves no blueprint field (blueprints.launchpad.API_ROOT).
LAUNCHPAD_API_ROOT = os.environ.get("LAUNCHPAD_API_ROOT", "https://api.launchpad.net/devel/")
# The Gerrit whose REST API the review sync reads (blueprints.gerrit.GERRIT_URL).
GERRIT_URL = os.environ.get("GERRIT_URL", "https://review.opendev.org")
# Planner projects the periodic syncs keep in step (comma-separated names); empty: none.
PLANNER_SYNC_PROJECTS = [
    name.strip() for name in os.environ.get("PLANNER_SYNC_PROJECTS", "").split(",") if name.strip()
]
# Per request: seconds before a request times out, retries after a 5xx or a dropped connection.
PLANNER_SYNC_TIMEOUT = float(os.environ.get("PLANNER_SYNC_TIMEOUT", "20"))
PLANNER_SYNC_RETRIES = int(os.environ.get("PLANNER_SYNC_RETRIES", "3"))
