"""All configuration comes from environment variables (see docs/configuration.md).

Defaults run the demo shop: SQLite, local cache, SqliteHuey, fake providers on loopback.
"""

from email.headerregistry import Address
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from steadfast.cacheconf import redis_caches
from steadfast.env import (
    country_time_zone,
    env_bool,
    env_country,
    env_decimal,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_time_zone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("STEADFAST_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# A shop reachable only on this machine is the demo; anything else is production and must be configured.
LOOPBACK_ONLY = all(host in ("127.0.0.1", "localhost", "[::1]", "::1") for host in ALLOWED_HOSTS)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOOPBACK_ONLY:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is required when ALLOWED_HOSTS names a public host."
        )
    SECRET_KEY = "insecure-demo-key-only-for-loopback-set-SECRET_KEY-in-production"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    # Serves the API docs page (Swagger UI) from its own static files instead of a CDN.
    "ninja",
    "steadfast.catalog",
    "steadfast.cart",
    "steadfast.checkout",
    "steadfast.orders",
    "steadfast.accounts",
    "steadfast.providers",
    "steadfast.payments",
    "steadfast.shipping",
    "steadfast.notify",
    "steadfast.status",
    "steadfast.storefront",
    "steadfast.api",
    "steadfast.heartbeat",
    "steadfast.fakes",
]

MIDDLEWARE = [
    # Outermost: counts every response, 500s included, for the "website error rate high" status policy.
    "steadfast.status.traffic.ResponseCounterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "steadfast.status.middleware.ShopModeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a blocked @ratelimit into the friendly 429 page (RATELIMIT_VIEW) instead of a bare 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "steadfast.urls"
WSGI_APPLICATION = "steadfast.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "steadfast" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "steadfast.storefront.context.shop",
                "steadfast.status.context.status",
            ],
            "builtins": ["steadfast.storefront.templatetags.shop_time"],  # |shop_datetime on every page and e-mail
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", "", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, 0))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "steadfast.sqlite3",
            # WAL lets the web server and the Huey worker read while the other writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Separate test database names let several test runs share one PostgreSQL server.
if env_str("DATABASE_TEST_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, background work ----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL, env_str("CACHE_KEY_PREFIX", "steadfast"))
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions read from Redis and survive in the database; Django logs and skips cache failures for this backend.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "lenient"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "steadfast"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, 1), "worker_type": "thread"},
    }
else:
    # A database cache is shared by every process (web and worker), which rate limits need.
    # MAX_ENTRIES well above the default 300: culling would evict live breaker state along with rate-limit keys.
    _db_cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "steadfast_cache",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    }
    CACHES = {"default": _db_cache, "lenient": _db_cache}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "steadfast",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        # Two threads: a long job (reconciliation while a gateway hangs) runs beside the other periodic ones
        # (probes, outbox sweep) instead of delaying them.
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, 1), "worker_type": "thread"},
    }
HUEY["immediate"] = env_bool("HUEY_IMMEDIATE", False)
# A worker killed (kill -9, OOM) inside a lock_task keeps the lock forever and the job never runs again; the jobs
# behind those locks (reconciliation, sweeps) are idempotent, so a starting worker clears stale locks.
HUEY["consumer"]["flush_locks"] = env_bool("HUEY_FLUSH_LOCKS", True)
# How long a worker owns an outbox message it is delivering; after a crash the sweep retries it once this passes.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120, 1)
# Outbox retries (notify/outbox.py): backoff from OUTBOX_RETRY_SECONDS doubling up to OUTBOX_RETRY_MAX_SECONDS, with
# jitter; dead letter after OUTBOX_MAX_ATTEMPTS failed runs or OUTBOX_MAX_AGE_HOURS; a channel failing temporarily
# is tried OUTBOX_CHANNEL_TRIES runs before the fallback chain moves on. Staff are alerted when dead letters appear
# or OUTBOX_BACKLOG_ALERT messages have waited longer than OUTBOX_BACKLOG_MINUTES.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30, 1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600, 1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, 1)
OUTBOX_MAX_AGE_HOURS = env_int("OUTBOX_MAX_AGE_HOURS", 48, 1)
OUTBOX_CHANNEL_TRIES = env_int("OUTBOX_CHANNEL_TRIES", 2, 1)
OUTBOX_BACKLOG_MINUTES = env_int("OUTBOX_BACKLOG_MINUTES", 10, 1)
OUTBOX_BACKLOG_ALERT = env_int("OUTBOX_BACKLOG_ALERT", 50, 1)
if not DATABASE_URL or not REDIS_URL:
    # SQLite files (database, Huey queue) need their folder to exist, and a fresh checkout has no var/.
    DATA_DIR.mkdir(parents=True, exist_ok=True)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:orders"
