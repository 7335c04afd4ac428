"""HTTP Basic for the API, saying so when django-axes has locked the user name."""
from rest_framework import authentication, exceptions

from akta.access.lockout import lockout_message


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's HTTP Basic: it authenticates through Django's backends, so django-axes counts the
    failures and refuses a locked user name; this only makes the refusal say why (same status)."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and (getattr(request, "axes_locked_out", False)
                                        or getattr(getattr(request, "_request", None), "axes_locked_out", False)):
                raise exceptions.AuthenticationFailed(lockout_message()) from None
            raise


from drf_spectacular.authentication import BasicScheme  # noqa: E402


class AktaBasicScheme(BasicScheme):
    """The same `basicAuth` security scheme in the OpenAPI schema as DRF's own class."""

    target_class = "akta.access.authentication.BasicAuthentication"
