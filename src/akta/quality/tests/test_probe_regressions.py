"""The probe's findings in the quality registers (issue 10), each as the probe sent it.

Items: 3 (deviation reports show identities from other units), 9 (crashes on malformed query
strings and POST values, web and API), 10 (the API accepted a deviation in a unit the user does
not belong to).
"""
import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from akta.cases.models import Case
from akta.quality import models as m
from akta.quality import services

P1_PNR = "20150310-2384"
API = "/api/kvalitet"


def mentions(text, ext_id):
    """The id as a word (a random CSRF token may hold the same letters)."""
    return re.search(rf"\b{re.escape(ext_id)}\b", text) is not None


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def deviation(user, unit, case=None):
    return services.create(m.Deviation, user, category="sekretess", event_date=dt.date(2024, 3, 1),
                           reported_on=dt.date(2024, 3, 2), unit=unit, description="Fax till fel mottagare.",
                           reporter=user, case=case)


# --- 3. Deviation reports show identities from other units ----------------------------------


@pytest.fixture
def foreign_deviation(imported, bou_user, unit):
    from akta.cases.models import Person

    Person.objects.filter(ext_id="P1").update(name="Lisa Lindqvist")
    return deviation(bou_user, unit, Case.objects.get(ext_id="C1"))


def test_a_deviation_shows_no_identity_of_a_case_the_user_cannot_open(login, ku, foreign_deviation):
    client = login(ku)
    assert client.get(reverse("cases:detail", args=["C1"])).status_code == 404
    body = client.get(reverse("quality:detail", args=["avvikelser", foreign_deviation.pk])).content.decode()
    assert "Lisa Lindqvist" not in body and P1_PNR not in body and not mentions(body, "C1")
    assert "en enhet som du inte har behörighet till" in body


def test_the_deviation_api_and_its_history_show_no_case_id_either(login, ku, foreign_deviation):
    client = login(ku)
    assert client.get(f"{API}/avvikelser/{foreign_deviation.pk}/").json()["case"] is None
    assert not mentions(json.dumps(client.get(f"{API}/avvikelser/{foreign_deviation.pk}/historik/").json()), "C1")
    assert all(row["case"] is None for row in client.get(f"{API}/avvikelser/").json()["results"])


def test_a_manager_of_the_unit_still_sees_the_person(login, chief, foreign_deviation):
    body = login(chief).get(reverse("quality:detail", args=["avvikelser", foreign_deviation.pk])).content.decode()
    assert "Lisa Lindqvist" in body and "(ärende C1)" in body


def test_a_deviation_cannot_be_linked_to_a_case_outside_the_users_units(login, ku, unit):
    response = login(ku).post(reverse("quality:create", args=["avvikelser"]), {
        "category": "handlaggning", "event_date": "2024-03-01", "reported_on": "2024-03-04", "unit": unit.pk,
        "description": "x", "case_ext_id": "C1"})
    assert response.status_code == 200 and "det finns inget sådant ärende" in response.content.decode()
    assert not m.Deviation.objects.exists()


def test_the_edit_form_shows_no_case_id_the_user_cannot_open_and_keeps_the_link(login, ku, foreign_deviation):
    """Found by the access matrix (src/akta/tests/test_access_matrix.py): the detail page masked the
    case, the edit form prefilled its id; saving the form with the field empty unlinked it."""
    client = login(ku)
    url = reverse("quality:edit", args=["avvikelser", foreign_deviation.pk])
    body = client.get(url).content.decode()
    assert not mentions(body, "C1") and "Lisa Lindqvist" not in body
    assert "en enhet som du inte har behörighet till" in body
    r = client.post(url, {"category": "sekretess", "event_date": "2024-03-01", "reported_on": "2024-03-02",
                          "unit": foreign_deviation.unit_id, "description": "Fax till fel mottagare, ändrad.",
                          "case_ext_id": "", "version": foreign_deviation.version})
    assert r.status_code == 302
    saved = m.Deviation.objects.get(pk=foreign_deviation.pk)
    assert saved.description.endswith("ändrad.") and saved.case.ext_id == "C1"


def test_a_manager_of_the_case_still_sees_the_case_id_in_the_edit_form(login, chief, foreign_deviation):
    body = login(chief).get(reverse("quality:edit", args=["avvikelser", foreign_deviation.pk])).content.decode()
    assert 'value="C1"' in body


