"""The case pages, read as specifications: who sees which case, masking, logging, forms."""
import re

import pytest
from django.urls import reverse

from akta.access.services import PROTECTED_LABEL
from akta.audit.models import AuditEntry
from akta.cases.models import Case, Event, EventType, Person
from akta.cases.schema import FIELDS

P4_PNR = "20120704-2381"
NEW_CHILD = "20180315-2386"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def case_ids(response):
    return set(re.findall(r'href="/arende/([^/"]+)/"', response.content.decode()))


def text(response):
    return response.content.decode()


# --- The case list -------------------------------------------------------------------------


def test_list_requires_login(client, imported):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_the_users_units(as_user, bou_user):
    response = as_user(bou_user).get(reverse("cases:list"))
    assert response.status_code == 200
    assert case_ids(response) == {"C1", "C4"}


def test_list_for_a_user_without_case_units_is_empty(as_user, make_user, imported):
    from akta.access.models import Role

    response = as_user(make_user("gun", role=Role.NAMNDSEKRETERARE)).get(reverse("cases:list"))
    assert response.status_code == 200
    assert case_ids(response) == set()
    assert "Registrera aktualisering" not in text(response)


@pytest.mark.parametrize("params, expected", [
    ({}, {"C1", "C2", "C3", "C4", "C5"}),
    ({"area": "ekonomiskt_bistand"}, {"C2"}),
    ({"area": "barn_och_unga"}, {"C1", "C4"}),
    ({"status": "avslutat"}, {"C1", "C3"}),
    ({"status": "oppet"}, {"C2", "C4", "C5"}),
    ({"area": "barn_och_unga", "status": "oppet"}, {"C4"}),
    ({"q": "20150310-2384"}, {"C1"}),
    ({"q": "198507129271"}, {"C2"}),
    ({"q": "C5"}, {"C5"}),
])
def test_list_filters(as_user, chief, params, expected):
    response = as_user(chief).get(reverse("cases:list"), params)
    assert case_ids(response) == expected


def test_list_reopened_case_counts_as_open(as_user, chief):
    """An aktualisering after arende_avslutat re-opens the case (as akta.cases.derived says)."""
    from django.utils import timezone

    case = Case.objects.get(ext_id="C3")
    Event.objects.create(ext_id="E-reopen", case=case, type=EventType.AKTUALISERING, date="2025-01-10",
                         kind="anmalan", recorded_at=timezone.now())
    client = as_user(chief)
    assert "C3" in case_ids(client.get(reverse("cases:list"), {"status": "oppet"}))
    assert "C3" not in case_ids(client.get(reverse("cases:list"), {"status": "avslutat"}))


