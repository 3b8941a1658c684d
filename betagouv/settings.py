"""The one settings module, driven by environment variables (each listed in the README).

Development works straight after a clone (SQLite, local-memory cache); production fails fast
when a required variable is missing instead of running with an unsafe default.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Test runs (pytest) get the same settings as production, except for the secret, the hosts and
# HTTPS, which they cannot have.
TESTING = "pytest" in sys.modules


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable; anything but 1/0, true/false, yes/no, on/off is an error."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-key-for-development-and-tests-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG or TESTING else [],
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "betagouv.apps.SiteStaticFilesConfig",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "template_partials",
    "csp",
    "simple_history",
    "startups",
    "members",
    "content",
    "stats",
    # Open-data API: django-ninja (its Swagger UI static files), CORS for /api/.
    "ninja",
    "corsheaders",
    "api",
    "staff",
    # Locks the admin login after repeated failures (see AXES_* below).
    "axes",
]

MIDDLEWARE = [
    # The request id on every answer, the health check's included.
    "betagouv.observability.RequestLogMiddleware",
    "betagouv.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /api/ only: compression (outermost), CORS, rate limit.
    "api.middleware.CompressionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.RateLimitMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's CommonMiddleware, but no slash appended to an unknown `….html` address.
    "startups.legacy.SlashAppendingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Public pages and API data: ETag/304 and the shared response cache, inside the
    # middleware that add security headers (so that cached answers get them too).
    "betagouv.caching.ConditionalGetMiddleware",
    # Inside CommonMiddleware: old beta.gouv.fr addresses get their 301 before APPEND_SLASH.
    # Inside the version's middleware: the lookup reads the version that middleware read.
    "startups.legacy.LegacyAddressMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "betagouv.urls"
WSGI_APPLICATION = "betagouv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # template_partials installs its own loaders in place of APP_DIRS.
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Templates hold no logic; a variable missing from the context is a bug, and the
            # tests make it fail (pytest --fail-on-template-vars).
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # No `SELECT 1` before each request's first query: that query replaces a connection
        # the server closed itself (betagouv/database.py).
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections are pointless for a local file; WAL lets readers run during writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer must not hold requests: after half a second the
            # answer is computed without it (`betagouv.caching.recall` and `remember`).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
# French only: no LocaleMiddleware, whose only effect would be a `Vary: Accept-Language`
# on every answer (a CDN would keep a copy per browser language for the same bytes).
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production; tests and development need no collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# django-dsfr
DSFR_MARK_OPTIONAL_FIELDS = True
# whitenoise rewrites url() inside the DSFR CSS, which breaks the SRI hashes.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# Security. Production defaults are the safe ones; a proxy terminating TLS sets
# DJANGO_SECURE_PROXY_SSL_HEADER=1 so that Django knows the request was HTTPS.
# Tests talk plain HTTP to the test client and to the live server of the browser tests.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Admin sessions last a working day; the cookie is never sent on cross-site requests.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: after 5 failed logins for one username, that username is locked for an hour
# (`manage.py axes_reset_username NAME` unlocks it). Per username rather than per address:
# behind the proxy every request comes from the proxy's address, and agents of one ministry
# share one address. Tests log in with force_login; the lockout tests turn it on.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address too; per address would lock whole ministries (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Every browser feature the site does not use is off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# Public answers (pages and API data, see betagouv/caching.py): seconds a client or a CDN may
# reuse one without revalidating (0: `no-cache`, revalidate every time, so edits show at once),
# and seconds an answer stays in the shared cache, keyed by the portfolio version (0: off).
CACHE_MAX_AGE = env_int("DJANGO_CACHE_MAX_AGE", 0)
RESPONSE_CACHE_SECONDS = env_int("DJANGO_RESPONSE_CACHE_SECONDS", 0 if TESTING else 3600)
UNCACHED_PATH_PREFIXES = ("/admin/", "/healthz")

# Where readers write about the site (the accessibility statement gives it).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "").strip() or "contact@beta.gouv.fr"

# One line per request (status, time, queries), on by default in development.
REQUEST_LOG = env_bool("DJANGO_REQUEST_LOG", DEBUG)
# Open-data API (/api/, see the README section "API"). At most API_RATE_LIMIT requests per
# client IP every API_RATE_LIMIT_WINDOW seconds (0: no limit; off in tests), counted in the
# cache shared by the app servers. Behind a proxy, API_CLIENT_IP_HEADER names the header it
# sets with the client's address (X-Forwarded-For: its last address is used).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 0 if TESTING else 300)
API_RATE_LIMIT_WINDOW = env_int("API_RATE_LIMIT_WINDOW", 60)
API_CLIENT_IP_HEADER = os.environ.get("API_CLIENT_IP_HEADER", "").strip()
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "OPTIONS")
# A browser application may revalidate what it keeps (304), as any other client.
CORS_ALLOW_HEADERS = (*default_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Link", "Retry-After", "X-Total-Count")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "betagouv.observability.RequestIdFilter"}},
    "formatters": {
        "request": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's own access log would repeat our request line.
        "django.server": {"level": "WARNING" if REQUEST_LOG else "INFO"},
        # Requests for another host (scanners trying the server's address) get a 400 that the
        # access log shows; an ERROR with a traceback for each would drown the real errors.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
        # Likewise for requests too large to read (a query string of over 1,000 fields...).
        "django.security.TooManyFieldsSent": {"level": "CRITICAL"},
        "django.security.TooManyFilesSent": {"level": "CRITICAL"},
        "django.security.RequestDataTooBig": {"level": "CRITICAL"},
    },
}