# --- 10. The API accepts what the web form refuses --------------------------------------------


def test_the_api_refuses_a_deviation_in_another_unit_like_the_form(login, eb_user, unit):
    body = {"category": "rutin", "event_date": "2024-04-01", "reported_on": "2024-04-02", "unit": unit.pk,
            "description": "x"}
    client = login(eb_user)  # a caseworker in ekonomiskt bistånd; `unit` is barn och unga
    form = client.post(reverse("quality:create", args=["avvikelser"]), body)
    assert form.status_code == 200 and not m.Deviation.objects.exists()
    r = client.post(f"{API}/avvikelser/", body, content_type="application/json")
    assert r.status_code == 400 and "unit" in r.json() and "egna enheter" in r.json()["unit"][0]
    assert not m.Deviation.objects.exists()
    own = eb_user.units.get()
    r = client.post(f"{API}/avvikelser/", {**body, "unit": own.pk}, content_type="application/json")
    assert r.status_code == 201


# --- 9. Crash defects --------------------------------------------------------------------------


@pytest.mark.parametrize("url, field", [
    ("/kvalitet/avvikelser/?ar=99999999999", "År"),
    ("/kvalitet/klagomal/?ar=99999999999", "År"),
    ("/kvalitet/avvikelser/?unit=abc", "Enhet"),
    ("/kvalitet/styrdokument/granskning/?dagar=abc", "Dagar"),
    ("/kvalitet/styrdokument/granskning/?dagar=99999999999", "Dagar"),
    ("/kvalitet/styrdokument/granskning/?dagar=-99999999", "Dagar"),
    ("/kvalitet/rapporter/kvalitetsberattelse-0.pdf", "År"),
    ("/kvalitet/rapporter/kvalitetsberattelse-99999.docx", "År"),
    ("/kvalitet/avvikelser/statistik/?ar=99999999999", "År"),
    ("/kvalitet/rapporter/internkontroll-2024.pdf?till=2024-13-45", "Till och med"),
])
def test_malformed_query_strings_are_a_400_naming_the_field(login, ku, url, field):
    response = login(ku).get(url)
    assert response.status_code == 400, url
    assert f"{field}:" in response.content.decode()


@pytest.fixture
def risk(ku):
    return services.create(m.Risk, ku, title="Utredningstid", likelihood=3, consequence=4,
                           identified_on=dt.date(2024, 1, 5), owner=ku)


@pytest.mark.parametrize("version", ["abc", "", "1.5", "-1"])
def test_a_malformed_version_on_the_web_is_a_400_naming_the_field(login, ku, chief, risk, unit, version):
    dev = deviation(chief, unit)
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="halvar", owner=ku)
    rnd = services.start_round(plan, ku, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=5)
    client = login(ku)
    for url, data in (
        (reverse("quality:edit", args=["risker", risk.pk]), {"title": "Ny", "likelihood": 3, "consequence": 4,
                                                             "identified_on": "2024-01-05", "status": "aktiv"}),
        (reverse("quality:step", args=["avvikelser", dev.pk, "utredd"]), {"steg-utredd-investigated_on": "2024-03-05"}),
        (reverse("quality:close_round", args=[rnd.pk]), {"summary": "Klart"}),
    ):
        response = client.post(url, {**data, "version": version})
        assert response.status_code == 400, url
        assert "Version:" in response.content.decode()
    assert m.Risk.objects.get(pk=risk.pk).version == risk.version


def test_an_owner_that_is_not_a_user_id_is_a_400_in_the_api(login, chief, unit):
    dev = deviation(chief, unit)
    client = login(chief)
    for owner in ("abc", [1], {"a": 1}, True, 10**30):
        r = client.post(f"{API}/avvikelser/{dev.pk}/steg/", {"to": "utredd", "version": dev.version, "owner": owner,
                                                          "investigated_on": "2024-03-05", "analysis": "A"},
                        content_type="application/json")
        assert r.status_code == 400, owner
        assert "owner" in r.json() and "Ansvarig" in r.json()["owner"][0]
    assert m.Deviation.objects.get(pk=dev.pk).status == "rapporterad"


