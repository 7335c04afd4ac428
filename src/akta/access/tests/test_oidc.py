"""Sign-in through the municipality's identity provider (issue 10, Build 3): the whole
authorization-code flow against a real local provider (oidc-provider-mock, see conftest.py)."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from akta.access import oidc
from akta.access.models import User
from akta.conftest import PASSWORD

WRONG = "fel-lösenord-igen"


def _set_claims(provider, sub, **claims):
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()


def _sign_in_at_provider(client, provider, sub, next_url=None):
    """Akta's button → the provider's login (choosing `sub`) → back to Akta's callback."""
    r = client.get("/logga-in/oidc/", {"next": next_url} if next_url else {})
    assert r.status_code == 302
    authorize = r["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == ["akta"] and query["redirect_uri"] == ["http://testserver/logga-in/oidc/klar/"]
    assert query["nonce"] and query["state"] and query["code_challenge"]
    page = requests.get(authorize, timeout=5)
    assert page.status_code == 200  # the provider's login form
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/logga-in/oidc/klar/"
    return client.get(f"{back.path}?{back.query}")


def _messages(client):
    return client.get("/logga-in/").content.decode()


def test_without_configuration_there_is_no_button_and_no_oidc_url(db, client, settings):
    assert settings.OIDC_ENABLED is False  # the test settings and `make run` have none
    assert "kommunens inloggning" not in client.get("/logga-in/").content.decode()
    assert client.get("/logga-in/oidc/").status_code == 404
    assert client.get("/logga-in/oidc/klar/?code=x&state=y").status_code == 404


def test_the_login_page_offers_the_municipality_sign_in_when_configured(db, client, oidc_settings):
    html = client.get("/logga-in/?next=/bevakningar/").content.decode()
    assert "Logga in via kommunens inloggning" in html
    assert 'href="/logga-in/oidc/?next=/bevakningar/"' in html
    assert 'name="password"' in html  # local passwords remain (demo, break-glass)


def test_full_flow_signs_in_the_mapped_akta_user_with_that_users_rights(bou_user, oidc_settings, oidc_provider):
    _set_claims(oidc_provider, "5f1c-anna", preferred_username="anna", name="Anna Andersson")
    client = Client()
    users_before = User.objects.count()
    r = _sign_in_at_provider(client, oidc_provider, "5f1c-anna", next_url="/arende/C1/")
    assert r.status_code == 302 and r["Location"] == "/arende/C1/"
    assert int(client.session["_auth_user_id"]) == bou_user.pk
    assert client.session["_auth_user_backend"] == "akta.access.oidc.AktaOIDCBackend"
    # anna's rights: her unit's case opens, another unit's case is a 404 as for a password login
    assert client.get("/arende/C1/").status_code == 200
    assert client.get("/arende/C2/").status_code == 404
    assert User.objects.count() == users_before
    bou_user.refresh_from_db()
    assert bou_user.units.count() == 1 and bou_user.first_name == ""  # nothing copied from the claims


def test_an_unknown_subject_is_refused_in_swedish_and_no_user_is_created(bou_user, oidc_settings, oidc_provider):
    _set_claims(oidc_provider, "9a9a-okand", preferred_username="okand", name="Okänd Person")
    client = Client()
    users_before = User.objects.count()
    r = _sign_in_at_provider(client, oidc_provider, "9a9a-okand")
    assert r.status_code == 302 and r["Location"] == "/logga-in/"
    assert "_auth_user_id" not in client.session
    assert "inte kopplat till någon användare i Akta" in _messages(client)
    assert User.objects.count() == users_before
    assert not User.objects.filter(username="okand").exists()


def test_an_inactive_user_and_a_missing_claim_are_refused(bou_user, oidc_settings, oidc_provider):
    User.objects.filter(pk=bou_user.pk).update(is_active=False)
    _set_claims(oidc_provider, "5f1c-anna", preferred_username="anna")
    client = Client()
    _sign_in_at_provider(client, oidc_provider, "5f1c-anna")
    assert "_auth_user_id" not in client.session
    User.objects.filter(pk=bou_user.pk).update(is_active=True)
    _set_claims(oidc_provider, "utan-namn")  # no preferred_username at all
    _sign_in_at_provider(client, oidc_provider, "utan-namn")
    assert "_auth_user_id" not in client.session
    assert "inte kopplat till någon användare i Akta" in _messages(client)


def test_the_claim_matched_is_configurable_for_example_sub(bou_user, oidc_settings, oidc_provider):
    oidc_settings.OIDC_USERNAME_CLAIM = "sub"
    _set_claims(oidc_provider, "anna", preferred_username="cecilia")
    client = Client()
    _sign_in_at_provider(client, oidc_provider, "anna")
    assert int(client.session["_auth_user_id"]) == bou_user.pk


def test_a_token_from_another_issuer_is_refused(bou_user, oidc_settings, oidc_provider, caplog):
    """The same provider reached as localhost signs tokens with iss http://localhost:PORT: a valid
    signature from the right keys, but not the issuer Akta trusts."""
    port = urlsplit(oidc_provider).port
    other = f"http://localhost:{port}"
    oidc_settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider}/oauth2/authorize"
    oidc_settings.OIDC_OP_TOKEN_ENDPOINT = f"{other}/oauth2/token"
    oidc_settings.OIDC_OP_USER_ENDPOINT = f"{other}/userinfo"
    oidc_settings.OIDC_OP_JWKS_ENDPOINT = f"{other}/jwks"
    _set_claims(oidc_provider, "5f1c-anna", preferred_username="anna")
    client = Client()
    r = _sign_in_at_provider(client, oidc_provider, "5f1c-anna")
    assert r["Location"] == "/logga-in/"
    assert "_auth_user_id" not in client.session
    assert "kunde inte slutföras" in _messages(client)
    assert "ID token from another issuer: 'http://localhost:" in caplog.text