def test_htmx_request_gets_only_the_table(as_user, chief):
    response = as_user(chief).get(reverse("cases:list"), {"area": "familjeratt"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert "<html" not in body and 'id="arenden"' in body
    assert case_ids(response) == {"C5"}
    assert "HX-Request" in response["Vary"]


def test_list_paginates_by_50(as_user, chief):
    from django.utils import timezone

    unit = Case.objects.get(ext_id="C1").unit
    person = Person.objects.get(ext_id="P1")
    Case.objects.bulk_create([
        Case(ext_id=f"X{i:03}", person=person, area="barn_och_unga", unit=unit, opened=timezone.localdate())
        for i in range(60)
    ])
    client = as_user(chief)
    first = client.get(reverse("cases:list"))
    assert len(case_ids(first)) == 50 and "65 ärenden" in text(first)
    after = re.search(r'efter=([0-9-]+\.[0-9]+)"', text(first)).group(1)
    second = client.get(reverse("cases:list"), {"efter": after})
    assert len(case_ids(second)) == 15 and not set(case_ids(first)) & set(case_ids(second))
    before = re.search(r'fore=([0-9-]+\.[0-9]+)"', text(second)).group(1)
    assert case_ids(client.get(reverse("cases:list"), {"fore": before})) == case_ids(first)
    # The newest first, the same order across the pages.
    all_ids = [i for r in (first, second) for i in dict.fromkeys(re.findall(r'href="/arende/([^/"]+)/"', text(r)))]
    opened = dict(Case.objects.filter(ext_id__in=all_ids).values_list("ext_id", "opened"))
    assert [opened[i] for i in all_ids] == sorted(opened[i] for i in all_ids)[::-1]


@pytest.mark.parametrize("bad", ["2024-13-01.5", "abc", "2024-01-01", "2024-01-01.99999999999999999999"])
def test_a_malformed_page_position_is_a_400_naming_it(as_user, chief, bad):
    response = as_user(chief).get(reverse("cases:list"), {"efter": bad})
    assert response.status_code == 400 and "Sida" in text(response)


def test_list_is_not_logged_as_a_read(as_user, bou_user):
    as_user(bou_user).get(reverse("cases:list"))
    assert not AuditEntry.objects.filter(action=AuditEntry.READ).exists()


# --- Protected identity --------------------------------------------------------------------


def test_protected_person_is_masked_in_the_list(as_user, bou_user):
    body = text(as_user(bou_user).get(reverse("cases:list")))
    assert PROTECTED_LABEL in body
    assert P4_PNR not in body and "201207042381" not in body


def test_search_never_matches_a_protected_person_without_the_right(as_user, bou_user):
    client = as_user(bou_user)
    for q in (P4_PNR, "201207042381", "120704", "C4"):
        assert case_ids(client.get(reverse("cases:list"), {"q": q})) == set(), q


def test_search_finds_a_protected_person_with_the_right(as_user, chief):
    assert case_ids(as_user(chief).get(reverse("cases:list"), {"q": P4_PNR})) == {"C4"}


def test_protected_person_is_masked_on_the_case_page_and_title(as_user, bou_user):
    response = as_user(bou_user).get(reverse("cases:detail", args=["C4"]))
    body = text(response)
    assert response.status_code == 200
    assert P4_PNR not in body and "2012-07-04" not in body
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert PROTECTED_LABEL in title
    assert PROTECTED_LABEL in re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)


def test_chief_sees_the_protected_persons_number(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:detail", args=["C4"])))
    assert P4_PNR in body
    assert P4_PNR in text(as_user(chief).get(reverse("cases:list")))


def test_event_form_masks_the_protected_person(as_user, bou_user):
    body = text(as_user(bou_user).get(reverse("cases:event", args=["C4", "overvagande"])))
    assert P4_PNR not in body and PROTECTED_LABEL in body


# --- The person's file ---------------------------------------------------------------------


def test_case_of_another_unit_is_404_like_a_missing_one(as_user, bou_user):
    client = as_user(bou_user)
    other = client.get(reverse("cases:detail", args=["C2"]))
    missing = client.get(reverse("cases:detail", args=["C999"]))
    assert other.status_code == missing.status_code == 404
    def strip_csrf(r):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(r))

    assert strip_csrf(other) == strip_csrf(missing)
    assert client.get(reverse("cases:event", args=["C2", "verkstalld"])).status_code == 404
    assert client.post(reverse("cases:event", args=["C2", "avflyttad"]), {"date": "2025-01-01", "version": 1}).status_code == 404


def test_opening_a_file_writes_a_read_entry(as_user, bou_user):
    as_user(bou_user).get(reverse("cases:detail", args=["C1"]))
    entry = AuditEntry.objects.get(action=AuditEntry.READ)
    assert (entry.username, entry.object_type, entry.object_id, entry.context) == ("anna", "case", "C1", "personakt")
    assert entry.person_id == Person.objects.get(ext_id="P1").pk


def test_read_of_protected_person_is_flagged(as_user, bou_user):
    as_user(bou_user).get(reverse("cases:detail", args=["C4"]))
    assert AuditEntry.objects.get(action=AuditEntry.READ).person_protected


def test_case_page_shows_timeline_and_state(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:detail", args=["C1"])))
    for label in ("Aktualisering", "Skyddsbedömning", "Förhandsbedömning", "Utredningstiden förlängd",
                  "Beslut", "Verkställt", "Avbrott i verkställighet", "Insats avslutad", "Ärende avslutat"):
        assert label in body
    assert "Kontaktfamilj" in body
    assert "Avslutat</strong> 2025-10-01" in body


def test_case_page_shows_corrections_as_corrections(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:detail", args=["C4"])))
    # E47 corrects E41 (inte inleda → inleda utredning), recorded 2024-07-05 10:15 Swedish time.
    assert "Rättad 2024-07-05 10:15" in body
    assert "Inleda utredning" in body and "Ursprunglig registrering" in body


def test_case_page_shows_voided_events_struck_through(as_user, chief):
    from django.utils import timezone

    e46 = Event.objects.get(ext_id="E46")
    Event.objects.create(ext_id="E46-void", case=e46.case, type=e46.type, date=e46.date, corrects=e46,
                         voided=True, recorded_at=timezone.now(), legal_basis=e46.legal_basis,
                         intervention=e46.intervention, outcome=e46.outcome)
    body = text(as_user(chief).get(reverse("cases:detail", args=["C4"])))
    assert "<del class=\"timeline__type\">Beslut</del>" in body and "Makulerad" in body


def test_case_page_state_awaiting_implementation_with_days(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:detail", args=["C4"])))
    section = body.split("Beslut som väntar på verkställighet", 1)[1].split("</div>", 1)[0]
    assert "Korttidsvistelse" in section and "LSS 9 § 6" in section and "dagar sedan beslutet" in section


def test_person_cases_lists_only_visible_cases(as_user, bou_user):
    from django.utils import timezone

    p1 = Person.objects.get(ext_id="P1")
    eb_unit = Case.objects.get(ext_id="C2").unit
    Case.objects.create(ext_id="C-EB", person=p1, area="ekonomiskt_bistand", unit=eb_unit, opened=timezone.localdate())
    assert "C-EB" not in text(as_user(bou_user).get(reverse("cases:detail", args=["C1"])))


def test_person_cases_links_the_other_visible_cases(as_user, chief):
    from django.utils import timezone

    p1 = Person.objects.get(ext_id="P1")
    eb_unit = Case.objects.get(ext_id="C2").unit
    Case.objects.create(ext_id="C-EB", person=p1, area="ekonomiskt_bistand", unit=eb_unit, opened=timezone.localdate())
    assert "C-EB" in case_ids(as_user(chief).get(reverse("cases:detail", args=["C1"])))


# --- Event forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("etype", list(FIELDS))
def test_every_event_form_renders_with_labels(as_user, chief, etype):
    response = as_user(chief).get(reverse("cases:event", args=["C4", etype]))
    assert response.status_code == 200
    body = text(response)
    assert 'name="version"' in body and "csrfmiddlewaretoken" in body
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', body)
    labels = set(re.findall(r'<label for="([^"]+)"', body))
    assert ids and set(ids) <= labels


def test_unknown_event_type_is_404(as_user, chief):
    assert as_user(chief).get(reverse("cases:event", args=["C4", "nonsense"])).status_code == 404


def test_enum_selects_have_swedish_labels(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:event", args=["C4", "beslut"])))
    assert '<option value="delvis_bifall">Delvis bifall</option>' in body
    assert '<option value="korttidsvistelse">Korttidsvistelse</option>' in body
    assert '<input type="date" name="date"' in body


def test_reference_select_offers_only_decisions_awaiting_implementation(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:event", args=["C4", "verkstalld"])))
    select = re.search(r'<select name="beslut_id".*?</select>', body, re.S).group(0)
    assert 'value="E46"' in select and 'value="E43"' not in select


def test_reference_to_a_corrected_event_uses_the_original_id(as_user, chief):
    body = text(as_user(chief).get(reverse("cases:event", args=["C4", "skyddsbedomning"])))
    assert 'value="E40"' in body


def test_recording_an_event(as_user, chief):
    case = Case.objects.get(ext_id="C4")
    response = as_user(chief).post(reverse("cases:event", args=["C4", "verkstalld"]),
                                   {"date": "2025-01-15", "beslut_id": "E46", "version": case.version}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("cases:detail", args=["C4"]))
    assert "Sparat" in text(response)
    event = Event.objects.get(case=case, type=EventType.VERKSTALLD, beslut__ext_id="E46")
    assert event.recorded_by.username == "cecilia"
    assert Case.objects.get(pk=case.pk).version == case.version + 1
    assert AuditEntry.objects.filter(action=AuditEntry.WRITE, object_id=event.ext_id).exists()


def test_validation_error_names_the_field(as_user, chief):
    case = Case.objects.get(ext_id="C4")
    before = Event.objects.count()
    response = as_user(chief).post(reverse("cases:event", args=["C4", "forhandsbedomning"]),
                                   {"date": "2025-01-15", "aktualisering_id": "E40", "version": case.version})
    body = text(response)
    assert response.status_code == 400
    assert "Utfall krävs" in body
    assert 'role="alert"' in body and 'href="#id_outcome"' in body
    assert re.search(r'<p class="field-error" id="id_outcome_fel">', body)
    assert re.search(r'<select name="outcome"[^>]*aria-describedby="id_outcome_fel"', body)
    assert Event.objects.count() == before
    assert 'value="2025-01-15"' in body  # the user's input is kept


def test_missing_date_is_named(as_user, chief):
    case = Case.objects.get(ext_id="C4")
    body = text(as_user(chief).post(reverse("cases:event", args=["C4", "avflyttad"]), {"date": "", "version": case.version}))
    assert "Datum krävs" in body


def test_order_rule_error_is_shown(as_user, chief):
    case = Case.objects.get(ext_id="C4")
    body = text(as_user(chief).post(reverse("cases:event", args=["C4", "aterupptagen"]),
                                    {"date": "2025-01-15", "beslut_id": "E43", "version": case.version}))
    assert "Beslut: verkställigheten är inte avbruten" in body


def test_stale_version_is_a_conflict_and_adds_nothing(as_user, chief):
    case = Case.objects.get(ext_id="C4")
    client = as_user(chief)
    stale = case.version
    ok = client.post(reverse("cases:event", args=["C4", "overvagande"]),
                     {"date": "2025-03-01", "beslut_id": "E43", "version": stale})
    assert ok.status_code == 302
    before = Event.objects.count()
    response = client.post(reverse("cases:event", args=["C4", "avbrott"]),
                           {"date": "2025-03-02", "beslut_id": "E43", "reason": "vistelse utomlands", "version": stale})
    assert response.status_code == 409
    body = text(response)
    assert "Ärendet har ändrats av någon annan" in body
    assert "vistelse utomlands" in body
    assert Event.objects.count() == before


def test_user_without_write_right_gets_403(as_user, make_user, imported):
    from akta.access.models import Role

    user = make_user("fredrik", role=Role.REGISTRATOR, units=["barn_och_unga"])
    client = as_user(user)
    # A registrator works with no individual cases: the case is not visible, so 404.
    assert client.get(reverse("cases:event", args=["C4", "avflyttad"])).status_code == 404
    assert client.get(reverse("cases:new_aktualisering")).status_code == 403


def test_forbidden_from_service_is_403(as_user, bou_user, monkeypatch):
    from akta.cases import views
    from akta.cases.services import Forbidden

    def refuse(*args, **kwargs):
        raise Forbidden()

    monkeypatch.setattr(views, "record_event", refuse)
    case = Case.objects.get(ext_id="C4")
    response = as_user(bou_user).post(reverse("cases:event", args=["C4", "avflyttad"]),
                                      {"date": "2025-01-01", "version": case.version})
    assert response.status_code == 403


# --- New aktualisering ---------------------------------------------------------------------


def test_register_aktualisering_for_a_new_child(as_user, bou_user):
    response = as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": NEW_CHILD, "name": "Ny Person", "area": "barn_och_unga",
        "unit": str(bou_user.units.get().pk), "date": "2025-01-10", "kind": "anmalan", "reporter": "skola",
    })
    assert response.status_code == 302
    case = Case.objects.get(person__pnr_key="201803152386")
    assert response["Location"] == reverse("cases:detail", args=[case.ext_id])
    assert case.person.name == "Ny Person" and case.person.sex == "kvinna"
    assert list(case.events.values_list("type", "kind", "reporter")) == [("aktualisering", "anmalan", "skola")]


def test_register_aktualisering_for_an_existing_person(as_user, bou_user):
    as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": "20150310-2384", "area": "barn_och_unga", "unit": str(bou_user.units.get().pk),
        "date": "2025-11-01", "kind": "anmalan",
    })
    assert Person.objects.filter(pnr_key="201503102384").count() == 1
    assert Case.objects.filter(person__ext_id="P1").count() == 2


def test_existing_person_is_reported(as_user, bou_user):
    response = as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": "20150310-2384", "area": "barn_och_unga", "unit": str(bou_user.units.get().pk),
        "date": "2025-11-01", "kind": "anmalan",
    }, follow=True)
    assert "Personen fanns redan i Akta" in text(response)