def test_an_owner_that_is_not_a_user_id_is_refused_on_the_web(login, chief, unit):
    dev = deviation(chief, unit)
    response = login(chief).post(reverse("quality:step", args=["avvikelser", dev.pk, "utredd"]), {
        "version": dev.version, "steg-utredd-investigated_on": "2024-03-05", "steg-utredd-owner": "abc"}, follow=True)
    assert response.status_code == 200 and "Ansvarig:" in response.content.decode()
    assert m.Deviation.objects.get(pk=dev.pk).status == "rapporterad"


@pytest.mark.parametrize("version", ["abc", [], {}, 1.5, True])
def test_a_malformed_version_in_the_api_is_a_400(login, ku, risk, version):
    r = login(ku).patch(f"{API}/risker/{risk.pk}/", {"title": "Ny", "version": version},
                        content_type="application/json")
    assert r.status_code == 400 and "version" in r.json()
    assert m.Risk.objects.get(pk=risk.pk).title == "Utredningstid"


@pytest.mark.parametrize("field", ["category", "description"])
def test_a_lone_surrogate_in_the_quality_api_is_a_400(login, chief, unit, field):
    body = {"category": "rutin", "event_date": "2024-04-01", "reported_on": "2024-04-02", "unit": unit.pk,
            "description": "x", field: "\ud800"}
    r = login(chief).post(f"{API}/avvikelser/", json.dumps(body), content_type="application/json")
    assert r.status_code == 400 and field in r.json()
    assert not m.Deviation.objects.exists()



# --- 7. Denied attempts leave a trace ------------------------------------------------------------


def test_opening_someone_elses_deviation_is_a_404_with_a_trace(login, bou_user, eb_user, unit):
    from akta.audit.models import AuditEntry
    from akta.cases.models import Person

    dev = deviation(bou_user, unit, Case.objects.get(ext_id="C1"))
    start = AuditEntry.objects.count()
    client = login(eb_user)
    other = client.get(reverse("quality:detail", args=["avvikelser", dev.pk]))
    missing = client.get(reverse("quality:detail", args=["avvikelser", dev.pk + 1000]))
    assert other.status_code == missing.status_code == 404
    denied = list(AuditEntry.objects.filter(seq__gt=start).values_list("action", "object_id", "person_id"))
    assert denied == [(AuditEntry.DENIED, dev.number, Person.objects.get(ext_id="P1").pk),
                      (AuditEntry.DENIED, str(dev.pk + 1000), None)]


def test_the_api_logs_a_denied_deviation_too(login, bou_user, eb_user, unit):
    from akta.audit.models import AuditEntry

    dev = deviation(bou_user, unit, Case.objects.get(ext_id="C1"))
    start = AuditEntry.objects.count()
    assert login(eb_user).get(f"{API}/avvikelser/{dev.pk}/").status_code == 404
    assert list(AuditEntry.objects.filter(seq__gt=start).values_list("action", "object_id")) == [
        (AuditEntry.DENIED, dev.number)]


# --- Found by the page fuzzer (src/akta/tests/test_page_fuzz.py) ---------------------------


def test_the_history_with_a_format_suffix_answers_instead_of_crashing(login, ku, risk):
    """GET /api/kvalitet/…/{id}/historik.json crashed: the router passes `format` to the action."""
    r = login(ku).get(f"{API}/risker/{risk.pk}/historik.json")
    assert r.status_code == 200 and r.json()[0]["action"]
    assert login(ku).get(f"{API}/styrdokument/99999999999999999999/historik.json").status_code == 404


def test_a_step_with_a_format_suffix_answers_instead_of_crashing(login, chief, unit):
    dev = deviation(chief, unit)
    r = login(chief).post(f"{API}/avvikelser/{dev.pk}/steg.json", {"to": "x", "version": "abc"},
                          content_type="application/json")
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["99999999999999999999/fil/1/", "1/fil/99999999999999999999/"])
def test_a_document_file_id_that_cannot_exist_is_a_404(login, chief, path):
    """GET /kvalitet/styrdokument/99999999999999999999/fil/1/ was an OverflowError (500) on SQLite."""
    assert login(chief).get(f"/kvalitet/styrdokument/{path}").status_code == 404
