"""The quality pages read as specifications: who may do what, logging, conflicts, files."""
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from akta.access.models import Role
from akta.access.services import PROTECTED_LABEL
from akta.audit.models import AuditEntry
from akta.quality import models as m
from akta.quality import services, workflow

P4_PNR = "20120704-2381"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def text(response):
    return response.content.decode()


def report(user, unit, case=None, **kw):
    fields = dict(category="sekretess", event_date=dt.date(2024, 3, 1), reported_on=dt.date(2024, 3, 2), unit=unit,
                  description="Fax till fel mottagare.", reporter=user, case=case)
    fields.update(kw)
    return services.create(m.Deviation, user, **fields)


def test_pages_require_login(client, imported):
    response = client.get(reverse("quality:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["quality:index", ("quality:list", "avvikelser"), ("quality:list", "styrdokument"),
                                 ("quality:list", "risker"), "quality:reports"])
def test_systemforvaltare_has_no_access(as_user, sysadmin, url):
    name, *args = url if isinstance(url, tuple) else (url,)
    assert as_user(sysadmin).get(reverse(name, args=args)).status_code == 403


def test_caseworker_reports_a_deviation_and_sees_only_their_own(as_user, bou_user, eb_user, unit):
    other = report(eb_user, unit)
    client = as_user(bou_user)
    response = client.post(reverse("quality:create", args=["avvikelser"]), {
        "category": "handlaggning", "event_date": "2024-03-01", "reported_on": "2024-03-04", "unit": unit.pk,
        "description": "Underrättelse om beslut saknades.", "case_ext_id": "C1"})
    dev = m.Deviation.objects.get(reporter=bou_user)
    assert response.status_code == 302 and response["Location"] == reverse("quality:detail", args=["avvikelser", dev.pk])
    assert dev.case.ext_id == "C1" and dev.status == "rapporterad"
    listing = text(client.get(reverse("quality:list", args=["avvikelser"])))
    assert dev.number in listing and other.number not in listing
    assert client.get(reverse("quality:detail", args=["avvikelser", other.pk])).status_code == 404
    page = text(client.get(reverse("quality:detail", args=["avvikelser", dev.pk])))
    assert "Registrera utredning" not in page  # a caseworker does not handle the deviation
    assert client.get(reverse("quality:edit", args=["avvikelser", dev.pk])).status_code == 403
    assert client.post(reverse("quality:step", args=["avvikelser", dev.pk, "utredd"]), {"version": 1}).status_code == 403
    assert client.get(reverse("quality:list", args=["risker"])).status_code == 403


def test_caseworker_cannot_link_a_case_outside_their_units(as_user, bou_user, unit):
    response = as_user(bou_user).post(reverse("quality:create", args=["avvikelser"]), {
        "category": "handlaggning", "event_date": "2024-03-01", "reported_on": "2024-03-04", "unit": unit.pk,
        "description": "x", "case_ext_id": "C2"})
    assert response.status_code == 200 and "inget sådant ärende" in text(response)
    assert not m.Deviation.objects.exists()


def test_form_refuses_report_before_event(as_user, bou_user, unit):
    response = as_user(bou_user).post(reverse("quality:create", args=["avvikelser"]), {
        "category": "handlaggning", "event_date": "2024-03-05", "reported_on": "2024-03-01", "unit": unit.pk,
        "description": "x"})
    assert response.status_code == 200 and "är före händelsedatum" in text(response)


def test_opening_a_deviation_about_a_person_is_logged_and_masked(as_user, bou_user, ku, unit):
    from akta.cases.models import Case

    dev = report(bou_user, unit, case=Case.objects.get(ext_id="C4"))
    before = AuditEntry.objects.filter(action=AuditEntry.READ).count()
    body = text(as_user(ku).get(reverse("quality:detail", args=["avvikelser", dev.pk])))
    # No case units: neither identity nor case id of C4 (issue 10 item 3); the read is still logged.
    assert "en enhet som du inte har behörighet till" in body and P4_PNR not in body and not re.search(r"\bC4\b", body)
    entry = AuditEntry.objects.filter(action=AuditEntry.READ).order_by("-seq").first()
    assert AuditEntry.objects.filter(action=AuditEntry.READ).count() == before + 1
    assert (entry.username, entry.object_type, entry.object_id, entry.person_protected) == \
        ("david", "avvikelse", dev.number, True)