LOGOUT_REDIRECT_URL = "storefront:home"

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en", choices=("en", "pl", "ru"))
LANGUAGES = [("en", _("English")), ("pl", _("Polski")), ("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "steadfast" / "locale"]
# The shop's country (ISO 3166-1 alpha-2) gives the default time zone. Every time a shopper or staff member sees is
# in the shop's zone, with the zone named (templates: |shop_datetime); SHOP_TIME_ZONE (or TIME_ZONE) overrides it.
SHOP_COUNTRY = env_country("SHOP_COUNTRY", "PL")
TIME_ZONE = env_time_zone(("SHOP_TIME_ZONE", "TIME_ZONE"), None) or country_time_zone(
    SHOP_COUNTRY, "SHOP_COUNTRY", "SHOP_TIME_ZONE"
)
# One date format per language (steadfast/formats/<lang>/formats.py): "30 Nov 2026, 17:56" in English, not US-style.
FORMAT_MODULE_PATH = ["steadfast.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", LOOPBACK_ONLY)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security: strict whenever the shop is served over HTTPS (SITE_URL=https://...) --------------
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", HTTPS) else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, 1, 65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# --- The shop -------------------------------------------------------------------------------------
SHOP_NAME = env_str("SHOP_NAME", "Steadfast Outfitters")
SHOP_CURRENCY = env_str("SHOP_CURRENCY", "EUR")
if len(SHOP_CURRENCY) != 3 or not SHOP_CURRENCY.isalpha() or not SHOP_CURRENCY.isupper():
    raise ImproperlyConfigured(
        f"Environment variable SHOP_CURRENCY={SHOP_CURRENCY!r} is invalid: expected an ISO 4217 code such as EUR."
    )
SHOP_PHONE = env_str("SHOP_PHONE", "+48 22 100 20 30")
SHOP_EMAIL = env_str("SHOP_EMAIL", "hello@steadfast.example")
# Customer e-mails come from the shop (its name and address) and a reply reaches the shop, unless set otherwise.
try:
    SHOP_SENDER = str(Address(display_name=SHOP_NAME, addr_spec=SHOP_EMAIL))  # quoted as needed, never encoded
except ValueError:  # email.errors.InvalidHeaderDefect
    raise ImproperlyConfigured(
        f"Environment variable SHOP_EMAIL={SHOP_EMAIL!r} is invalid: expected an e-mail address."
    ) from None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", SHOP_SENDER)
EMAIL_REPLY_TO = env_str("EMAIL_REPLY_TO", SHOP_EMAIL)
SHOP_BANK_ACCOUNT = env_str("SHOP_BANK_ACCOUNT", "PL61 1090 1014 0000 0712 1981 2874")
# Who gets provider outage alerts; empty means every active superuser with an e-mail address.
STAFF_ALERT_EMAILS = env_list("STAFF_ALERT_EMAILS")
# The staff chain's other addresses: on-call phones for SMS, the staff Telegram group's chat id.
STAFF_ALERT_PHONES = env_list("STAFF_ALERT_PHONES")
STAFF_ALERT_TELEGRAM_CHAT = env_str("STAFF_ALERT_TELEGRAM_CHAT", "")
SHOP_LOW_STOCK = env_int("SHOP_LOW_STOCK", 3, 0)
SHOP_FREE_DELIVERY_OVER = env_decimal("SHOP_FREE_DELIVERY_OVER", "0")
# Delivery (docs/delivery.md): carriers are asked for prices in parallel within one deadline (seconds).
SHIPPING_QUOTE_DEADLINE = env_float("SHIPPING_QUOTE_DEADLINE", 2, 0.1, 30)
SHIPPING_QUOTE_TTL = env_int("SHIPPING_QUOTE_TTL", 1800, 60)  # seconds a live price shown stays valid
SHIPPING_DEFAULT_PARCEL_GRAMS = env_int("SHIPPING_DEFAULT_PARCEL_GRAMS", 1000, 1)
SHIPPING_RETRY_SECONDS = env_int("SHIPPING_RETRY_SECONDS", 60, 1)  # first retry of a shipment; doubles up to 1 h
SHIPPING_TRACK_SECONDS = env_int("SHIPPING_TRACK_SECONDS", 1800, 60)  # carrier status polls of a shipment
# Unpaid orders hold stock this long before the reservation expires.
RESERVATION_MINUTES = env_int("RESERVATION_MINUTES", 30, 1)
BANK_TRANSFER_DAYS = env_int("BANK_TRANSFER_DAYS", 5, 1)
# A payment link staff create for a phone order (/pay/<token>/) works this long.
PAYMENT_LINK_HOURS = env_int("PAYMENT_LINK_HOURS", 72, 1)
# The customer's payment step (start at the gateway + replays of a lost answer) ends within this many seconds;
# each send to the gateway waits at most its config "start_timeout" (default 5 s). See docs/payments.md.
PAYMENT_STEP_BUDGET = env_int("PAYMENT_STEP_BUDGET", 8, 2)
# One reconciliation run stops starting new status queries after this many seconds (the rest go next minute).
PAYMENT_RECONCILE_BUDGET = env_int("PAYMENT_RECONCILE_BUDGET", 20, 5)
# When a payment gateway recovers, e-mail customers whose payment failed on it a "complete your payment" link.
PAYMENT_RECOVERY_EMAILS = env_bool("PAYMENT_RECOVERY_EMAILS", True)
RATELIMIT_LOGIN = env_str("RATELIMIT_LOGIN", "10/m")
RATELIMIT_PLACE_ORDER = env_str("RATELIMIT_PLACE_ORDER", "20/m")
# Guest order lookups and e-mail confirmation re-sends (each sends an e-mail), per IP / per account.
RATELIMIT_ORDER_LOOKUP = env_str("RATELIMIT_ORDER_LOOKUP", "5/m")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "steadfast.storefront.views.rate_limited"
# A cache outage must not stop checkout: without the counters, requests are let through (and logged by Django).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_USE_CACHE = "lenient"

# Circuit breaker per provider (providers/breaker.py): opens on >= BREAKER_MIN_CALLS calls with
# >= BREAKER_FAILURE_PERCENT % failures within BREAKER_WINDOW seconds, or BREAKER_CONSECUTIVE failures in a row;
# after BREAKER_COOLDOWN seconds the probe makes one trial call (a provider's config "cooldown" overrides it).
BREAKER_WINDOW = env_int("BREAKER_WINDOW", 30, 5)
BREAKER_MIN_CALLS = env_int("BREAKER_MIN_CALLS", 5, 1)
BREAKER_FAILURE_PERCENT = env_int("BREAKER_FAILURE_PERCENT", 50, 1, 100)
BREAKER_CONSECUTIVE = env_int("BREAKER_CONSECUTIVE", 3, 1)
BREAKER_COOLDOWN = env_int("BREAKER_COOLDOWN", 30, 1)
# Probes (providers/probes.py): every PROBE_INTERVAL s while healthy, every PROBE_RETRY_SECONDS while the last
# call failed, the trial as soon as the cool-down is over; a probe waits at most PROBE_READ_TIMEOUT s for an answer.
PROBE_INTERVAL = env_int("PROBE_INTERVAL", 30, 1)
PROBE_RETRY_SECONDS = env_int("PROBE_RETRY_SECONDS", 5, 1)
PROBE_READ_TIMEOUT = env_int("PROBE_READ_TIMEOUT", 5, 1)
# Staff alerts (providers/alerting.py): one when a provider goes out, reminders after STAFF_ALERT_REMINDER_SECONDS,
# then twice as long each time (at most a day), one when it is back; background calls (refunds, status queries)
# alert after STAFF_ALERT_BACKGROUND_FAILURES failures in a row.
STAFF_ALERT_REMINDER_SECONDS = env_int("STAFF_ALERT_REMINDER_SECONDS", 900, 1)
STAFF_ALERT_BACKGROUND_FAILURES = env_int("STAFF_ALERT_BACKGROUND_FAILURES", 3, 1)

# A provider whose breaker stays open this long gets a public incident (0: as soon as it opens; status/incidents.py).
INCIDENT_AFTER_SECONDS = env_int("INCIDENT_AFTER_SECONDS", 0, 0)
# How often each web process adds its response counts to the shared cache (status/traffic.py).
STATUS_TRAFFIC_FLUSH_SECONDS = env_int("STATUS_TRAFFIC_FLUSH_SECONDS", 5, 0)
# Where the worker and `status export` check that the website answers (GET /healthz); the web process itself,
# not the public name, so a fallback copy served by the proxy is not mistaken for the shop (status/origin.py).
STATUS_ORIGIN_URL = env_url("STATUS_ORIGIN_URL", SITE_URL, schemes=("http", "https"))
# The off-host watcher's key to /api/v1/lifeboat (export + order requests; api/lifeboat.py). Empty: endpoints off.
LIFEBOAT_TOKEN = env_str("LIFEBOAT_TOKEN", "")
if LIFEBOAT_TOKEN and len(LIFEBOAT_TOKEN) < 24:
    raise ImproperlyConfigured("Environment variable LIFEBOAT_TOKEN is invalid: expected at least 24 characters.")
# A worker/scheduler heartbeat older than this shows as missing on /readyz (heartbeat/beats.py; they beat each minute).
HEARTBEAT_STALE_SECONDS = env_int("HEARTBEAT_STALE_SECONDS", 180, 60)

STEADFAST_ADAPTERS = {
    "cash_on_delivery": "steadfast.payments.gateways.offline.CashOnDelivery",
    "bank_transfer": "steadfast.payments.gateways.offline.BankTransfer",
    "pay_at_pickup": "steadfast.payments.gateways.offline.PayAtPickup",
    "stripe": "steadfast.payments.gateways.stripe.StripeGateway",
    "paypal": "steadfast.payments.gateways.paypal.PayPalGateway",
    "yookassa": "steadfast.payments.gateways.yookassa.YooKassaGateway",
    "email": "steadfast.notify.channels.email.EmailChannel",
    "telegram": "steadfast.notify.channels.telegram.TelegramChannel",
    "smsru": "steadfast.notify.channels.smsru.SmsRuChannel",
    "twilio": "steadfast.notify.channels.twilio.TwilioChannel",
    "apprise": "steadfast.notify.channels.apprise.AppriseChannel",
    "cdek": "steadfast.shipping.carriers.cdek.CdekCarrier",
    "inpost": "steadfast.shipping.carriers.inpost.InPostCarrier",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    # httpx logs every request URL at INFO; provider URLs may carry identifiers that do not belong in logs.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "httpx": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},  # the SDK logs every request URL at INFO, like httpx
        # run_huey adds a handler of its own unless the "huey" logger has one: this one keeps each line single.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}

# === Abuse resistance (issue 10; steadfast/security, docs/security.md) ==========================================
INSTALLED_APPS += ["axes", "steadfast.security"]
# Proxies whose X-Forwarded-For is believed (addresses or CIDR networks); the customer's address is the first hop,
# read from the right, that is not one of them (security/clientip.py). Loopback covers nginx on the same machine.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
RATELIMIT_IP_META_KEY = "steadfast.security.clientip.client_address"
LOGGING["filters"] = {"client": {"()": "steadfast.security.clientip.ClientAddressFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["client"]
LOGGING["formatters"]["plain"]["format"] = "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"

# Login lockout (django-axes) for the admin and customer logins: per account and per address, staff alerted.
AUTHENTICATION_BACKENDS = ["steadfast.security.backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, 1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, 1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "steadfast.security.clientip.client_address"
AXES_USERNAME_CALLABLE = "steadfast.security.logins.login_username"
AXES_LOCKOUT_CALLABLE = "steadfast.security.logins.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
RATELIMIT_PASSWORD_RESET_EMAIL = env_str("RATELIMIT_PASSWORD_RESET_EMAIL", "3/h")
RATELIMIT_PASSWORD_RESET_IP = env_str("RATELIMIT_PASSWORD_RESET_IP", "10/h")
RATELIMIT_SIGNUP = env_str("RATELIMIT_SIGNUP", "5/h")

# Stock hoarding (checkout/limits.py): limits for customers who have not verified an e-mail (guests).
ORDER_MAX_LINES = env_int("ORDER_MAX_LINES", 50, 1)
ORDER_MAX_QUANTITY_PER_LINE = env_int("ORDER_MAX_QUANTITY_PER_LINE", 10, 1)
ORDER_MAX_VALUE_UNVERIFIED = env_decimal("ORDER_MAX_VALUE_UNVERIFIED", "2000")  # 0: no limit
ORDER_MAX_OPEN_UNPAID = env_int("ORDER_MAX_OPEN_UNPAID", 3, 1)
# A guest's cash-on-delivery or bank-transfer order holds stock this long unless confirmed (e-mail link or staff).
OFFLINE_CONFIRM_MINUTES = env_int("OFFLINE_CONFIRM_MINUTES", 120, 0)
RESERVATION_ALERT_UNITS = env_int("RESERVATION_ALERT_UNITS", 20, 1)
# Webhook deliveries per provider and source address (payments/webhook_guard.py).
RATELIMIT_WEBHOOK = env_str("RATELIMIT_WEBHOOK", "120/m")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                  "steadfast.security.nullbytes.NullByteMiddleware")

# Content-Security-Policy (django-csp): no inline code except <script>/<style> blocks carrying this response's nonce
# ({{ request.csp_nonce }}); styles and handlers live in static files.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

from steadfast.security.csp import inline_style_hashes  # noqa: E402

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, *inline_style_hashes(BASE_DIR / "steadfast/status/templates/status/_style.html")],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