def _id_token_for(provider, client_id, sub):
    """A real ID token from the provider, issued to `client_id` (its own code flow)."""
    authorize = f"{provider}/oauth2/authorize"
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": "http://127.0.0.1/annan/",
              "scope": "openid profile", "state": "s", "nonce": "n-123"}
    answer = requests.post(authorize, params=params, data={"sub": sub}, allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = requests.post(f"{provider}/oauth2/token", timeout=5, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/annan/",
        "client_id": client_id, "client_secret": "annat-hemligt"}).json()
    return token["id_token"]


def test_a_token_for_another_client_is_refused(bou_user, oidc_settings, oidc_provider):
    backend = oidc.AktaOIDCBackend()
    super(oidc.AktaOIDCBackend, backend).__init__()  # read the endpoints, as authenticate does
    own = backend.verify_token(_id_token_for(oidc_provider, "akta", "5f1c-anna"), nonce="n-123")
    backend.verify_issuer_and_audience(own)  # Akta's own token passes
    foreign = backend.verify_token(_id_token_for(oidc_provider, "annan-tjanst", "5f1c-anna"), nonce="n-123")
    assert foreign["aud"] in ("annan-tjanst", ["annan-tjanst"])  # signed by the right provider, so the library accepts it
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_issuer_and_audience(foreign)
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_issuer_and_audience({**own, "aud": ["akta", "annan-tjanst"], "azp": "annan-tjanst"})


def test_a_cancelled_or_replayed_callback_ends_on_the_login_page(bou_user, oidc_settings, oidc_provider):
    client = Client()
    r = client.get("/logga-in/oidc/klar/?error=access_denied&state=x")
    assert r.status_code == 302 and r["Location"] == "/logga-in/"
    assert "avbröts" in _messages(client)
    client.get("/logga-in/oidc/")  # a state in the session, but not this one
    r = client.get("/logga-in/oidc/klar/?code=abc&state=forged")
    assert r.status_code == 302 and r["Location"] == "/logga-in/"
    assert "_auth_user_id" not in client.session


def test_a_provider_that_is_down_never_gives_a_5xx_nor_stops_password_logins(bou_user, oidc_settings):
    oidc_settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    client = Client()
    r = client.get("/logga-in/oidc/")
    assert r.status_code == 302 and r["Location"] == "/logga-in/"
    assert "kunde inte slutföras" in _messages(client)
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 302 and int(client.session["_auth_user_id"]) == bou_user.pk


# --- django-axes and the OIDC backend ------------------------------------------------------------