def test_htmx_history_restore_gets_the_full_page(as_user, chief):
    response = as_user(chief).get(reverse("cases:list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in text(response)


def test_register_aktualisering_errors_name_fields_and_save_nothing(as_user, bou_user):
    persons, cases = Person.objects.count(), Case.objects.count()
    response = as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": "20180315-2389", "area": "", "unit": str(bou_user.units.get().pk), "date": "", "kind": "",
    })
    body = text(response)
    assert response.status_code == 400
    assert "Personnummer: ogiltigt personnummer" in body
    assert "Område: välj ett område" in body and "Datum krävs" in body and "Slag krävs" in body
    assert (Person.objects.count(), Case.objects.count()) == (persons, cases)


def test_register_aktualisering_missing_kind_rolls_back_the_new_person(as_user, bou_user):
    persons = Person.objects.count()
    response = as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": NEW_CHILD, "area": "barn_och_unga", "unit": str(bou_user.units.get().pk),
        "date": "2025-01-10", "kind": "",
    })
    assert "Slag krävs" in text(response)
    assert Person.objects.count() == persons


def test_register_aktualisering_only_in_own_units(as_user, bou_user):
    eb_unit = Case.objects.get(ext_id="C2").unit
    response = as_user(bou_user).post(reverse("cases:new_aktualisering"), {
        "personnummer": NEW_CHILD, "area": "ekonomiskt_bistand", "unit": str(eb_unit.pk),
        "date": "2025-01-10", "kind": "ansokan",
    })
    assert response.status_code == 400
    assert "Enhet:" in text(response)
    assert not Case.objects.filter(unit=eb_unit, person__pnr_key="201803152386").exists()


