"""The quality API: the same permissions, optimistic locking and workflow as the web pages."""
import datetime as dt

import pytest

from akta.audit.models import AuditEntry
from akta.quality import models as m
from akta.quality import services

pytestmark = pytest.mark.urls("akta.quality.tests.urls")
API = "/api/kvalitet"


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_report_flow_through_the_api(api, bou_user, chief, unit):
    client = api(bou_user)
    r = client.post(f"{API}/avvikelser/", {"category": "rutin", "event_date": "2024-04-01", "reported_on": "2024-04-02",
                                           "unit": unit.pk, "description": "Rutinen följdes inte.", "case": "C1"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "AV-2024-0001" and body["status"] == "rapporterad" and body["next_steps"] == ["utredd"]
    pk = body["id"]
    # The reporter may not take steps; the manager may, but not skip one.
    assert client.post(f"{API}/avvikelser/{pk}/steg/", {"to": "utredd", "version": 1},
                       content_type="application/json").status_code == 403
    chief_client = api(chief)
    r = chief_client.post(f"{API}/avvikelser/{pk}/steg/", {"to": "avslutad", "version": 1, "closed_on": "2024-04-09"},
                          content_type="application/json")
    assert r.status_code == 400 and "status" in r.json()
    r = chief_client.post(f"{API}/avvikelser/{pk}/steg/", {"to": "utredd", "version": 1, "investigated_on": "2024-04-05",
                                                            "analysis": "A", "cause": "C", "owner": chief.pk},
                          content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "utredd" and r.json()["version"] == 2
    r = chief_client.patch(f"{API}/avvikelser/{pk}/", {"description": "Ny", "version": 1},
                           content_type="application/json")
    assert r.status_code == 409
    r = chief_client.patch(f"{API}/avvikelser/{pk}/", {"description": "Ny"}, content_type="application/json")
    assert r.status_code == 400 and "version" in r.json()
    r = chief_client.patch(f"{API}/avvikelser/{pk}/", {"description": "Ny", "version": 2, "status": "avslutad"},
                           content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "utredd"  # status only changes through steps
    history = chief_client.get(f"{API}/avvikelser/{pk}/historik/").json()
    assert [h["action"] for h in history] == ["skapad", "steg: Registrera utredning", "ändrad"]


def test_reading_a_report_about_a_person_is_logged(api, bou_user, ku, unit):
    from akta.cases.models import Case

    dev = services.create(m.Deviation, bou_user, category="rutin", event_date=dt.date(2024, 4, 1),
                          reported_on=dt.date(2024, 4, 1), unit=unit, description="x", reporter=bou_user,
                          case=Case.objects.get(ext_id="C1"))
    r = api(ku).get(f"{API}/avvikelser/{dev.pk}/")
    # The kvalitetsutvecklare has no case units: the report is read, the case id is not shown
    # (the case pages give that user a 404 on C1; issue 10 item 3).
    assert r.status_code == 200 and r.json()["case"] is None
    entry = AuditEntry.objects.filter(action=AuditEntry.READ).order_by("-seq").first()
    assert (entry.username, entry.object_id, entry.context) == ("david", dev.number, "kvalitet api")


def test_visibility_and_roles(api, bou_user, eb_user, sysadmin, ku, unit):
    services.create(m.Deviation, eb_user, category="rutin", event_date=dt.date(2024, 4, 1),
                    reported_on=dt.date(2024, 4, 1), unit=unit, description="x", reporter=eb_user)
    assert api(bou_user).get(f"{API}/avvikelser/").json()["count"] == 0
    assert api(bou_user).get(f"{API}/risker/").status_code == 403
    assert api(sysadmin).get(f"{API}/styrdokument/").status_code == 403
    assert api(sysadmin).get(f"{API}/avvikelser/").status_code == 403
    assert api(ku).get(f"{API}/avvikelser/").json()["count"] == 1
    r = api(ku).post(f"{API}/risker/", {"title": "R", "likelihood": 4, "consequence": 2, "identified_on": "2024-01-01",
                                        "owner": ku.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["number"] == "RI-2024-0001"
    r = api(ku).post(f"{API}/risker/", {"title": "R", "likelihood": 5, "consequence": 2, "identified_on": "2024-01-01",
                                        "owner": ku.pk}, content_type="application/json")
    assert r.status_code == 400
    assert api(ku).delete(f"{API}/risker/1/").status_code == 405


def test_schema_includes_the_quality_api(api, ku, settings):
    settings.ROOT_URLCONF = "akta.quality.tests.urls"
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="akta.quality.tests.urls").get_schema(request=None, public=True)
    assert "/api/kvalitet/avvikelser/{id}/steg/" in schema["paths"]