def test_manager_takes_a_deviation_to_closure_with_an_action(as_user, bou_user, chief, unit):
    dev = report(bou_user, unit)
    client = as_user(chief)
    url = reverse("quality:step", args=["avvikelser", dev.pk, "utredd"])
    client.post(url, {"version": 1, "steg-utredd-investigated_on": "2024-03-10", "steg-utredd-analysis": "A",
                      "steg-utredd-cause": "C", "steg-utredd-owner": chief.pk})
    dev.refresh_from_db()
    assert dev.status == "utredd" and dev.owner == chief
    # Skipping to closure is refused with a message; a stale version is a conflict.
    response = client.post(reverse("quality:step", args=["avvikelser", dev.pk, "avslutad"]),
                           {"version": dev.version, "steg-avslutad-closed_on": "2024-03-20"}, follow=True)
    assert "kan inte tas från status" in text(response)
    response = client.post(reverse("quality:step", args=["avvikelser", dev.pk, "atgarder"]),
                           {"version": 1, "steg-atgarder-actions_decided_on": "2024-03-11",
                            "steg-atgarder-actions_summary": "x"}, follow=True)
    assert "ändrats av någon annan" in text(response)
    response = client.post(reverse("quality:create", args=["atgarder"]), {
        "title": "Rutin för fax", "owner": chief.pk, "due_date": "2024-05-01", "status": "planerad",
        "deviations": [dev.pk]})
    action = m.Action.objects.get()
    assert list(action.deviations.all()) == [dev]
    page = text(client.get(reverse("quality:detail", args=["avvikelser", dev.pk])))
    assert action.number in page and "Historik" in page


def test_web_edit_with_a_stale_version_saves_nothing(as_user, bou_user, chief, unit):
    dev = report(bou_user, unit)
    services.update(dev, chief, 1, {"description": "Ändrad av någon annan"})
    response = as_user(chief).post(reverse("quality:edit", args=["avvikelser", dev.pk]), {
        "version": 1, "category": "sekretess", "event_date": "2024-03-01", "reported_on": "2024-03-02",
        "unit": unit.pk, "description": "Min ändring"}, follow=True)
    assert "ändrats av någon annan" in text(response)
    dev.refresh_from_db()
    assert dev.description == "Ändrad av någon annan"


