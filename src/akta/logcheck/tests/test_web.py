"""The loggkontroll page: who may see it, its three questions, and the chain check."""
import pytest
from django.db import connection
from django.urls import reverse

from akta.access.models import Role
from akta.access.services import PROTECTED_LABEL
from akta.audit.models import AuditEntry
from akta.cases.models import Person

P4_PNR = "20120704-2381"


@pytest.fixture
def reads(client, bou_user, chief):
    """anna opens C1 and C4 (protected P4); cecilia opens C2."""
    client.force_login(bou_user)
    client.get(reverse("cases:detail", args=["C1"]))
    client.get(reverse("cases:detail", args=["C4"]))
    client.force_login(chief)
    client.get(reverse("cases:detail", args=["C2"]))
    client.logout()


def rows(response):
    return response.content.decode().count('<th scope="row">')


def test_anonymous_is_sent_to_login(client, imported):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.HANDLAGGARE, Role.REGISTRATOR, Role.NAMNDSEKRETERARE])
def test_roles_without_the_right_get_403(client, make_user, imported, role):
    client.force_login(make_user("x", role=role, units=["barn_och_unga"]))
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:verify")).status_code == 403


@pytest.mark.parametrize("role", [Role.ENHETSCHEF, Role.SYSTEMFORVALTARE, Role.KVALITETSUTVECKLARE])
def test_audit_roles_see_the_page(client, make_user, imported, role):
    client.force_login(make_user("x", role=role))
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    assert "Loggkontroll" in response.content.decode()


def test_viewing_the_log_is_not_a_person_read(client, chief, reads):
    before = AuditEntry.objects.count()
    client.force_login(chief)
    client.get(reverse("audit:log"), {"fraga": "skyddade"})
    client.get(reverse("audit:log"), {"fraga": "person", "person": "P1"})
    assert AuditEntry.objects.count() == before


def test_who_accessed_person_by_personnummer(client, chief, reads):
    client.force_login(chief)
    response = client.get(reverse("audit:log"), {"fraga": "person", "person": "20150310-2384"})
    body = response.content.decode()
    assert rows(response) == 1
    assert "anna" in body and "personakt" in body and "case C1" in body


def test_who_accessed_person_by_id(client, chief, reads):
    client.force_login(chief)
    response = client.get(reverse("audit:log"), {"fraga": "person", "person": "P2"})
    assert rows(response) == 1 and "cecilia" in response.content.decode()


def test_what_user_accessed(client, chief, reads):
    client.force_login(chief)
    response = client.get(reverse("audit:log"), {"fraga": "anvandare", "anvandare": "anna"})
    body = response.content.decode()
    assert rows(response) == 2
    assert "case C1" in body and "case C4" in body and "case C2" not in body


def test_every_access_to_protected_persons(client, chief, reads):
    client.force_login(chief)
    response = client.get(reverse("audit:log"), {"fraga": "skyddade"})
    body = response.content.decode()
    assert rows(response) == 1
    assert "case C4" in body and P4_PNR in body  # the chief has the explicit right


def test_protected_person_is_masked_for_an_auditor_without_the_right(client, make_user, reads):
    client.force_login(make_user("david", role=Role.KVALITETSUTVECKLARE))
    response = client.get(reverse("audit:log"), {"fraga": "skyddade"})
    body = response.content.decode()
    assert rows(response) == 1 and PROTECTED_LABEL in body and P4_PNR not in body
    # and a search for the protected person finds nothing, by number or by id
    for q in (P4_PNR, "P4"):
        found = client.get(reverse("audit:log"), {"fraga": "person", "person": q})
        assert rows(found) == 0 and "Ingen person hittades" in found.content.decode()


def test_empty_question_names_the_field(client, chief, imported):
    client.force_login(chief)
    body = client.get(reverse("audit:log"), {"fraga": "anvandare", "anvandare": ""}).content.decode()
    assert "Fel: Användarnamn:" in body and 'aria-describedby="id_anvandare_fel"' in body


def test_verify_reports_an_intact_chain(client, chief, reads):
    client.force_login(chief)
    body = client.get(reverse("audit:verify")).content.decode()
    assert "Loggen är intakt" in body and "<html" in body
    fragment = client.get(reverse("audit:verify"), HTTP_HX_REQUEST="true").content.decode()
    assert "Loggen är intakt" in fragment and "<html" not in fragment


def test_verify_reports_a_tampered_row(client, chief, reads):
    entry = AuditEntry.objects.filter(username="anna").first()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {AuditEntry._meta.db_table} SET username = %s WHERE id = %s", ["mallory", entry.pk])
    client.force_login(chief)
    body = client.get(reverse("audit:verify")).content.decode()
    assert "Loggen är inte intakt" in body and f"post {entry.seq}: innehållet har ändrats" in body


def test_person_lookup_with_10_digits(client, chief, reads):
    client.force_login(chief)
    response = client.get(reverse("audit:log"), {"fraga": "person", "person": "150310-2384"})
    assert rows(response) == 1
    assert Person.objects.filter(pnr_key__endswith="1503102384").count() == 1
