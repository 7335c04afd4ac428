"""Settings, read from the environment.

DATABASE_URL      sqlite:///path or postgres://...; default: embedded SQLite in $AKTA_DATA_DIR
AKTA_DATA_DIR     where the embedded database lives (default ./var)
AKTA_SECRET_KEY   required when AKTA_ENV=production
AKTA_ENV          "development" (default) or "production"
AKTA_ALLOWED_HOSTS comma separated, production only
AKTA_DEBUG        "1" turns on Django's debug pages (development only; default off)
AKTA_SESSION_IDLE_MINUTES   idle time before a session ends (default 30)
AKTA_LOGIN_FAILURE_LIMIT    failed logins for one user name before it is locked (default 5)
AKTA_LOGIN_COOLOFF_MINUTES  how long a locked user name stays locked (default 15)
AKTA_LOGIN_LOCKOUT_BY       what is locked: "username" (default) or "username,ip_address"
AKTA_AUDIT_KEY    the audit log's HMAC key, at least 32 characters (else the key file)
AKTA_AUDIT_KEY_FILE         default $AKTA_DATA_DIR/audit.key, created 0600 on first use
AKTA_AUDIT_CHECKPOINT_FILE  default $AKTA_DATA_DIR/audit-checkpoints.jsonl (append-only)
AKTA_AUDIT_CHECKPOINT_EVERY automatic checkpoint every N entries (default 100)
AKTA_IMPORT_MAX_BYTES       largest expanded size of an import (default 2 GiB)
AKTA_IMPORT_MAX_LINE_BYTES  longest line of an import file (default 1 MiB)
AKTA_OIDC_*       sign-in through the municipality's identity provider (see "OpenID Connect" below)
"""
import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

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
    DEBUG = os.environ.get("AKTA_DEBUG", "0") == "1"
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

DATA_DIR = Path(os.environ.get("AKTA_DATA_DIR", Path.cwd() / "var"))
_default_db = f"sqlite:///{DATA_DIR / 'akta.sqlite3'}"
# Connections are kept for 60 s between requests; CONN_HEALTH_CHECKS tests a kept connection before
# a request reuses it, so one cut meanwhile (a restarted or failed-over database server, an idle
# timeout, pg_terminate_backend) costs a reconnect instead of a 500 (akta/ops/tests/test_faults.py).
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60,
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE: a transaction takes the write lock when it begins, waiting up to `timeout` for
    # another writer. A deferred one that has read first (the audit chain head) fails at once
    # with "database is locked" when it then writes while another connection commits (found by
    # the load smoke, src/akta/tests/test_load_smoke.py: 5 users gave six 500s in 10 s).
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The municipality this installation serves (akta.municipality): one setting for every page,
# document and report; the importer refuses another municipality's exchange when the code is set.
AKTA_MUNICIPALITY_CODE = os.environ.get("AKTA_MUNICIPALITY_CODE", "")
AKTA_MUNICIPALITY_NAME = os.environ.get("AKTA_MUNICIPALITY_NAME", "")
# Whether this municipality is in the representative selection whose files are all kept for
# research (socialtjänstförordningen (2001:937) 7 kap. 2 §; akta culling, akta/records).
CULLING_RESEARCH_MUNICIPALITY = os.environ.get("AKTA_CULLING_RESEARCH_MUNICIPALITY", "0") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "akta.access",
    "akta.audit",
    "akta.cases",
    "akta.exchange",
    "akta.synth",
    "akta.law",
    "akta.deadlines",
    "akta.followup",
    "akta.assistance",
    "akta.quality",
    "akta.logcheck",
    "akta.committee",
    "akta.records",
    "akta.demo",
    "akta.ops",
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
    "csp.middleware.CSPMiddleware",
    "akta.access.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection (django-axes): the web login and the API's HTTP Basic both authenticate
# through these backends, so both count failures and both refuse a locked user name.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Inert unless OIDC is configured, and then only on the OIDC callback (akta/access/oidc.py).
    "akta.access.oidc.AktaOIDCBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AKTA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AKTA_LOGIN_COOLOFF_MINUTES", "15")))
# Default: lock the user name whatever address the attempts come from (a guessing attack spread
# over many addresses is still stopped), but not the address: a municipality's staff often share
# one address behind NAT, and a few typos there must not lock out the office. The lock ends by
# itself after the cool-off time. AKTA_LOGIN_LOCKOUT_BY=username,ip_address locks either.
AXES_LOCKOUT_PARAMETERS = [p.strip() for p in os.environ.get("AKTA_LOGIN_LOCKOUT_BY", "username").split(",") if p.strip()]
# axes.W006 warns when the address is not among them: that is the deliberate default above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "akta.access.lockout.lockout_response"
# The OIDC callback is no password attempt: axes neither counts nor blocks it (the identity
# provider has its own lockout and MFA).
AXES_WHITELIST_CALLABLE = "akta.access.oidc.is_oidc_callback"
# Sessions end after an idle time: the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = int(os.environ.get("AKTA_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
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
        "akta.access.authentication.BasicAuthentication",
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
    # The schema describes what the API holds; only signed-in users may read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
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

# OpenID Connect: staff sign in through the municipality's identity provider (mozilla-django-oidc,
# akta/access/oidc.py), MFA left to the provider. Off unless the issuer, the client id and the
# client secret are all set; local passwords always remain (demo, break-glass accounts). The IdP
# user is matched to an existing active Akta user whose user name equals OIDC_USERNAME_CLAIM; no
# user is ever created and no right comes from the claims. Endpoints not set here come from the
# issuer's discovery document. The button is a link, so no form submission leaves for the
# provider and CSP form-action stays 'self'.
OIDC_ISSUER = os.environ.get("AKTA_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("AKTA_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("AKTA_OIDC_CLIENT_SECRET", "")
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET)
OIDC_RP_SCOPES = os.environ.get("AKTA_OIDC_SCOPES", "openid profile")
OIDC_USERNAME_CLAIM = os.environ.get("AKTA_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("AKTA_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("AKTA_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("AKTA_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("AKTA_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("AKTA_OIDC_SIGN_ALGO", "RS256")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_VERIFY_SSL = True

# Content-Security-Policy (django-csp): only Akta's own static files run or style the pages. No
# inline scripts, event handlers or style attributes exist in the templates; htmx runs with
# includeIndicatorStyles off (meta tag in base.html) so it adds no inline <style> either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The audit log's HMAC key and checkpoints (akta/audit/integrity.py), outside the database.
AUDIT_KEY_FILE = Path(os.environ.get("AKTA_AUDIT_KEY_FILE") or DATA_DIR / "audit.key")
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("AKTA_AUDIT_CHECKPOINT_FILE") or DATA_DIR / "audit-checkpoints.jsonl")
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AKTA_AUDIT_CHECKPOINT_EVERY", "100"))

# Imports (akta/exchange/reader.py): refused above these sizes.
IMPORT_MAX_BYTES = int(os.environ.get("AKTA_IMPORT_MAX_BYTES", str(2 * 1024**3)))
IMPORT_MAX_LINE_BYTES = int(os.environ.get("AKTA_IMPORT_MAX_LINE_BYTES", str(1024**2)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
