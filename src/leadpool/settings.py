"""Leadpool settings, read from the environment (one module, no per-environment files)."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LEADPOOL_VAR_DIR", PROJECT_ROOT / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG")
PRODUCTION = env_bool("LEADPOOL_PRODUCTION")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production (LEADPOOL_PRODUCTION=1).")
    # Development: generate once and keep it under var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
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
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "chartkick.django",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "leadpool.accounts",
    "leadpool.audit",
    "leadpool.customers",
    "leadpool.intake",
    "leadpool.sales",
    "leadpool.rotation",
    "leadpool.reports",
    "leadpool.notify",
    "leadpool.api",
    "leadpool.security",
    "leadpool.ops",
    "leadpool.webhooks",
    "leadpool.conversations",
    "leadpool.nurture",
    "leadpool.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "leadpool.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "leadpool.security.middleware.RateLimitMiddleware",
    "leadpool.security.middleware.RequireOTPMiddleware",
    "leadpool.security.middleware.RejectNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "leadpool.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "leadpool.urls"
WSGI_APPLICATION = "leadpool.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leadpool.web.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'leadpool.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets the embedded worker read while the web request writes;
        # IMMEDIATE takes the write lock up front so concurrent writers wait instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env_int("DB_POOL_MAX", 10), "timeout": 10}}
    _db["CONN_MAX_AGE"] = 0
TEST_DATABASE_NAME = os.environ.get("TEST_DATABASE_NAME")
if TEST_DATABASE_NAME:
    _db["TEST"] = {"NAME": TEST_DATABASE_NAME}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured: rate limits and throttles are shared across processes) ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "leadpool"}}

# --- Background work ---------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("LEADPOOL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if REDIS_URL and not os.environ.get("LEADPOOL_TASK_BACKEND"):
    # With Redis configured, tasks travel through Redis streams (django-tasks-redis) and `leadpool worker` reads them.
    TASKS["default"] = {
        "BACKEND": "django_tasks_redis.RedisTaskBackend",
        "QUEUES": ["default"],
        "OPTIONS": {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": os.environ.get("LEADPOOL_REDIS_TASK_PREFIX", "leadpool_tasks")},
    }

# --- Auth -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "leadpool.security.backends.ThrottledLogin",  # django-axes: refuses locked-out clients first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in throttling: 5 failures for one name from one address lock it out for 15 minutes (answer 429).
LEADPOOL_PROXY_COUNT = env_int("LEADPOOL_PROXY_COUNT", 0)  # trusted reverse proxies in front of the web processes
AXES_FAILURE_LIMIT = env_int("LEADPOOL_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("LEADPOOL_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_IPWARE_PROXY_COUNT = LEADPOOL_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if LEADPOOL_PROXY_COUNT else ["REMOTE_ADDR"]
# Managers and admins sign in with a one-time password from an authenticator app (off only for the local demo).
LEADPOOL_REQUIRE_OTP = env_bool("LEADPOOL_REQUIRE_OTP", True)
OTP_TOTP_ISSUER = "Leadpool"
# Per-client, per-minute budgets on public endpoints and the API (leadpool.security.ratelimits).
LEADPOOL_RATE_LIMITS = env_bool("LEADPOOL_RATE_LIMITS", True)
LEADPOOL_RATE_LIMIT_SCALE = float(os.environ.get("LEADPOOL_RATE_LIMIT_SCALE") or 1)

# --- Language and time -----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
try:  # Bootstrap ships inside xstatic-bootstrap; serve it from there, never from a CDN.
    import xstatic.pkg.bootstrap as _xbootstrap

    STATICFILES_DIRS.append(("bootstrap", _xbootstrap.BASE_DIR))
except ImportError:  # pragma: no cover - installed with the project
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Chart.js sizes its canvas through style attributes.
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("LEADPOOL_SESSION_SECONDS", 12 * 3600)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (notifications, nurture steps): SMTP when LEADPOOL_SMTP_HOST is set, or in production (a local MTA
# on port 25 then); otherwise the console, so the demo and a fresh machine print what they would send instead
# of failing against a missing local server.
if os.environ.get("LEADPOOL_SMTP_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("LEADPOOL_SMTP_HOST") or "localhost",
                "port": env_int("LEADPOOL_SMTP_PORT", 587 if os.environ.get("LEADPOOL_SMTP_HOST") else 25),
                "username": os.environ.get("LEADPOOL_SMTP_USER", ""),
                "password": os.environ.get("LEADPOOL_SMTP_PASSWORD", ""),
                "use_tls": env_bool("LEADPOOL_SMTP_TLS", bool(os.environ.get("LEADPOOL_SMTP_HOST"))),
                "timeout": 15,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("LEADPOOL_MAIL_FROM", "Leadpool <no-reply@leadpool.local>")

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LEADPOOL_MAX_BODY_BYTES", 1_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Leadpool -------------------------------------------------------------------
LEADPOOL = {
    "DONT_FORGET_DAYS": env_int("LEADPOOL_DONT_FORGET_DAYS", 30),
    "FIRST_CALL_MINUTES": env_int("LEADPOOL_FIRST_CALL_MINUTES", 30),
}
