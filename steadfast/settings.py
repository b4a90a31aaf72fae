"""All configuration comes from environment variables (see docs/configuration.md).

Defaults run the demo shop: SQLite, local cache, SqliteHuey, fake providers on loopback.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from steadfast.conf.background import background
from steadfast.conf.database import databases
from steadfast.env import (
    country_time_zone,
    env_bool,
    env_country,
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
    "steadfast.accounting",
    "steadfast.status",
    "steadfast.storefront",
    "steadfast.api",
    "steadfast.heartbeat",
    "steadfast.waitroom",
    "steadfast.synthetic",
    "steadfast.oncall",
    "steadfast.fakes",
]

MIDDLEWARE = [
    # Outermost: counts every response, 500s included, for the "website error rate high" status policy.
    "steadfast.status.traffic.ResponseCounterMiddleware",
    # Before sessions and users: a node without its database steps aside or serves what it can (docs/production.md).
    "steadfast.status.readiness.NodeReadinessMiddleware",
    "steadfast.waitroom.middleware.InFlightMiddleware",
    "steadfast.replica.ReplicaMiddleware",  # which requests may read the replica (when DATABASE_REPLICA_URL is set)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Shop mode, banner and catalog version in one cache read per page (storefront/hotkeys.py); after the language.
    "steadfast.storefront.hotkeys.HotKeysMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # New visitors queue while the shop is over capacity; carts, checkout and staff never (docs/production.md).
    "steadfast.waitroom.middleware.WaitingRoomMiddleware",
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

# --- Database (steadfast/conf/database.py) ---------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", "", schemes=("postgres", "postgresql", "sqlite"))
DATABASES = databases(DATABASE_URL, DATA_DIR)
DATABASE_ROUTERS = ["steadfast.replica.ReplicaRouter"]  # without a replica every query goes to "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, background work (steadfast/conf/background.py) -----------------------------
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
_background = background(REDIS_URL, DATA_DIR)
CACHES, HUEY = _background["CACHES"], _background["HUEY"]
SESSION_ENGINE, SESSION_CACHE_ALIAS = _background["SESSION_ENGINE"], _background["SESSION_CACHE_ALIAS"]
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # only read by django-redis, i.e. with REDIS_URL
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

from steadfast.conf.abuse import *  # noqa: E402,F401,F403
from steadfast.conf.accounting import *  # noqa: E402,F401,F403
from steadfast.conf.adapters import *  # noqa: E402,F401,F403
from steadfast.conf.breaker import *  # noqa: E402,F401,F403
from steadfast.conf.monitoring import *  # noqa: E402,F401,F403
from steadfast.conf.nodes import *  # noqa: E402,F401,F403
from steadfast.conf.oncall import *  # noqa: E402,F401,F403
from steadfast.conf.outbox import *  # noqa: E402,F401,F403
from steadfast.conf.payments import *  # noqa: E402,F401,F403
from steadfast.conf.shipping import *  # noqa: E402,F401,F403
from steadfast.conf.shop import *  # noqa: E402,F401,F403
