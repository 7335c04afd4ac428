"""Settings, read from the environment.

DATABASE_URL      sqlite:///path or postgres://...; default: embedded SQLite in $AKTA_DATA_DIR
AKTA_DATA_DIR     where the embedded database lives (default ./var)
AKTA_SECRET_KEY   required when AKTA_ENV=production
AKTA_ENV          "development" (default) or "production"
AKTA_ALLOWED_HOSTS comma separated, production only
"""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("AKTA_ENV", "development")
PRODUCTION = ENV == "production"

if PRODUCTION:
    SECRET_KEY = os.environ["AKTA_SECRET_KEY"]
    DEBUG = False
    ALLOWED_HOSTS = [h for h in os.environ.get("AKTA_ALLOWED_HOSTS", "").split(",") if h]
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SECRET_KEY = os.environ.get("AKTA_SECRET_KEY", "akta-development-only-not-secret")
    DEBUG = os.environ.get("AKTA_DEBUG", "1") == "1"
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

DATA_DIR = Path(os.environ.get("AKTA_DATA_DIR", Path.cwd() / "var"))
_default_db = f"sqlite:///{DATA_DIR / 'akta.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The municipality this installation serves (akta.municipality): one setting for every page,
# document and report; the importer refuses another municipality's exchange when the code is set.
AKTA_MUNICIPALITY_CODE = os.environ.get("AKTA_MUNICIPALITY_CODE", "")
AKTA_MUNICIPALITY_NAME = os.environ.get("AKTA_MUNICIPALITY_NAME", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "akta.access",
    "akta.audit",
    "akta.cases",
    "akta.exchange",
    "akta.synth",
    "akta.law",
    "akta.deadlines",
    "akta.followup",
    "akta.quality",
    "akta.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "akta.urls"
WSGI_APPLICATION = "akta.wsgi.application"

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
    }
]

AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:list"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "akta.api_schema.AktaAutoSchema",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "akta.api_pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Akta API",
    "DESCRIPTION": "Ärenden, personer och händelser i individ- och familjeomsorgen.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across components get explicit schema names.
    "ENUM_NAME_OVERRIDES": {
        "RiskScaleEnum": "akta.quality.models.SCALE",
        "CaseStatusEnum": "akta.cases.api.serializers.STATUS_CHOICES",
        "AktualiseringKindEnum": "akta.cases.schema.AKTUALISERING_KIND_CHOICES",
        "DocumentKindEnum": "akta.quality.models.DocumentKind",
        "DocumentStatusEnum": "akta.quality.models.DocumentStatus",
        "DeviationStatusEnum": "akta.quality.models.DeviationStatus",
        "LexSarahStatusEnum": "akta.quality.models.LexSarahStatus",
        "ComplaintKindEnum": "akta.quality.models.ComplaintKind",
        "ComplaintStatusEnum": "akta.quality.models.ComplaintStatus",
        "RiskStatusEnum": "akta.quality.models.RiskStatus",
        "RoundStatusEnum": "akta.quality.models.RoundStatus",
        "ActionStatusEnum": "akta.quality.models.ActionStatus",
        "GoalStatusEnum": "akta.quality.models.GoalStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