def test_lex_sarah_to_ivo_notification_document(as_user, bou_user, chief, unit):
    ls = services.create(m.LexSarah, bou_user, event_date=dt.date(2024, 2, 1), reported_on=dt.date(2024, 2, 1),
                         unit=unit, description="Anmälan blev liggande.", reporter=bou_user)
    ls = workflow.take_step(ls, "avhjalpt", {"remedied_on": "2024-02-01", "remedy": "r"}, chief, 1)
    ls = workflow.take_step(ls, "utreds", {"investigation_started_on": "2024-02-02"}, chief, 2)
    ls = workflow.take_step(ls, "bedomd", {"assessed_on": "2024-02-20", "investigation": "u",
                                           "assessment": "pataglig_risk", "assessment_reasoning": "m"}, chief, 3)
    client = as_user(chief)
    page = text(client.get(reverse("quality:detail", args=["lex-sarah", ls.pk])))
    assert "2024-03-05" in page and "Registrera anmälan till IVO" in page  # due two weeks after the assessment
    response = client.get(reverse("quality:ivo_notification", args=[ls.pk, "docx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]
    assert as_user(bou_user).get(reverse("quality:ivo_notification", args=[ls.pk, "docx"])).status_code == 403


def test_document_files_keep_their_versions(as_user, ku, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    doc = services.create(m.Document, ku, kind="rutin", title="Lex Sarah", owner=ku, decision_ref="SN 2023-11-30 § 190",
                          next_review=dt.date(2024, 1, 1))
    client = as_user(ku)
    for body in (b"%PDF-1.4 first", b"%PDF-1.4 second"):
        client.post(reverse("quality:document_upload", args=[doc.pk]),
                    {"file": SimpleUploadedFile("rutin.pdf", body, content_type="application/pdf")})
    assert list(doc.files.values_list("number", flat=True)) == [2, 1]
    first = client.get(reverse("quality:document_download", args=[doc.pk, 1]))
    assert b"".join(first.streaming_content) == b"%PDF-1.4 first"
    assert (tmp_path / "media").exists()
    bad = client.post(reverse("quality:document_upload", args=[doc.pk]),
                      {"file": SimpleUploadedFile("rutin.pdf", b"not a pdf")}, follow=True)
    assert "stämmer inte med filtypen" in text(bad) and doc.files.count() == 2
    worklist = text(client.get(reverse("quality:reviews")))
    assert "Lex Sarah" in worklist and "Försenad" in worklist
    assert [h.action for h in doc.history()] == ["skapad", "fil bifogad", "fil bifogad"]


def test_caseworker_reads_routines_but_cannot_change_them(as_user, bou_user, ku):
    doc = services.create(m.Document, ku, kind="rutin", title="Förhandsbedömning", owner=ku)
    client = as_user(bou_user)
    assert "Förhandsbedömning" in text(client.get(reverse("quality:list", args=["styrdokument"])))
    assert client.get(reverse("quality:edit", args=["styrdokument", doc.pk])).status_code == 403
    assert client.get(reverse("quality:create", args=["styrdokument"])).status_code == 403


def test_egenkontroll_sample_and_the_logged_file_view(as_user, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="halvar", owner=ku)
    item = m.ChecklistItem.objects.create(plan=plan, position=1, text="Beslut motiverat")
    client = as_user(ku)
    response = client.post(reverse("quality:start_round", args=[plan.pk]),
                           {"period_start": "2024-01-01", "period_end": "2024-12-31", "seed": "99"})
    rnd = m.SelfInspectionRound.objects.get()
    assert response["Location"] == reverse("quality:round", args=[rnd.pk]) and rnd.seed == 99
    page = text(client.get(reverse("quality:round", args=[rnd.pk])))
    assert re.search(r"\bC1\b", page) and not re.search(r"\bC5\b", page)  # as words, not in a CSRF token
    assert PROTECTED_LABEL in page and P4_PNR not in page
    sampled = rnd.sampled.get(case__ext_id="C4")
    body = text(client.get(reverse("quality:sampled", args=[rnd.pk, sampled.pk])))
    assert PROTECTED_LABEL in body and "Förhandsbedömning" in body  # the case's timeline
    entry = AuditEntry.objects.filter(action=AuditEntry.READ).order_by("-seq").first()
    assert (entry.context, entry.object_type, entry.object_id) == ("egenkontroll", "case", "C4")
    client.post(reverse("quality:sampled", args=[rnd.pk, sampled.pk]), {f"svar-{item.pk}": "nej",
                                                                        f"kommentar-{item.pk}": "Saknas"})
    assert sampled.answers.get().answer == "nej"
    client.post(reverse("quality:add_finding", args=[rnd.pk]), {"item": item.pk, "description": "Motivering saknas."})
    assert m.Finding.objects.get().round == rnd


def test_enhetschef_sees_only_sampled_files_of_their_units(as_user, make_user, ku, imported):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="halvar", owner=ku)
    rnd = services.start_round(plan, ku, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=5)
    ec = make_user("erik", role=Role.ENHETSCHEF, units=["ekonomiskt_bistand"])
    client = as_user(ec)
    own = rnd.sampled.get(case__ext_id="C2")
    other = rnd.sampled.get(case__ext_id="C1")
    assert client.get(reverse("quality:sampled", args=[rnd.pk, own.pk])).status_code == 200
    assert client.get(reverse("quality:sampled", args=[rnd.pk, other.pk])).status_code == 403


def test_risk_matrix_and_statistics_pages(as_user, ku, bou_user, unit):
    services.create(m.Risk, ku, title="Utredningstid", likelihood=3, consequence=4, identified_on=dt.date(2024, 1, 5),
                    owner=ku)
    report(bou_user, unit)
    client = as_user(ku)
    matrix = text(client.get(reverse("quality:risk_matrix")))
    assert "RI-2024-0001" in matrix and "mycket hög" in matrix
    stats = text(client.get(reverse("quality:deviation_statistics"), {"ar": 2024}))
    assert "Sekretess och informationssäkerhet" in stats


def test_report_pages_and_narrative_sections(as_user, ku, make_user, imported):
    client = as_user(ku)
    response = client.post(reverse("quality:edit_section", args=[2024, "organisation"]), {"text": "Tre enheter."})
    assert response.status_code == 302
    assert m.ReportSection.objects.get(year=2024, key="organisation").text == "Tre enheter."
    client.post(reverse("quality:edit_section", args=[2024, "organisation"]), {"text": "Fyra enheter.", "version": 1})
    section = m.ReportSection.objects.get(year=2024, key="organisation")
    assert section.text == "Fyra enheter." and section.version == 2
    assert "Fyra enheter." in text(client.get(reverse("quality:reports"), {"ar": 2024}))
    response = client.get(reverse("quality:annual_report", args=[2024, "docx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    secretary = as_user(make_user("gun", role=Role.NAMNDSEKRETERARE))
    assert secretary.get(reverse("quality:quarterly_report", args=[2024, 1, "docx"])).status_code == 200
    assert secretary.get(reverse("quality:edit_section", args=[2024, "organisation"])).status_code == 403