# --- Layout and login ----------------------------------------------------------------------


def test_base_layout(as_user, bou_user, settings):
    settings.AKTA_MUNICIPALITY_NAME = "Arjeplog"
    body = text(as_user(bou_user).get(reverse("cases:list")))
    assert '<html lang="sv">' in body
    assert 'href="#innehall"' in body and '<main id="innehall"' in body
    assert "Arjeplog" in body  # the municipality of the setting (akta.municipality)
    assert "Loggkontroll" not in body  # a caseworker does not read the log
    assert re.search(r'<form method="post" action="/logga-ut/"', body)
    assert body.count("<h1") == 1


def test_chief_sees_loggkontroll_in_nav(as_user, chief):
    assert "Loggkontroll" in text(as_user(chief).get(reverse("cases:list")))


def test_login_page_is_swedish_and_works(client, bou_user):
    from akta.conftest import PASSWORD

    page = client.get(reverse("login"))
    body = text(page)
    assert '<label for="id_username">Användarnamn</label>' in body and "Logga in" in body
    bad = client.post(reverse("login"), {"username": "anna", "password": "fel"})
    assert 'role="alert"' in text(bad)
    good = client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    assert good.status_code == 302 and good["Location"] == reverse("cases:list")


def test_logout_is_a_post(as_user, bou_user):
    client = as_user(bou_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("cases:list")).status_code == 302
