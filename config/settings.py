"""One env-driven settings module (CONTRACT section 2).

Every value comes from the environment (or a `.env` file beside manage.py). Typed helpers from django-environ
fail loudly on junk (`DEBUG=maybe` raises), and invariants that span several values live in `core.checks`.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# pytest >= 8.2 exports PYTEST_VERSION for the whole run; tests run queue tasks inline (Q_CLUSTER sync).
TESTING = "PYTEST_VERSION" in os.environ or env.bool("TESTING", default=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-secret-key-change-me"
    else:
        raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    # Before django_q: core's `qcluster` (which preloads the task code before the workers fork) replaces its own.
    "core",
    "django_q",
    "axes",
    "conversations",
    "agents",
    "orders",
    "integrations",
    "console",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from gunicorn in production (Dockerfile runs collectstatic); runserver serves them itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the language cookie), before common (URL handling may depend on the language).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes: last, so it sees the outcome of every login (docs: "AxesMiddleware should be the last").
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# --- Database: SQLite unless DATABASE_URL is set ---------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the web process and the worker write the same SQLite file during `make run`.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same engine, checking a reused connection only after it sat idle (core/db/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "core.db.postgresql"
        DATABASES["default"]["HEALTH_CHECK_IDLE"] = env.float("DB_HEALTH_CHECK_IDLE", default=5.0)
        # Parameters bound by the server, and a statement run 5 times on a connection prepared there: PostgreSQL
        # then skips parsing and planning the hot path's few dozen statements (a quarter of a turn's CPU across
        # all processes, bench/turns.py). Off for a pooler that cannot keep prepared statements (runbook, 11).
        if env.bool("DB_PREPARED_STATEMENTS", default=True):
            DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    if TESTING:
        # Test databases are thrown away: skip the fsync per commit (transactional tests commit and truncate a lot).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
# Services own their transactions: a request does not wrap them in one of its own.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, locks and broker: Redis when REDIS_URL is set, local memory and the ORM broker otherwise -------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_TIMEOUT": 2, "SOCKET_CONNECT_TIMEOUT": 2},
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="chatops"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chatops"}}

# django-q2. Explicit on purpose, so a library upgrade cannot change them (see shared/perf/BASELINE.md):
#  - timeout (60 s) below retry (90 s) so a slow task is killed before the broker hands it out again;
#  - max_attempts finite; our own tasks also retry with backoff and the DB sweepers re-drive stuck rows;
#  - save_limit=-1 keeps no success rows: the default 250 caps draining near 100 tasks/s. Failures are kept.
Q_CLUSTER = {
    "name": "chatops",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    "save_limit": -1,
    "ack_failures": True,
    "catch_up": False,
    "recycle": 500,
    "poll": 0.2,
    "log_level": "WARNING",
    "sync": TESTING or env.bool("Q_SYNC", default=False),
}
# Loaded by `manage.py qcluster` before it forks its workers, so a fresh or recycled worker starts warm instead of
# paying ≈ 2 s of CPU for imports and the router model on its first task ("module" or "module:function to call").
QCLUSTER_PRELOAD: list[str] = [
    "agents.tasks",
    "conversations.tasks",
    "conversations.tasks_ingest",
    "conversations.tasks_handoff",
    "orders.tasks",
    "agents.routing.model:intent_model",
]
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth, i18n, static --------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [] if (DEBUG or TESTING) else [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# The staff console speaks Chilean Spanish or English (CONTRACT section 2). LocaleMiddleware lets a staff member's
# choice (the language cookie set from the console) or their browser's Accept-Language win when it is one of
# these; anything else gets LANGUAGE_CODE. Our strings are English msgids with a Spanish catalog in locale/.
LANGUAGES = [("es-cl", "Español (Chile)"), ("en", "English")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="es-cl").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise environ.ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Santiago"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
LOGIN_URL = "/admin/login/"
# django-axes checks the lockout before the password, so it comes first.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# --- A console safe on the internet -------------------------------------------------------------------------------
# Production (DEBUG off, not a test run) gets secure cookies, HSTS and the HTTPS redirect by default; each one can be
# turned off from the environment. The deployment puts a TLS-terminating proxy in front (docs/runbook.md), which
# says "this was HTTPS" in X-Forwarded-Proto; set SECURE_PROXY_SSL_HEADER="" when the app is reached directly.
PRODUCTION = not (DEBUG or TESTING)


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """"X-Forwarded-Proto: https" → ("HTTP_X_FORWARDED_PROTO", "https"); "" → None (no proxy header trusted)."""
    if not value.strip():
        return None
    name, separator, expected = value.partition(":")
    if not separator or not name.strip() or not expected.strip():
        raise environ.ImproperlyConfigured(f'SECURE_PROXY_SSL_HEADER must look like "X-Forwarded-Proto: https", '
                                           f"not {value!r}")
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(
    env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto: https" if PRODUCTION else ""))
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Probed over plain HTTP from inside the network: the container health check and Prometheus.
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[r"^healthz$", r"^metrics$"])
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one address, that
# pair is refused (429, templates/admin/locked_out.html) for AXES_COOLOFF_MINUTES. Behind a proxy the address is
# the proxy's, so the lock is then per username. `manage.py axes_reset_username <name>` lifts one early.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}

# Webhook bodies over 1 MiB are refused with 413 (CONTRACT section 3).
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = WEBHOOK_MAX_BODY_BYTES + 1

# --- Chatwoot --------------------------------------------------------------------------------------------------
CHATWOOT_STANDIN_PORT = env.int("CHATWOOT_STANDIN_PORT", default=3001)
CHATWOOT_BASE_URL = env.str("CHATWOOT_BASE_URL", default="") or f"http://127.0.0.1:{CHATWOOT_STANDIN_PORT}"
CHATWOOT_USES_STANDIN = not env.str("CHATWOOT_BASE_URL", default="")
CHATWOOT_ACCOUNT_ID = env.int("CHATWOOT_ACCOUNT_ID", default=1)
CHATWOOT_API_TOKEN = env.str("CHATWOOT_API_TOKEN", default="standin-token")
CHATWOOT_WEBHOOK_SECRETS = env.list("CHATWOOT_WEBHOOK_SECRETS", default=[])
CHATWOOT_WEBHOOK_TOKEN = env.str("CHATWOOT_WEBHOOK_TOKEN", default="")
CHATWOOT_SIGNATURE_MAX_AGE = env.int("CHATWOOT_SIGNATURE_MAX_AGE", default=300)
CHATWOOT_TIMEOUT = env.float("CHATWOOT_TIMEOUT", default=10.0)
# Where the local stand-ins keep their state between runs (`<dir>/chatwoot.json`, `<dir>/odoo.json`), so a
# restarted `make run` or `make demo` continues Chatwoot's ids and Odoo's numbering instead of reusing them (our
# webhook dedupe would drop the new messages; our orders would clash with Odoo's new ones).
# Relative paths are beside manage.py; empty keeps the state in memory. Tests never touch a developer's state.
_STANDIN_STATE_DIR = env.str("STANDIN_STATE_DIR", default="" if TESTING else ".standin")
STANDIN_STATE_DIR: Path | None = BASE_DIR / _STANDIN_STATE_DIR if _STANDIN_STATE_DIR else None

# --- Odoo ------------------------------------------------------------------------------------------------------
ODOO_STANDIN_PORT = env.int("ODOO_STANDIN_PORT", default=8069)
ODOO_URL = env.str("ODOO_URL", default="") or f"http://127.0.0.1:{ODOO_STANDIN_PORT}"
ODOO_USES_STANDIN = not env.str("ODOO_URL", default="")
ODOO_DB = env.str("ODOO_DB", default="standin")
ODOO_USERNAME = env.str("ODOO_USERNAME", default="admin")
ODOO_PASSWORD = env.str("ODOO_PASSWORD", default="admin")
ODOO_PROTOCOL = env.str("ODOO_PROTOCOL", default="xmlrpc")
ODOO_TIMEOUT = env.float("ODOO_TIMEOUT", default=15.0)
ODOO_RETRY_ATTEMPTS = env.int("ODOO_RETRY_ATTEMPTS", default=3)
ODOO_RETRY_WAIT = env.float("ODOO_RETRY_WAIT", default=0.2)
ODOO_BREAKER_FAIL_MAX = env.int("ODOO_BREAKER_FAIL_MAX", default=5)
# The breaker (shared by all processes through the cache) opens after FAIL_MAX failures in a row and lets one trial
# call through RESET seconds later: that, not the commands' backoff, is what spares an Odoo that is down.
ODOO_BREAKER_RESET_SECONDS = env.int("ODOO_BREAKER_RESET_SECONDS", default=15)
# An order's Odoo commands (the outbox): backoff between attempts (never longer than the breaker's reset, so the
# commands run soon after Odoo is back), the wait before looking up a write whose outcome was unknown, and the
# lease one runner holds on an order (short, renewed by a heartbeat while it runs: a killed runner frees it soon).
ODOO_COMMAND_RETRY_BASE = env.float("ODOO_COMMAND_RETRY_BASE", default=2.0)
ODOO_COMMAND_RETRY_MAX = env.float("ODOO_COMMAND_RETRY_MAX", default=60.0)
ODOO_MAYBE_DONE_DELAY = env.float("ODOO_MAYBE_DONE_DELAY", default=3.0)
ODOO_COMMAND_LEASE_SECONDS = env.float("ODOO_COMMAND_LEASE_SECONDS", default=10.0)
# purchase: the contact is a supplier, orders are RFQs (purchase.order); sale: a customer, quotations (sale.order).
ODOO_ORDER_MODEL = env.str("ODOO_ORDER_MODEL", default="purchase")
if ODOO_ORDER_MODEL not in ("purchase", "sale"):
    raise environ.ImproperlyConfigured(f"ODOO_ORDER_MODEL={ODOO_ORDER_MODEL!r}: use 'purchase' or 'sale'")

# --- LLM -------------------------------------------------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TRANSCRIBE_MODEL = env.str("OPENAI_TRANSCRIBE_MODEL", default="gpt-4o-mini-transcribe")
# Per attempt, for calls made in the background (voice notes, photos and PDFs of purchase lists): reading a
# several-page PDF or a long note takes the model 10 s and more. A timeout is not retried.
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=20.0)
# The whole call, retries and their waits included, when a contact waits for the agent and the rules can answer
# instead (routing): a hanging LLM costs one turn this long, then the shared breaker stops everyone calling.
OPENAI_TURN_TIMEOUT = env.float("OPENAI_TURN_TIMEOUT", default=2.0)
OPENAI_MAX_ATTEMPTS = env.int("OPENAI_MAX_ATTEMPTS", default=3)
OPENAI_RETRY_MAX_WAIT = env.float("OPENAI_RETRY_MAX_WAIT", default=2.0)
# Shared by every process through the cache: this many failed calls in a row anywhere open it for that long.
OPENAI_BREAKER_FAIL_MAX = env.int("OPENAI_BREAKER_FAIL_MAX", default=5)
OPENAI_BREAKER_RESET_SECONDS = env.float("OPENAI_BREAKER_RESET_SECONDS", default=30.0)

# --- Attachments (voice notes, photos, PDFs) downloaded from Chatwoot's `data_url` -----------------------------
# Refuse URLs that resolve to private, loopback or link-local addresses (SSRF) unless this is on: on by default
# only for the local Chatwoot stand-in; a Chatwoot or storage on your own network needs it on explicitly.
MEDIA_ALLOW_PRIVATE_NETWORKS = env.bool("MEDIA_ALLOW_PRIVATE_NETWORKS", default=CHATWOOT_USES_STANDIN)
MEDIA_MAX_AUDIO_BYTES = env.int("MEDIA_MAX_AUDIO_BYTES", default=16 * 1024 * 1024)
MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=16 * 1024 * 1024)
MEDIA_MAX_PDF_BYTES = env.int("MEDIA_MAX_PDF_BYTES", default=20 * 1024 * 1024)
MEDIA_CONNECT_TIMEOUT = env.float("MEDIA_CONNECT_TIMEOUT", default=5.0)
MEDIA_READ_TIMEOUT = env.float("MEDIA_READ_TIMEOUT", default=10.0)
# The whole download, redirects included: a server dripping bytes under the read timeout still stops here. A
# download plus a background OpenAI call that times out (20 + 20 s) fit in one task under Q_CLUSTER["timeout"].
MEDIA_DOWNLOAD_TIMEOUT = env.float("MEDIA_DOWNLOAD_TIMEOUT", default=20.0)
MEDIA_MAX_REDIRECTS = env.int("MEDIA_MAX_REDIRECTS", default=5)

# --- Business rules --------------------------------------------------------------------------------------------
ORDER_APPROVAL_THRESHOLD = env.float("ORDER_APPROVAL_THRESHOLD", default=0.0)
ORDER_MAX_QUANTITY_PER_LINE = env.float("ORDER_MAX_QUANTITY_PER_LINE", default=10000.0)
ORDER_CURRENCY = env.str("ORDER_CURRENCY", default="CLP")
SLACK_WEBHOOK_URL = env.str("SLACK_WEBHOOK_URL", default="")
DRY_RUN = env.bool("DRY_RUN", default=False)
# Burst folding (agents.orchestration.burst): messages within AGENT_BURST_WINDOW seconds of each other are one
# turn. A complete-looking message is answered at once; one that reads unfinished ("una consulta", a trailing
# "y") waits up to the window for the rest, a bare greeting up to AGENT_GREETING_WAIT. No worker sleeps meanwhile.
AGENT_BURST_WINDOW = env.float("AGENT_BURST_WINDOW", default=0.0 if TESTING else 1.0)
AGENT_GREETING_WAIT = env.float("AGENT_GREETING_WAIT", default=0.0 if TESTING else 0.3)
AGENT_TURN_ATTEMPTS = env.int("AGENT_TURN_ATTEMPTS", default=3)
AGENT_TURN_BACKOFF = env.float("AGENT_TURN_BACKOFF", default=0.2)
# The conversation's lease is renewed by a heartbeat while its turn runs: a short TTL frees it soon after a worker dies.
AGENT_TURN_LOCK_TTL = env.float("AGENT_TURN_LOCK_TTL", default=10.0)
# A task that finds the conversation's lease taken waits at most this long, then leaves its message to the holder
# (which looks again after it lets go): a worker never sits waiting on another's turn.
AGENT_LOCK_WAIT = env.float("AGENT_LOCK_WAIT", default=0.1)
AGENT_MAX_TURNS_PER_RUN = env.int("AGENT_MAX_TURNS_PER_RUN", default=100)
# Unanswered messages with no turn running for this long are re-driven (the worker died, or the broker lost the
# task); the fast sweeps run every TICKER_INTERVAL seconds in each worker process (core.ticker), 0 turns them off.
AGENT_SWEEP_AFTER = env.float("AGENT_SWEEP_AFTER", default=5.0)
TICKER_INTERVAL = env.float("TICKER_INTERVAL", default=0.0 if TESTING else 5.0)
# FAQs and the catalog are read by every turn and edited rarely: each process reuses them this many seconds.
HOT_READ_TTL = env.float("HOT_READ_TTL", default=0.0 if TESTING else 5.0)
# Outbound sending: backoff between attempts, attempt budget, and when the sweeper considers a row stuck.
OUTBOUND_RETRY_BASE = env.float("OUTBOUND_RETRY_BASE", default=2.0)
OUTBOUND_RETRY_MAX = env.float("OUTBOUND_RETRY_MAX", default=300.0)
OUTBOUND_MAX_ATTEMPTS = env.int("OUTBOUND_MAX_ATTEMPTS", default=6)
OUTBOUND_AMBIGUOUS_RETRY_DELAY = env.float("OUTBOUND_AMBIGUOUS_RETRY_DELAY", default=10.0)
# Backoffs up to this long are waited out in the worker; longer ones go to the sweeper, so a Chatwoot outage
# cannot park every worker (with 2 workers, 15 s waits would stall all agent turns).
OUTBOUND_INLINE_WAIT_MAX = env.float("OUTBOUND_INLINE_WAIT_MAX", default=2.0)
OUTBOUND_QUEUED_GRACE = env.float("OUTBOUND_QUEUED_GRACE", default=5.0)
# A POST never takes longer than CHATWOOT_TIMEOUT: a row `sending` for longer lost its worker.
OUTBOUND_SENDING_TIMEOUT = env.float("OUTBOUND_SENDING_TIMEOUT", default=20.0)
CHATWOOT_MIRROR_ATTEMPTS = env.int("CHATWOOT_MIRROR_ATTEMPTS", default=4)
CHATWOOT_MIRROR_BACKOFF = env.float("CHATWOOT_MIRROR_BACKOFF", default=0.5)
SESSION_IDLE_RESET_HOURS = env.int("SESSION_IDLE_RESET_HOURS", default=24)
BUSINESS_NAME = env.str("BUSINESS_NAME", default="Distribuidora Andes")
BUSINESS_HOURS = env.json("BUSINESS_HOURS", default={
    "mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
    "thu": ["09:00", "18:00"], "fri": ["09:00", "17:00"], "sat": ["10:00", "14:00"], "sun": None,
})
BUSINESS_HOLIDAYS = env.list("BUSINESS_HOLIDAYS", default=[
    "2026-01-01", "2026-04-03", "2026-05-01", "2026-05-21", "2026-06-21", "2026-09-18", "2026-09-19",
    "2026-12-08", "2026-12-25", "2027-01-01",
])

# --- Operations: Slack delivery and data retention (docs/runbook.md) -------------------------------------
# Slack: attempts x timeout + backoff stays under Q_CLUSTER["timeout"] so the task is never killed mid-retry.
SLACK_TIMEOUT = env.float("SLACK_TIMEOUT", default=5.0)
SLACK_MAX_ATTEMPTS = env.int("SLACK_MAX_ATTEMPTS", default=4)
SLACK_RETRY_WAIT_SECONDS = env.float("SLACK_RETRY_WAIT_SECONDS", default=1.0)
# Ages (days) after which `manage.py retention` redacts or deletes personal data; orders and audit rows are kept.
RETENTION_MESSAGE_DAYS = env.int("RETENTION_MESSAGE_DAYS", default=180)
RETENTION_WEBHOOK_DAYS = env.int("RETENTION_WEBHOOK_DAYS", default=30)
RETENTION_LLM_LOG_DAYS = env.int("RETENTION_LLM_LOG_DAYS", default=30)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
RETENTION_DAYS = {"messages": RETENTION_MESSAGE_DAYS, "webhooks": RETENTION_WEBHOOK_DAYS,
                  "llm_logs": RETENTION_LLM_LOG_DAYS}

# --- Handoff console: minutes; 0 turns the behaviour off ----------------------------------------------
# Human mode with no staff reply for this long goes back to the bot (audited as actor "system").
HANDOFF_AUTO_RETURN_MINUTES = env.int("HANDOFF_AUTO_RETURN_MINUTES", default=240)
# Waiting for a human (nobody took it, nobody replied) this long raises one notice: Slack, log line, the list.
HANDOFF_WAIT_ALERT_MINUTES = env.int("HANDOFF_WAIT_ALERT_MINUTES", default=15)

# --- Logging: JSON lines, phone numbers and e-mail addresses masked ----------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "core.logging.MaskPIIFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "ts", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "formatter": "json",
            "filters": ["mask_pii"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING" if TESTING else LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": "WARNING"},  # django-q2 logs as "django-q"; INFO would log every enqueue
        "httpx": {"level": "WARNING"},
        # odoo-client-lib logs each RPC's arguments at DEBUG, the login password or API key among them.
        "odoolib": {"level": "WARNING"},
        # Its start-up banner would open the output of every manage.py command; lockouts still log (axes.handlers).
        "axes.apps": {"level": "WARNING"},
    },
}

# Offline router (agents/routing): the trained intent model's artifact (`manage.py train_router` writes it; a missing
# or stale one is rebuilt on first use), and the confidence below which the agent should ask "¿quieres decir A o B?"
# (0.94, chosen on the half of the second validation set nobody analysed: 89% of its misses score below it, 16% of
# its hits do; the confidence is the trained model's probability for the chosen intent).
ROUTER_MODEL_PATH = Path(env.str("ROUTER_MODEL_PATH", default=str(BASE_DIR / "artifacts" / "router_model.joblib")))
ROUTER_CLARIFY_BELOW = env.float("ROUTER_CLARIFY_BELOW", default=0.94)
