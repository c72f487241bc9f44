"""Settings for the Karabakh timeline.

One module, configured by environment variables. Without any, it runs as a
development site on a SQLite file in the project folder. With ``DEBUG`` off it
refuses to start unless it has a real secret key and a list of allowed hosts.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_count(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return int(value)


def env_site_url(name: str) -> str:
    """An http(s) address with no path, query or fragment, without its trailing slash."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "#" in value
        or "?" in value
    ):
        raise ImproperlyConfigured(
            f"{name} must be the site's address, such as https://timeline.example.org "
            f"(http or https, no path, query or fragment), not {value!r}."
        )
    try:
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} has a bad port: {value!r}.") from error
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_bool("DEBUG", True)

# The development key is public by design; production must bring its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-karabakh-timeline"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name this site's hosts when DEBUG is off.")

# The site's address (https://timeline.example.org), the one home of every absolute
# link it gives out: permalinks, JSON-LD, the exports (timeline/links.py). Never the
# request's Host header, which the client chooses: through the page cache, a forged
# one would hand other readers links to another host. In development, when unset,
# the request's host is used.
SITE_URL = env_site_url("SITE_URL")
if not DEBUG and not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set to the site's address (https://…) when DEBUG is off."
    )

INSTALLED_APPS = [
    # The admin, with the timeline's own site (its curation queue).
    "timeline.apps.TimelineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so that runserver serves static files the way
    # production does (through WhiteNoise) instead of Django's own handler.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # /sitemap.xml (timeline/sitemaps.py). Not the sites framework: the site's address
    # is SITE_URL.
    "django.contrib.sitemaps",
    "django_htmx",
    "simple_history",
    "axes",
    "timeline",
]

MIDDLEWARE = [
    # First: Cache-Control, ETags and 304s (Django's ConditionalGetMiddleware, inside
    # it), and the optional server-side page cache, for all but static files, which it
    # passes straight on to WhiteNoise. A page is kept as the middleware below finished
    # it (security headers, the CSP, which has no per-request nonce), so a hit needs
    # none of them; none is served to a request that SecurityMiddleware would redirect
    # to HTTPS. Before the session middleware: timeline/readers.py looks a session
    # cookie up itself, so that only a signed-in session bypasses the page cache.
    "timeline.caching.ReaderCachingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A shared link's tracking parameters: a 301 to the page without them, with the
    # security headers above (timeline/sharing.py).
    "timeline.sharing.TrackingParametersMiddleware",
    # Which database a request reads from, when there is a read replica. After
    # WhiteNoise: deciding may look a session cookie up, which static files never need.
    "timeline.routers.ReaderReplicaMiddleware",
    # Every query of a public request stopped past QUERY_TIME_LIMIT_MS, on the database
    # the routing above picked; after the page cache, whose hits need no query.
    "timeline.timelimits.QueryTimeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change in the timeline's history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: refuses sign-ins after too many failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "karabakh.urls"
WSGI_APPLICATION = "karabakh.wsgi.application"

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
                # Not the csp processor: no template has inline code (see SECURE_CSP).
            ],
            # {% url %} reversing an address without arguments once per process.
            "builtins": ["timeline.templatetags.urls"],
        },
    },
    # The chronology's hottest parts, which the template language was too slow to
    # render (timeline/jinja.py); included by the templates above through
    # {% fragment … template=… %}.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "timeline.jinja.environment"},
    },
]

# What /about/ says of the data's terms and of corrections, when set: the licence of
# the timeline's own data (its name and a link to its text), and where to send a
# correction (an address or a URL). Unset, the page says nothing of them.
DATA_LICENCE_NAME = os.environ.get("DATA_LICENCE_NAME", "")
DATA_LICENCE_URL = os.environ.get("DATA_LICENCE_URL", "")
CORRECTIONS_CONTACT = os.environ.get("CORRECTIONS_CONTACT", "")

# DATABASE_URL picks the database: postgres://user:password@host:port/name for
# PostgreSQL (through psycopg 3), absent for the embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection that broke (the server restarted) is replaced
        # at the next request instead of failing it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # While PostgreSQL is unreachable, answer 503 within seconds rather than hang.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DB_CONNECT_TIMEOUT", "3")
    )

