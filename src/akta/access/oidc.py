"""Sign-in through the municipality's identity provider (OpenID Connect, mozilla-django-oidc).

The library runs the authorization-code flow (state, nonce, PKCE, the token request, the
signature of the ID token against the provider's JWKS). Akta adds what it leaves out or what
Akta decides differently:

- the endpoints come from the provider's discovery document (`AKTA_OIDC_ISSUER`), unless set
  one by one; the document is fetched on first use, not at start-up;
- the ID token must come from the configured issuer (`iss`) and be meant for Akta's client
  (`aud`, and `azp` when there are several audiences); the library checks neither;
- the user info must be about the same subject as the ID token (OpenID Connect Core 5.3.2);
- **the IdP user is matched to an existing, active Akta user** whose user name equals the
  claim `AKTA_OIDC_USERNAME_CLAIM` (default `preferred_username`). No user is ever created and
  nothing is copied from the claims: roles, units and the right to protected persons are given
  in Akta by the administrator. An unknown subject is refused with a Swedish message;
- every refusal ends on the login page with a message, never a 5xx, and is not counted by
  django-axes as a failed password (see `is_oidc_callback`).
"""
import logging
import threading

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

LOGGER = logging.getLogger(__name__)

UNKNOWN_USER = ("Du loggade in hos kommunens inloggning, men ditt konto är inte kopplat till någon "
                "användare i Akta. Be systemförvaltaren lägga upp dig i Akta med dina roller och enheter.")
NOT_COMPLETED = ("Inloggningen via kommunens inloggning kunde inte slutföras. Försök igen, eller "
                 "kontakta systemförvaltaren om det inte går.")
CANCELLED = "Inloggningen avbröts hos kommunens inloggning."

# The provider metadata that the library reads as settings, by discovery-document key.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovery_lock = threading.Lock()
_discovery_cache: dict[str, dict] = {}


def discovery(issuer):
    """The provider's discovery document, fetched once per process and issuer."""
    with _discovery_lock:
        if issuer not in _discovery_cache:
            response = requests.get(f"{issuer}/.well-known/openid-configuration",
                                    timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
            response.raise_for_status()
            document = response.json()
            if document.get("issuer", "").rstrip("/") != issuer:
                raise ImproperlyConfigured(f"the discovery document of {issuer} names another issuer")
            _discovery_cache[issuer] = document
        return _discovery_cache[issuer]


def oidc_setting(attr, *default):
    """A mozilla-django-oidc setting; an endpoint not set explicitly comes from discovery."""
    if attr in _DISCOVERED and not getattr(settings, attr, None) and settings.OIDC_ISSUER:
        return discovery(settings.OIDC_ISSUER)[_DISCOVERED[attr]]
    return import_from_settings(attr, *default)


def is_oidc_callback(request, credentials=None):
    """django-axes' AXES_WHITELIST_CALLABLE: the OIDC callback is no password attempt. The
    identity provider does its own lockout and MFA; a refused callback must neither count
    against a user name or address nor be blocked by a password lockout."""
    return request is not None and request.path == reverse("oidc_authentication_callback")


def _refuse(request, message):
    request.akta_oidc_refusal = message


class AktaOIDCBackend(OIDCAuthenticationBackend):
    """The OIDC backend: only on the callback, only when configured, never creates a user."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django builds the backends for every authenticate(), passwords too: reading the
        # provider's endpoints (maybe over the network) waits for the OIDC callback itself, so a
        # provider that is down never stops a break-glass password login.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs or not is_oidc_callback(request):
            return None  # a password login, the API's HTTP Basic, or OIDC is off
        try:
            super().__init__()
            user = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, ImproperlyConfigured, requests.RequestException, jwt.PyJWTError,
                ValueError, KeyError) as exc:
            LOGGER.warning("OIDC sign-in refused: %s", exc)
            user = None
        if user is None and not hasattr(request, "akta_oidc_refusal"):
            _refuse(request, NOT_COMPLETED)
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        self.verify_issuer_and_audience(payload)
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user info is about another subject than the ID token")
        name = claims.get(settings.OIDC_USERNAME_CLAIM) or payload.get(settings.OIDC_USERNAME_CLAIM)
        user = None
        if isinstance(name, str) and name:
            user = self.UserModel.objects.filter(username=name, is_active=True).first()
        if user is None:
            LOGGER.warning("OIDC sign-in refused: no active Akta user %r (claim %s, sub %r)",
                           name, settings.OIDC_USERNAME_CLAIM, payload.get("sub"))
            _refuse(self.request, UNKNOWN_USER)
        return user

    def retrieve_matching_jwk(self, token):
        """The library picks the key by `kid`; a provider whose token names none (some do, as
        the test provider) is accepted only when its key set has exactly one key for the algorithm."""
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("alg", header.get("alg")) == header.get("alg")
                and k.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("the ID token names no key and the provider has several")
        return jwt.PyJWK(keys[0])

    def verify_issuer_and_audience(self, payload):
        if payload.get("iss", "").rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation(f"ID token from another issuer: {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        client = settings.OIDC_RP_CLIENT_ID
        if client not in audiences or (len(audiences) > 1 and payload.get("azp") != client):
            raise SuspiciousOperation(f"ID token for another client: {audience!r}")

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)  # refuses an inactive user, as for passwords


class LoginView(auth_views.LoginView):
    """The login page: passwords, and "Logga in via kommunens inloggning" when OIDC is on."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, oidc_enabled=settings.OIDC_ENABLED)


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """/logga-in/oidc/: to the provider's login. 404 when OIDC is not configured."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)  # the endpoints are read per request, in dispatch

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured) as exc:
            LOGGER.warning("OIDC provider unreachable: %s", exc)
            messages.error(request, NOT_COMPLETED)
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().dispatch(request, *args, **kwargs)


class AuthenticationCallbackView(OIDCAuthenticationCallbackView):
    """/logga-in/oidc/klar/: back from the provider. A refusal ends on the login page, in Swedish."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # an unknown or replayed state
            LOGGER.warning("OIDC callback refused: %s", exc)
            return self.login_failure()

    def login_failure(self):
        if self.request.GET.get("error"):
            message = CANCELLED
        else:
            message = getattr(self.request, "akta_oidc_refusal", NOT_COMPLETED)
        messages.error(self.request, message)
        return HttpResponseRedirect(reverse("login"))
