"""Sign-in hardening and response headers (issue 10: brute force, passwords, sessions, CSP, caching)."""
import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from akta.conftest import PASSWORD

WRONG = "fel-lösenord-igen"


def _basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


# --- brute force ---------------------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in_on_the_web(bou_user):
    client = Client()
    for _ in range(30):
        r = client.post("/logga-in/", {"username": "anna", "password": WRONG})
        assert r.status_code in (200, 429)
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 429
    assert "spärrat" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still sent to the login page


def test_lockout_comes_after_the_configured_number_of_failures(bou_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        client.post("/logga-in/", {"username": "anna", "password": WRONG})
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 302 and "_auth_user_id" in client.session  # 2 < 3: not yet locked


def test_thirty_wrong_passwords_then_the_right_one_does_not_authenticate_on_the_api(bou_user):
    client = Client()
    for _ in range(30):
        assert client.get("/api/cases/", **_basic("anna", WRONG)).status_code in (401, 403, 429)
    r = client.get("/api/cases/", **_basic("anna", PASSWORD))
    assert r.status_code in (401, 403, 429)
    assert "C1" not in r.content.decode()
    assert "spärrat" in r.json()["detail"]


def test_api_failures_also_lock_the_web_login(bou_user):
    client = Client()
    for _ in range(10):
        client.get("/api/cases/", **_basic("anna", WRONG))
    r = client.post("/logga-in/", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in client.session


def test_right_password_on_the_api_works_without_failures(bou_user):
    assert Client().get("/api/cases/", **_basic("anna", PASSWORD)).status_code == 200


# --- passwords and sessions ----------------------------------------------------------------------


def test_short_passwords_are_refused_and_the_demo_password_is_valid(db):
    with pytest.raises(ValidationError):
        validate_password("anna123456")
    with pytest.raises(ValidationError):
        validate_password("elva-tecken")  # 11 characters
    validate_password("akta-demo-2026")


def test_password_change_page_is_in_swedish_and_linked_from_the_header(bou_user, client):
    client.force_login(bou_user)
    page = client.get("/").content.decode()
    assert 'href="/konto/losenord/"' in page and "Byt lösenord" in page
    r = client.get("/konto/losenord/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<h1>Byt lösenord</h1>" in body and "Gammalt lösenord" in body and "minst 12 tecken" in body


def test_password_change_refuses_a_short_password_and_accepts_a_long_one(bou_user, client):
    client.force_login(bou_user)
    r = client.post("/konto/losenord/", {"old_password": PASSWORD, "new_password1": "anna123456",
                                         "new_password2": "anna123456"})
    assert r.status_code == 200 and "minst 12 tecken" in r.content.decode()
    bou_user.refresh_from_db()
    assert bou_user.check_password(PASSWORD)
    new = "ett-nytt-långt-lösen"
    r = client.post("/konto/losenord/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert r.status_code == 302 and r["Location"] == "/konto/losenord/klart/"
    bou_user.refresh_from_db()
    assert bou_user.check_password(new)
    assert client.get("/konto/losenord/klart/").status_code == 200  # still logged in


def test_password_change_needs_login(db, client):
    r = client.get("/konto/losenord/")
    assert r.status_code == 302 and r["Location"].startswith("/logga-in/")


def test_sessions_end_after_the_idle_time(bou_user, client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(bou_user)
    r = client.get("/")
    assert r.cookies["sessionid"]["max-age"] == 30 * 60  # renewed on each request: an idle timeout


def test_idle_time_comes_from_the_environment(tmp_path):
    out = _settings_in_subprocess(tmp_path, {"AKTA_SESSION_IDLE_MINUTES": "5", "AKTA_LOGIN_FAILURE_LIMIT": "7"},
                                  "print(settings.SESSION_COOKIE_AGE, settings.AXES_FAILURE_LIMIT, settings.DEBUG)")
    assert out.split() == ["300", "7", "False"]


# --- headers and defaults ------------------------------------------------------------------------


def test_debug_is_off_unless_asked_for(tmp_path):
    assert _settings_in_subprocess(tmp_path, {}, "print(settings.DEBUG)").strip() == "False"
    assert _settings_in_subprocess(tmp_path, {"AKTA_DEBUG": "1"}, "print(settings.DEBUG)").strip() == "True"
    assert _settings_in_subprocess(tmp_path, {"AKTA_DEBUG": "1", "AKTA_ENV": "production", "AKTA_SECRET_KEY": "x" * 60},
                                   "print(settings.DEBUG)").strip() == "False"


def _settings_in_subprocess(tmp_path, extra, code):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKTA_")}
    env.update(AKTA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="akta.settings", **extra)
    r = subprocess.run([sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_schema_requires_login(bou_user, client):
    assert Client().get("/api/schema/").status_code in (401, 403)
    client.force_login(bou_user)
    assert client.get("/api/schema/").status_code == 200


def test_every_page_and_api_response_is_not_stored(bou_user, client):
    client.force_login(bou_user)
    for url in ("/", "/arende/C1/", "/api/cases/", "/api/cases/C1/", "/logg/", "/bevakningar/mina/"):
        r = client.get(url)
        assert "no-store" in r.get("Cache-Control", ""), url
    assert "no-store" in Client().get("/logga-in/").get("Cache-Control", "")


def test_content_security_policy_allows_only_own_scripts_and_styles(bou_user, client):
    client.force_login(bou_user)
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe" not in csp


TEMPLATES = Path(__file__).resolve().parents[2]
# What a CSP without 'unsafe-inline' refuses in a page: inline scripts, inline event handlers,
# style attributes and <style> blocks, javascript: URLs and htmx's evaluated attributes.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:|hx-on|hx-vars|js:", re.I)
# Rendered only into PDF (WeasyPrint), never served to a browser.
PRINT_ONLY = {"quality/document.html", "followup/pack_print.html", "deadlines/evb_print.html",
              "followup/internal_control_print.html"}


def test_no_template_has_inline_script_handler_or_style():
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        rel = path.as_posix().split("/templates/", 1)[1]
        if rel in PRINT_ONLY:
            continue
        for no, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{rel}:{no}: {line.strip()[:80]}")
    assert offenders == []


def test_htmx_adds_no_inline_indicator_styles(bou_user, client):
    client.force_login(bou_user)
    page = client.get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
