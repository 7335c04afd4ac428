"""No page or API response that may carry personal data is kept in a browser's or proxy's cache."""
from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response except static files.

    Simpler and safer than deciding per view which responses carry personal data: every page,
    download and API answer of Akta is dynamic, and the login page gains nothing from a cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response
