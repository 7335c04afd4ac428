"""The REST API (akta.cases.api): same permissions as the web pages, masking, read log, writes.

Data: the hand-made valid exchange (conftest `imported`). bou_user works in barn_och_unga
(C1, C4; P4 in C4 is protected), the chief in every unit with the right to see protected persons.
"""
import base64

import pytest
from rest_framework.test import APIClient

from akta.access.models import Role
from akta.audit.models import AuditEntry
from akta.cases.models import Case, Event, Person
from akta.conftest import PASSWORD

P4_PNR = "20120704-2381"


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def bou(bou_user, client_for):
    return client_for(bou_user)


@pytest.fixture
def boss(chief, client_for):
    return client_for(chief)


def ids(response):
    return sorted(item["id"] for item in response.json()["results"])


def version_of(ext_id):
    return Case.objects.get(ext_id=ext_id).version


# --- authentication and unit restriction ------------------------------------------------------


@pytest.mark.parametrize("method, url", [
    ("get", "/api/cases/"),
    ("get", "/api/cases/C1/"),
    ("get", "/api/cases/C1/events/"),
    ("post", "/api/cases/C1/events/"),
    ("post", "/api/cases/"),
    ("get", "/api/persons/P1/"),
])
def test_unauthenticated_is_refused(imported, method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_basic_auth(bou_user):
    token = base64.b64encode(f"anna:{PASSWORD}".encode()).decode()
    response = APIClient().get("/api/cases/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
    assert ids(response) == ["C1", "C4"]


def test_case_list_shows_only_own_units(bou, boss, eb_user, client_for):
    assert ids(bou.get("/api/cases/")) == ["C1", "C4"]
    assert ids(client_for(eb_user).get("/api/cases/")) == ["C2"]
    assert ids(boss.get("/api/cases/")) == ["C1", "C2", "C3", "C4", "C5"]


@pytest.mark.parametrize("url", ["/api/cases/C2/", "/api/cases/C2/events/", "/api/persons/P2/", "/api/cases/NOPE/"])
def test_other_units_are_404_not_403(bou, url):
    response = bou.get(url)
    assert response.status_code == 404


def test_writing_in_other_unit_is_404(bou):
    before = Event.objects.count()
    response = bou.post("/api/cases/C2/events/", {"type": "avflyttad", "date": "2024-05-01", "version": version_of("C2")}, format="json")
    assert response.status_code == 404
    assert Event.objects.count() == before


def test_role_without_case_work_sees_nothing_and_cannot_write(make_user, client_for, imported):
    registrar = client_for(make_user("rut", role=Role.REGISTRATOR, units=["barn_och_unga"]))
    assert registrar.get("/api/cases/").json()["count"] == 0
    assert registrar.get("/api/cases/C1/").status_code == 404
    response = registrar.post("/api/cases/C4/events/", {"type": "avflyttad", "date": "2025-01-01", "version": 1}, format="json")
    assert response.status_code == 403


# --- masking of protected identity ----------------------------------------------------------

MASKED = {"id": "P4", "personnummer": None, "birth_date": None, "sex": "okänt", "protected_identity": True, "name": "Skyddad identitet"}


def test_protected_person_is_masked_everywhere_for_user_without_right(bou):
    detail = bou.get("/api/cases/C4/").json()
    assert detail["person"] == MASKED
    listed = {c["id"]: c for c in bou.get("/api/cases/").json()["results"]}
    assert listed["C4"]["person"] == MASKED
    person = bou.get("/api/persons/P4/").json()
    assert {k: person[k] for k in MASKED} == MASKED
    assert person["cases"] == ["C4"]
    # Nothing of the real identity leaks anywhere in the responses.
    for response in (bou.get("/api/cases/C4/"), bou.get("/api/cases/"), bou.get("/api/persons/P4/"), bou.get("/api/cases/C4/events/")):
        assert b"2381" not in response.content and b"2012-07-04" not in response.content


def test_protected_person_is_visible_with_the_right(boss):
    person = boss.get("/api/persons/P4/").json()
    assert person["personnummer"] == P4_PNR
    assert person["birth_date"] == "2012-07-04"
    assert person["sex"] == "kvinna"
    assert person["protected_identity"] is True
    assert boss.get("/api/cases/C4/").json()["person"]["personnummer"] == P4_PNR


def test_unprotected_person(bou):
    person = bou.get("/api/persons/P1/").json()
    assert person["personnummer"] == "20150310-2384"
    assert person["birth_date"] == "2015-03-10"
    assert person["cases"] == ["C1"]


def test_personnummer_filter_never_finds_a_masked_person(bou, boss):
    assert ids(bou.get("/api/cases/", {"personnummer": P4_PNR})) == []
    assert ids(bou.get("/api/cases/", {"personnummer": P4_PNR.replace("-", "")})) == []
    assert ids(boss.get("/api/cases/", {"personnummer": P4_PNR})) == ["C4"]
    assert ids(bou.get("/api/cases/", {"personnummer": "201503102384"})) == ["C1"]


# --- filters and pagination -------------------------------------------------------------------


def test_filters(bou, boss):
    assert ids(bou.get("/api/cases/", {"status": "closed"})) == ["C1"]
    assert ids(bou.get("/api/cases/", {"status": "open"})) == ["C4"]
    assert ids(boss.get("/api/cases/", {"area": "ekonomiskt_bistand"})) == ["C2"]
    assert ids(boss.get("/api/cases/", {"person": "P1"})) == ["C1"]
    assert ids(boss.get("/api/cases/", {"status": "closed"})) == ["C1", "C3"]
    assert ids(boss.get("/api/cases/", {"status": "open", "area": "barn_och_unga"})) == ["C4"]
    # A person outside the user's units is not found through the filter.
    assert ids(bou.get("/api/cases/", {"person": "P2"})) == []
    statuses = {c["id"]: c["status"] for c in boss.get("/api/cases/").json()["results"]}
    assert statuses == {"C1": "closed", "C2": "open", "C3": "closed", "C4": "open", "C5": "open"}


def test_status_filter_follows_corrections(bou, boss):
    """A case closed by an event that a later correction annuls is open again."""
    from django.utils import timezone

    closing = Event.objects.get(ext_id="E13")
    Event.objects.create(ext_id="E13-makulerad", case=closing.case, type=closing.type, date=closing.date,
                         recorded_at=timezone.now(), corrects=closing, voided=True)
    assert ids(bou.get("/api/cases/", {"status": "closed"})) == []
    assert ids(bou.get("/api/cases/", {"status": "open"})) == ["C1", "C4"]
    assert bou.get("/api/cases/C1/").json()["status"] == "open"


@pytest.mark.parametrize("params, field", [
    ({"area": "okänt"}, "area"),
    ({"status": "stängd"}, "status"),
    ({"personnummer": "12"}, "personnummer"),
    ({"limit": "abc"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "99999999999999999999999"}, "offset"),
])
def test_bad_filter_is_400_naming_the_parameter(bou, params, field):
    response = bou.get("/api/cases/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_pagination(boss):
    page = boss.get("/api/cases/", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["next"] and page["previous"]


# --- case detail, state and timeline ----------------------------------------------------------


def test_case_detail_has_state_and_person(bou):
    c4 = bou.get("/api/cases/C4/").json()
    assert c4["area"] == "barn_och_unga" and c4["unit"] == "barn_och_unga" and c4["opened"] == "2024-06-19"
    assert c4["status"] == "open"
    st = c4["state"]
    assert st["status"] == "open" and st["closed_on"] is None
    assert st["open_investigations"] == [{"id": "E42", "date": "2024-07-04"}]
    assert [d["beslut_id"] for d in st["active_interventions"]] == ["E43"]
    assert st["active_interventions"][0]["implemented_on"] == "2024-09-01"
    assert [d["beslut_id"] for d in st["awaiting_implementation"]] == ["E46"]
    assert st["awaiting_implementation"][0]["legal_basis"] == "LSS 9 § 6"
    assert st["interrupted"] == []
    c1 = bou.get("/api/cases/C1/").json()
    assert c1["status"] == "closed" and c1["state"]["closed_on"] == "2025-10-01"
    assert c1["person"]["id"] == "P1"


def test_timeline_in_exchange_field_names_with_corrections_applied(bou):
    events = bou.get("/api/cases/C4/events/").json()
    by_id = {e["id"]: e for e in events}
    assert "E41" not in by_id  # replaced by its correction
    assert by_id["E47"]["corrects"] == "E41"
    assert by_id["E47"]["outcome"] == "inleda_utredning"
    assert by_id["E47"]["aktualisering_id"] == "E40"
    assert by_id["E47"]["recorded_at"].startswith("2024-07-05T")
    assert by_id["E43"] == {
        "id": "E43", "case_id": "C4", "type": "beslut", "date": "2024-09-01", "legal_basis": "LVU 2 §",
        "intervention": "familjehem", "outcome": "bifall", "utredning_id": "E42", "amount_sek": None,
        "decision_level": None, "delegation_point": None, "decided_by": None, "reason_code": None,  # contract-v2 §1
        "recorded_at": by_id["E43"]["recorded_at"], "corrects": None,
    }
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)


# --- recording events ---------------------------------------------------------------------------


def test_post_event_happy_path(bou, bou_user):
    version = version_of("C4")
    response = bou.post("/api/cases/C4/events/", {"type": "verkstalld", "date": "2024-10-15", "beslut_id": "E46", "version": version}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["type"] == "verkstalld" and body["beslut_id"] == "E46" and body["case_id"] == "C4"
    assert body["case_version"] == version + 1 == version_of("C4")
    event = Event.objects.get(ext_id=body["id"])
    assert event.recorded_by == bou_user
    assert AuditEntry.objects.filter(action=AuditEntry.WRITE, object_id=body["id"], username="anna").exists()
    state = bou.get("/api/cases/C4/").json()["state"]
    assert state["awaiting_implementation"] == []
    assert "E46" in [d["beslut_id"] for d in state["active_interventions"]]
    assert body["id"] in [e["id"] for e in bou.get("/api/cases/C4/events/").json()]


@pytest.mark.parametrize("body, field, words", [
    ({"type": "verkstalld", "date": "2024-10-15"}, "beslut_id", "Beslut"),
    ({"type": "verkstalld", "date": "2024-10-15", "beslut_id": "E99"}, "beslut_id", "ingen sådan händelse"),
    ({"type": "verkstalld", "date": "15/10/2024", "beslut_id": "E46"}, "date", "Datum"),
    ({"type": "verkstalld", "date": "2024-01-01", "beslut_id": "E46"}, "date", "före ärendets öppnande"),
    ({"type": "erbjudande", "date": "2024-10-15", "beslut_id": "E46", "accepted": "ja"}, "accepted", "Accepterat"),
    ({"type": "beslut", "date": "2024-10-15", "legal_basis": "SoL 99", "intervention": "hvb", "outcome": "bifall"}, "legal_basis", "Lagrum"),
    ({"type": "beslut", "date": "2024-10-15", "legal_basis": "SoL 4:1\n", "intervention": "hvb", "outcome": "bifall"}, "legal_basis", "Lagrum"),
    ({"type": "aktualisering", "date": "2024-10-15", "kind": ["anmalan"]}, "kind", "Slag"),
    ({"type": "arende_avslutat", "date": "2024-10-15", "reason": "x" * 501}, "reason", "Orsak"),
    ({"type": "arende_avslutat", "date": "2024-10-15", "reason": "a\x00b"}, "reason", "Orsak"),
    ({"type": "insats_avslutad", "date": "2024-10-15", "beslut_id": "E43"}, "reason", "Orsak"),
    ({"type": "aktualisering", "date": "2024-10-15", "kind": "anmalan", "reasons": ["a\x00b"]}, "reasons", "Skäl"),
    ({"type": "flytt", "date": "2024-10-15"}, "type", "Händelsetyp"),
    ({"type": ["beslut"], "date": "2024-10-15"}, "type", "Händelsetyp"),
    ({"type": "avflyttad", "date": "2024-10-15", "version": "1"}, "version", "Version"),
    ({"type": "beslut", "date": "2024-10-15", "legal_basis": "SoL 4:1", "intervention": "hvb", "outcome": "bifall",
      "amount_sek": 9999999999.999}, "amount_sek", "Belopp"),
    ({"type": "beslut", "date": "2024-10-15", "legal_basis": "SoL 4:1", "intervention": "hvb", "outcome": "bifall",
      "amount_sek": 12.345}, "amount_sek", "decimaler"),
])
def test_post_event_validation_error_names_the_field(bou, body, field, words):
    before = Event.objects.count()
    body = {"version": version_of("C4"), **body}
    response = bou.post("/api/cases/C4/events/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert isinstance(errors[field], list) and words in " ".join(errors[field])
    assert Event.objects.count() == before


def test_post_decision_with_amount(bou):
    body = {"type": "beslut", "date": "2024-10-15", "legal_basis": "SoL 4:2", "intervention": "ekonomiskt_bistand_ovrigt",
            "outcome": "avslag", "amount_sek": 8450.5, "version": version_of("C4")}
    response = bou.post("/api/cases/C4/events/", body, format="json")
    assert response.status_code == 201, response.json()
    timeline = {e["id"]: e for e in bou.get("/api/cases/C4/events/").json()}
    assert timeline[response.json()["id"]]["amount_sek"] == 8450.5


def test_post_event_malformed_body(bou):
    response = bou.post("/api/cases/C4/events/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    response = bou.post("/api/cases/C4/events/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_post_event_with_stale_version_is_409(bou):
    version = version_of("C4")
    first = bou.post("/api/cases/C4/events/", {"type": "overvagande", "date": "2025-03-01", "beslut_id": "E43", "version": version}, format="json")
    assert first.status_code == 201
    before = Event.objects.count()
    second = bou.post("/api/cases/C4/events/", {"type": "overvagande", "date": "2025-03-02", "beslut_id": "E43", "version": version}, format="json")
    assert second.status_code == 409
    assert "ändrats av någon annan" in second.json()["detail"]
    assert Event.objects.count() == before
    assert version_of("C4") == version + 1


# --- opening a case ---------------------------------------------------------------------------


def test_open_case_with_new_person(bou):
    response = bou.post("/api/cases/", {
        "personnummer": "20180101-0016", "area": "barn_och_unga", "unit": "barn_och_unga",
        "date": "2025-01-10", "kind": "anmalan", "reporter": "förskola",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"]["personnummer"] == "20180101-0016"
    assert body["state"]["pending_assessments"][0]["kind"] == "anmalan"
    assert body["version"] == 2  # opened, then the aktualisering recorded
    assert body["id"] in ids(bou.get("/api/cases/", {"limit": 500}))
    events = bou.get(f"/api/cases/{body['id']}/events/").json()
    assert [(e["type"], e["reporter"]) for e in events] == [("aktualisering", "förskola")]


def test_open_case_for_protected_person_stays_masked(bou):
    for person in ({"person_id": "P4"}, {"personnummer": P4_PNR}):
        response = bou.post("/api/cases/", {**person, "area": "barn_och_unga", "unit": "barn_och_unga", "date": "2025-02-01", "kind": "anmalan"}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["person"] == MASKED
    assert Person.objects.filter(personnummer=P4_PNR).count() == 1


@pytest.mark.parametrize("body, field", [
    ({"personnummer": "20180101-0016", "unit": "ekonomiskt_bistand"}, "unit"),
    ({"personnummer": "20180101-0017"}, "personnummer"),
    ({"person_id": "P2"}, "person_id"),  # a person only in another unit's case
    ({"person_id": "P1", "personnummer": "20180101-0016"}, "person_id"),
    ({}, "personnummer"),
    ({"personnummer": "20180101-0016", "date": "2999-01-01"}, "date"),
    ({"personnummer": "20180101-0016", "kind": "brev"}, "kind"),
    ({"birth_date": "2018-01-01", "sex": "x"}, "sex"),
    ({"personnummer": "20180101-0016", "protected_identity": "false"}, "protected_identity"),
])
def test_open_case_validation(bou, body, field):
    persons, cases = Person.objects.count(), Case.objects.count()
    data = {"area": "barn_och_unga", "unit": "barn_och_unga", "date": "2025-01-10", "kind": "anmalan", **body}
    response = bou.post("/api/cases/", data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (Person.objects.count(), Case.objects.count()) == (persons, cases)


# --- read log -----------------------------------------------------------------------------------


def test_reads_are_logged(bou, bou_user):
    start = AuditEntry.objects.count()
    bou.get("/api/cases/C4/")
    bou.get("/api/persons/P4/")
    bou.get("/api/cases/C1/events/")
    entries = list(AuditEntry.objects.order_by("seq")[start:])
    got = [(e.action, e.object_type, e.object_id, e.username, e.context) for e in entries]
    assert got == [
        ("read", "case", "C4", "anna", "api"),
        ("read", "person", "P4", "anna", "api"),
        ("read", "case", "C1", "anna", "api: tidslinje"),
    ]
    p4 = Person.objects.get(ext_id="P4")
    assert entries[0].person_id == p4.pk and entries[0].person_protected
    assert entries[1].person_id == p4.pk and entries[1].user_id == bou_user.pk


def test_refused_reads_are_not_logged_as_reads(bou):
    start = AuditEntry.objects.count()
    bou.get("/api/cases/C2/")
    bou.get("/api/persons/P2/")
    assert not AuditEntry.objects.filter(seq__gt=start, action=AuditEntry.READ).exists()
    # …but as denied attempts (issue 10 item 7), with the person the id belongs to.
    p2 = Person.objects.get(ext_id="P2")
    assert list(AuditEntry.objects.filter(seq__gt=start).values_list("action", "object_id", "person_id")) == [
        (AuditEntry.DENIED, "C2", p2.pk), (AuditEntry.DENIED, "P2", p2.pk)]


# --- schema -------------------------------------------------------------------------------------


def test_openapi_schema_is_valid(bou):
    from drf_spectacular.validation import validate_schema

    response = bou.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    paths = schema["paths"]
    assert {"/api/cases/", "/api/cases/{id}/", "/api/cases/{id}/events/", "/api/persons/{id}/"} <= set(paths)
    assert set(paths["/api/cases/{id}/events/"]["post"]["responses"]) == {"201", "400", "403", "404", "409"}
