"""Settings. Everything that differs between machines comes from the environment, here and only here."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from quizsite.environment import BASE_DIR, var_dir
from worker.catalog import SHIPPED_ENCODER, SHIPPED_LM

VAR_DIR = var_dir()  # created by the entry points (quizsite/environment.py), never here


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")


# manage.py, wsgi, asgi and the Celery app fill it from var/secret_key when the environment has none.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set: set it in the environment, or start through manage.py.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "quiz",  # owns the migration history of the tables below; no models of its own
    "quiz.bank",
    "quiz.study",
    "quiz.exams",
    "quiz.exercises",
    "demos",
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
    "django_htmx.middleware.HtmxMiddleware",
]

AUTHENTICATION_BACKENDS = ["quiz.study.auth_backends.StudyUserBackend"]  # ModelBackend + study settings in one query
ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"
ASGI_APPLICATION = "quizsite.asgi.application"

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
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in CI and compose).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and worker write the same file: wait for locks instead of failing, WAL for concurrent reads.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a worker process started by the tests sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}
else:
    # Per process, so two test runs on one machine never drop each other's database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Celery: the filesystem broker under var/ unless CELERY_BROKER_URL (or REDIS_URL) names a server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = (
    os.environ.get("CELERY_RESULT_BACKEND") or REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
)
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default: most of a short task's wait (a coding exercise's whole
        # run is ~30 ms in the sandbox); ten listings of a small folder a second cost nothing
        "polling_interval": 0.1,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's task is requeued (tasks are idempotent)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "150"))
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "200"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Demo models: the shipped small models unless a hub id or a local path is named.
DEMO_LM = os.environ.get("DEMO_LM", SHIPPED_LM)
DEMO_ENCODER = os.environ.get("DEMO_ENCODER", SHIPPED_ENCODER)
DEMO_DEVICE = os.environ.get("DEMO_DEVICE", "")  # "" = cuda when present, else cpu
DEMO_TORCH_THREADS = int(os.environ.get("DEMO_TORCH_THREADS", "0"))  # 0 = torch's default (one per core)
# CPU decoding comparisons multiply through oneDNN-packed weights (worker/packed_linear.py): faster, ~1x the LM's
# fp32 weights in extra memory once per worker process. Off for a big model on a small machine.
DEMO_CPU_PREPACK = env_bool("DEMO_CPU_PREPACK", True)
MODEL_CACHE_DIR = Path(os.environ.get("MODEL_CACHE_DIR", VAR_DIR / "models"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ================================================================================================================
# Security and TLS. Production values come from the environment (README, "Deploying behind TLS"); the defaults
# suit a laptop (plain http on localhost).
# ================================================================================================================
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["axes"]
MIDDLEWARE.insert(1, "quizsite.db_unavailable.DatabaseUnavailableMiddleware")  # a 503 page when the database is down
MIDDLEWARE.insert(2, "csp.middleware.CSPMiddleware")
# Before sessions and CSRF: a request with NUL bytes or out-of-range numbers is refused before anything reads it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "quizsite.input_policy.InputPolicyMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires

# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto (set SECURE_PROXY_SSL_HEADER=1 only when the proxy
# overwrites that header on every request; otherwise a client could claim https).
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header.lower() in {"1", "true", "yes", "on"}:
    _proxy_header = "X-Forwarded-Proto"
if _proxy_header and _proxy_header.lower() not in {"0", "false", "no", "off"}:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container healthcheck speaks plain http to the app itself
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
DB_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("DB_UNAVAILABLE_RETRY_AFTER", "30"))  # seconds, on the 503 page

# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline script anywhere.
# Inline style *attributes* stay allowed (a bar width in a chart); they cannot run code or read the page. A script
# that must insert a style element (a code editor's theme) gives it the page's nonce (<meta name="csp-nonce">).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttle (django-axes): per account and, separately, per client address; the page says how long to wait.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_COOLOFF_SECONDS", "300")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "quizsite.throttle.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "quizsite.throttle.client_ip"
AXES_VERBOSE = False
SIGNUP_LIMIT_PER_HOUR = int(os.environ.get("SIGNUP_LIMIT_PER_HOUR", "10"))  # per client address
AUTH_PASSWORD_VALIDATORS += [{"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"}]

# Counters of the throttles: shared by every web process through Redis when there is one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))  # proxies that append to X-Forwarded-For
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}  # one line per login otherwise

# --- Capacity: queues by resource, broker timeouts, fair share, time limits (quizsite/routing.py, quizsite/capacity.py)
from quizsite.routing import QUEUE_DEMOS, route_task  # noqa: E402

CELERY_TASK_DEFAULT_QUEUE = QUEUE_DEMOS
CELERY_TASK_ROUTES = (route_task,)  # the one table of routes: quizsite/routing.py
# A web request that queues work must not wait on a broker that is away: one short connect, no retry loop, so the
# page says so within a second (quizsite/queueing.py); the sweep (quizsite/capacity.py) re-sends what was missed.
BROKER_CONNECT_TIMEOUT = float(os.environ.get("BROKER_CONNECT_TIMEOUT", "0.5"))
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 5
# max_retries: kombu's connect loop on publish (its default: 3 tries over ~2 s); 0 = one try, so a broker that does
# not answer costs a request BROKER_CONNECT_TIMEOUT at most. The worker's own reconnects are Celery's, unchanged.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
    "socket_timeout": 5,
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
elif CELERY_BROKER_URL.startswith("filesystem://"):
    # the filesystem broker polls its folder (kombu's default: every second): a click waits for that poll, and so
    # does the next run after a cancel. A listing every 0.2 s costs nothing measurable.
    CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("polling_interval", 0.2)
if CELERY_RESULT_BACKEND.startswith(("redis://", "rediss://")):
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "timeout": 1}}
CELERY_TASK_IGNORE_RESULT = True  # results live on the rows; nothing waits on the result backend
# Fair share: heavy jobs (demo runs, gradings, typed-answer gradings, exercise runs) per user in flight at once, and
# for everyone together.
CAPACITY_USER_JOBS = int(os.environ.get("CAPACITY_USER_JOBS", "3"))
CAPACITY_GLOBAL_JOBS = int(os.environ.get("CAPACITY_GLOBAL_JOBS", "60"))
CAPACITY_SWEEP_SECONDS = int(os.environ.get("CAPACITY_SWEEP_SECONDS", "10"))
