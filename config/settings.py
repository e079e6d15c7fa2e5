"""ServicePact settings: one module, driven by the environment.

With nothing set, the product runs on a SQLite file with background jobs run
in-process, so `make run` works on a bare machine. `DATABASE_URL` switches to
PostgreSQL and `REDIS_URL` to Redis (Celery broker, result backend and cache)
with a real worker. Production differs only by environment values.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    """Read a boolean; anything but "true" or "false" is a configuration error."""
    value = os.environ.get(name, default).strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")
    return value == "true"


def envint(name: str, default: str) -> int:
    """Read an integer setting."""
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envsecret(name: str, default: str = "") -> str:
    """Read a secret, from the file named by NAME_FILE first, else from NAME."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = envbool("DJANGO_DEBUG", "true")
TESTING = envbool("SERVICEPACT_TESTING", "false")

SECRET_KEY = envsecret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

# The password every demo account is created with. Production refuses to start
# while any account still has it (see core.checks).
DEMO_PASSWORD = "demo-pass-2015"

if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-dev-only-servicepact-key-change-me"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver", "[::1]"]
else:
    # Production start-up checks: fail loudly instead of running half-configured.
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required when DJANGO_DEBUG=false"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG=false"
        )
    if not DATABASE_URL or DATABASE_URL.startswith("sqlite"):
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL when DJANGO_DEBUG=false; SQLite is for development only"
        )

# Sealed bids (procurement.sealing): comma-separated Fernet keys, newest first, so a
# rotation keeps older bids readable at opening. Production must set its own; the
# development key is derived from SECRET_KEY.
_sealing = [k.strip() for k in envsecret("BID_SEALING_KEYS").split(",") if k.strip()]
if not _sealing:
    if not DEBUG:
        raise ImproperlyConfigured(
            "BID_SEALING_KEYS (or BID_SEALING_KEYS_FILE) is required when DJANGO_DEBUG=false"
        )
    import base64
    import hashlib

    _sealing = [
        base64.urlsafe_b64encode(
            hashlib.sha256(("servicepact-bid-seal:" + SECRET_KEY).encode()).digest()
        ).decode()
    ]
BID_SEALING_KEYS = _sealing

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "accounts",
    "catalogue",
    "vendors",
    "procurement",
    "contracts",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins are throttled per username and address (django-axes).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
CURRENCY_CODE = "CNY"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SERVICEPACT_MEDIA_ROOT", BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upper bound for an uploaded catalogue import file.
CATALOGUE_IMPORT_MAX_BYTES = envint("CATALOGUE_IMPORT_MAX_BYTES", str(5 * 1024 * 1024))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "servicepact"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with REDIS_URL a real broker and worker (`make worker`); without, tasks run
# in-process at enqueue time so a newcomer needs nothing else.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "servicepact")
CELERY_BEAT_SCHEDULE: dict = {
    # Every morning: mark expired eligibility documents and notify (vendors.services.documents_expire).
    "vendors-documents-expire": {
        "task": "vendors.documents_expire_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every morning: awards whose challenge window closed with nothing open become
    # final (procurement.services.award_finalise).
    "procurement-finalise-awards": {
        "task": "procurement.finalise_due_awards_task",
        "schedule": crontab(hour=6, minute=10),
    },
    # Every morning: contracts whose signing, publication or filing deadline passed
    # yesterday unmet are reported to the buyer's officers (TL-13..15).
    "contracts-deadlines-notify": {
        "task": "contracts.deadlines_notify_task",
        "schedule": crontab(hour=6, minute=20),
    },
    # Every morning: open assessment rounds whose period ended are scored
    # (assessments.services.rounds_score_ended).
    "assessments-score-ended-rounds": {
        "task": "assessments.rounds_score_ended_task",
        "schedule": crontab(hour=6, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request is told 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        # Read-only street tokens for outside systems (accounts.ApiToken).
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.ApiTokenReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ServicePact API",
    "DESCRIPTION": "政务服务购买管理 REST API (v1). Errors are always {code, detail, fields}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "accounts.choices.OrganisationKind",
        "RoleEnum": "accounts.choices.Role",
        "GradeEnum": "vendors.choices.Grade",
        "ContractGradeEnum": "contracts.choices.Grade",
        "ChangeKindEnum": "contracts.choices.ChangeKind",
        "DocumentKindEnum": "vendors.choices.DocumentKind",
        "PersonRoleEnum": "vendors.choices.PersonRole",
        "CreditResultEnum": "vendors.choices.CreditResult",
        "ReportResultEnum": "vendors.choices.ReportResult",
        "VendorStatusEnum": "vendors.choices.VendorStatus",
        "JobStatusEnum": "core.models.JobStatus",
        "VersionStatusEnum": "catalogue.choices.VersionStatus",
        "ApplicationStatusEnum": "vendors.choices.ApplicationStatus",
        "LogKindEnum": "vendors.choices.LogKind",
        "ProcurementStatusEnum": "procurement.choices.ProjectStatus",
        "StandingEnum": "vendors.choices.Standing",
        "PanelRoleEnum": "assessments.choices.PanelRole",
        "AdmissionListStatusEnum": "assessments.choices.ListStatus",
        "AdmissionEntryStatusEnum": "assessments.choices.EntryStatus",
        "ObjectionStatusEnum": "assessments.choices.ObjectionStatus",
        "ObjectionKindEnum": "assessments.choices.ObjectionKind",
        "EndingEnum": "assessments.choices.Ending",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.strip_backend_integer_limits",
    ],
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicepact@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

if TESTING:
    # Test speed overrides, in one place; nothing else differs under test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_TASK_ALWAYS_EAGER = True
    MEDIA_ROOT = Path(
        os.environ.get("SERVICEPACT_MEDIA_ROOT", BASE_DIR / "test-results" / "media")
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }

# Upper bound for an uploaded evidence file (eligibility documents, credit-check records).
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