def test_axes_is_the_first_backend_and_the_oidc_backend_is_there(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "akta.access.oidc.AktaOIDCBackend" in settings.AUTHENTICATION_BACKENDS


def test_refused_oidc_callbacks_are_not_failed_password_attempts(bou_user, oidc_settings, oidc_provider):
    from axes.models import AccessAttempt

    oidc_settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # the stricter choice
    _set_claims(oidc_provider, "9a9a-okand", preferred_username="okand")
    client = Client()
    for _ in range(oidc_settings.AXES_FAILURE_LIMIT + 2):
        _sign_in_at_provider(client, oidc_provider, "9a9a-okand")
    assert AccessAttempt.objects.count() == 0
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 302 and int(client.session["_auth_user_id"]) == bou_user.pk


def test_password_lockout_still_works_with_oidc_on(bou_user, oidc_settings):
    client = Client()
    for _ in range(oidc_settings.AXES_FAILURE_LIMIT):
        client.post("/logga-in/", {"username": "anna", "password": WRONG})
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 429 and "spärrat" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_and_state_on_another_path_do_not_start_an_oidc_exchange(bou_user, oidc_settings):
    """The backend acts only on the callback: HTTP Basic on the API with ?code=&state= is a
    password attempt like any other."""
    import base64

    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"anna:{PASSWORD}".encode()).decode()}
    assert Client().get("/api/cases/?code=abc&state=def", **auth).status_code == 200


def test_csp_is_unchanged_by_oidc(bou_user, oidc_settings, client):
    csp = client.get("/logga-in/")["Content-Security-Policy"]
    assert "form-action 'self'" in csp and "script-src 'self'" in csp


# --- the administrator creates the users the provider's users are matched to --------------------


def test_akta_user_creates_a_user_with_rights_and_no_password_then_the_provider_signs_them_in(
        imported, oidc_settings, oidc_provider):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("user", "a.berg", "--role", "handlaggare", "--unit", "barn_och_unga", stdout=out)
    assert "a.berg: roll handlaggare, enheter barn_och_unga" in out.getvalue()
    assert "inget lokalt lösenord" in out.getvalue()
    user = User.objects.get(username="a.berg")
    assert not user.has_usable_password() and not user.may_view_protected
    with pytest.raises(CommandError, match="--unit"):
        call_command("user", "a.berg", "--unit", "finns_inte")
    with pytest.raises(CommandError, match="--role"):
        call_command("user", "ny.person")
    assert not User.objects.filter(username="ny.person").exists()

    _set_claims(oidc_provider, "77-aberg", preferred_username="a.berg")
    client = Client()
    _sign_in_at_provider(client, oidc_provider, "77-aberg")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/arende/C1/").status_code == 200
    call_command("user", "a.berg", "--active", "nej", stdout=StringIO())
    assert client.get("/arende/C1/").status_code == 302  # a blocked user's session ends


def test_oidc_is_configured_from_the_environment_and_off_without_it(tmp_path):
    from akta.access.tests.test_security import _settings_in_subprocess

    show = "print(settings.OIDC_ENABLED, settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_SCOPES.replace(' ', '+'), settings.OIDC_USERNAME_CLAIM)"
    assert _settings_in_subprocess(tmp_path, {}, show).split()[0] == "False"
    env = {"AKTA_OIDC_ISSUER": "https://login.kommun.se/", "AKTA_OIDC_CLIENT_ID": "akta",
           "AKTA_OIDC_CLIENT_SECRET": "hemligt"}
    assert _settings_in_subprocess(tmp_path, env, show).split() == [
        "True", "https://login.kommun.se", "akta", "openid+profile", "preferred_username"]
    assert _settings_in_subprocess(tmp_path, {**env, "AKTA_OIDC_CLIENT_SECRET": ""}, show).split()[0] == "False"
    env.update(AKTA_OIDC_SCOPES="openid profile email", AKTA_OIDC_USERNAME_CLAIM="upn",
               AKTA_OIDC_TOKEN_ENDPOINT="https://login.kommun.se/token")
    out = _settings_in_subprocess(tmp_path, env, show + "; print(settings.OIDC_OP_TOKEN_ENDPOINT)").split()
    assert out[3:] == ["openid+profile+email", "upn", "https://login.kommun.se/token"]


def test_next_to_another_site_is_not_followed_after_sign_in(bou_user, oidc_settings, oidc_provider):
    _set_claims(oidc_provider, "5f1c-anna", preferred_username="anna")
    r = _sign_in_at_provider(Client(), oidc_provider, "5f1c-anna", next_url="https://angripare.example/")
    assert r.status_code == 302 and r["Location"] == "/"