# DATABASE_REPLICA_URL: a PostgreSQL read replica of that database. Anonymous
# readers' pages read from it; the admin and every write use the primary
# (timeline/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["timeline.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL picks the cache: redis://host:port/db for Redis (shared by every app
# server), absent for each process's own memory. Through django-redis, which keeps one
# client per process: Django's own backend builds a new one for every call, which
# cost more than the call itself when a cached page is served.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://… or locmem://, not {CACHE_URL!r}.")
# Milliseconds each count on a chronology page (matches, the axis, each facet) may
# take before it is skipped and the page says so (timeline/chronology.py).
TIMELINE_COUNT_TIME_LIMIT_MS = int(os.environ.get("TIMELINE_COUNT_TIME_LIMIT_MS", "15"))
# Milliseconds any one query of a public request (not the admin's) may run before it is
# stopped and the request answered 503: no query string can tie up a worker for long
# (timeline/timelimits.py). 0: no limit.
QUERY_TIME_LIMIT_MS = int(os.environ.get("QUERY_TIME_LIMIT_MS", "5000"))

# Seconds to keep rendered reader pages in that cache (0: not at all). Edits empty
# it at once, through a version kept in the cache: with several processes, that
# needs the shared cache (Redis), or one process would serve what another changed.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))
if PAGE_CACHE_SECONDS and not DEBUG and "RedisCache" not in CACHES["default"]["BACKEND"]:
    raise ImproperlyConfigured("PAGE_CACHE_SECONDS needs CACHE_URL=redis://… in production.")

# ------------------------------------------------------------------ security
# Always on, in development too, so that what would break in production breaks here first.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline code anywhere: scripts and styles come from our own static files.
# Should a template ever need an inline block, add CSP.NONCE here and the csp
# context processor, and give the block nonce="{{ csp_nonce }}"; the pages that
# carry a nonce then differ on every request and can no longer be answered 304.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True

# Production is served over HTTPS only. Behind a proxy that terminates TLS, set
# TRUST_X_FORWARDED_PROTO=true so that Django believes its X-Forwarded-Proto
# (only if the proxy always sets or strips that header).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    # __Host- cookies are Secure, host-only and for the whole site: browsers refuse
    # them over plain HTTP, so development keeps the usual names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out address or account is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# How many proxies in front of the site append to X-Forwarded-For (nginx on the
# same machine: 1). The client's address is the entry the outermost of them
# appended; with 0 the header is ignored (timeline/client_address.py). Too low,
# and every client looks like the proxy; too high, and clients pick their address.
PROXY_COUNT = env_count("PROXY_COUNT", 0)

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins from
# one address, further attempts from it are refused for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_CLIENT_IP_CALLABLE = "timeline.client_address.client_address"
# By address only. Not by account: anyone could then lock a named editor out from
# everywhere. Not also by (account, address): its failures are a part of the
# address's, so it could never lock first.
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Off: axes would then forget every failure from the address of any successful
# sign-in. timeline/signin.py forgets only the signed-in account's own.
AXES_RESET_ON_SUCCESS = False

# Where signing in leads when the address asks for nowhere safe (?next=//elsewhere).
LOGIN_REDIRECT_URL = "admin:index"

# A refused POST (no or a stale CSRF token) gets the site's own 403 page, which holds
# under the Content Security Policy (Django's own has an inline style).
CSRF_FAILURE_VIEW = "timeline.errors.csrf_failure"

# Errors and warnings go to standard error in every configuration, so that the
# server's log (gunicorn's, systemd's journal) has the traceback behind a 500. A
# request that met an unreachable database (a 503) is one line, without traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"outage": {"()": "timeline.errors.DatabaseOutageInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["outage"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO"),
                   "propagate": False},
    },
}  # fmt: skip

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names: files can be cached for ever by browsers and CDNs.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where the CSV of the whole published record is built, to be served like a static
# file (timeline/exports.py). Each app server builds its own: it need not be shared.
EXPORTS_ROOT = Path(os.environ.get("EXPORTS_ROOT", BASE_DIR / "exports"))

# The timeline's fixtures live at the top of the project, not inside the app,
# because editors write them back from the database (see the README).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Where the source documents the fixtures were built from are kept, when present.
SEEDS_DIR = Path(os.environ.get("SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))
