"""A real OpenID Connect provider for the sign-in tests: oidc-provider-mock on 127.0.0.1."""
import threading

import pytest


@pytest.fixture(scope="module")
def oidc_provider():
    """oidc-provider-mock served on a free port of 127.0.0.1 in a thread, stopped at the end.
    It signs real RS256 tokens; a test chooses the subject on its login form and the claims with
    PUT /users/<sub>. The issuer is the URL the provider is reached at."""
    pytest.importorskip("oidc_provider_mock")
    import oidc_provider_mock
    import werkzeug.serving

    app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """Akta configured for the test provider, as AKTA_OIDC_ISSUER/CLIENT_ID/CLIENT_SECRET would."""
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = "akta"
    settings.OIDC_RP_CLIENT_SECRET = "akta-klienthemlighet"
    settings.OIDC_ENABLED = True
    return settings
