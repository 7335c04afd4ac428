"""Browser tests of the quality flows: Playwright (sync API) driving Debian's chromium.

1. A caseworker reports a deviation; the unit manager takes it through every step to closure
   and adds an improvement action.
2. A lex Sarah report is taken to an assessment of påtaglig risk, the IVO notification is
   downloaded and the notification registered.
3. The quality developer draws an egenkontroll sample, opens a sampled file (logged as
   egenkontroll) and answers the checklist.
"""
import re

import pytest

from akta.access.models import Role
from akta.browser_testing import assert_accessible

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def step(page, heading, fields):
    form = page.locator("form.panel").filter(has=page.get_by_role("heading", name=heading))
    for label, value in fields.items():
        control = form.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoriskt\))?$"))
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.get_by_role("button", name=heading).click()
    expect(page.get_by_text("Steget har registrerats.")).to_be_visible()


def test_deviation_from_report_to_closure_with_an_action(page_as, bou_user, chief):
    page = page_as("anna")
    page.goto("/kvalitet/")
    assert_accessible(page)
    page.get_by_role("link", name="Rapportera avvikelse").first.click()
    page.get_by_label("Kategori").select_option(label="Sekretess och informationssäkerhet")
    page.get_by_label("Händelsedatum").fill("2024-03-01")
    page.get_by_label("Rapporterad").fill("2024-03-02")
    page.get_by_label("Beskrivning").fill("Fax med sekretessuppgifter till fel mottagare.")
    page.get_by_label("Ärende-id (om händelsen rör en enskild)").fill("C1")
    assert_accessible(page)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avvikelse AV-2024-0001")
    expect(page.get_by_text("Rapporterad", exact=True).first).to_be_visible()

    page = page_as("cecilia")
    page.goto("/kvalitet/avvikelser/")
    page.get_by_role("link", name="AV-2024-0001").click()
    page.wait_for_url(re.compile(r"/kvalitet/avvikelser/\d+/$"))
    assert_accessible(page)
    step(page, "Registrera utredning", {"Utredd": "2024-03-10", "Analys": "Faxrutinen var okänd.",
                                        "Orsak": "Ny medarbetare utan introduktion."})
    step(page, "Besluta åtgärder", {"Åtgärder beslutade": "2024-03-12", "Beslutade åtgärder": "Faxrutinen på APT."})
    page.get_by_role("link", name="Lägg till åtgärd").click()
    page.get_by_label(re.compile(r"^Åtgärd ")).fill("Gå igenom faxrutinen på APT")
    page.get_by_label("Ansvarig").select_option(label="cecilia")
    page.get_by_label("Klar senast").fill("2024-04-30")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Åtgärd AT-2024-0001")
    page.get_by_role("link", name="AV-2024-0001").click()
    step(page, "Återkoppla till rapportören", {"Återkoppling": "2024-03-13",
                                               "Återkoppling till rapportören": "Tack, rutinen är genomgången."})
    step(page, "Avsluta avvikelsen", {"Avslutad": "2024-03-14"})
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avslutad")
    expect(page.get_by_role("link", name="AT-2024-0001 Gå igenom faxrutinen på APT")).to_be_visible()


def test_lex_sarah_to_assessment_and_ivo_notification(page_as, chief):
    page = page_as("cecilia")
    page.goto("/kvalitet/lex-sarah/ny/")
    page.get_by_label("Händelsedatum").fill("2024-02-01")
    page.get_by_label("Rapporterad").fill("2024-02-01")
    page.get_by_label("Enhet").select_option(label="Barn och unga 1") if page.get_by_label("Enhet").locator(
        "option", has_text="Barn och unga 1").count() else page.get_by_label("Enhet").select_option(index=1)
    page.get_by_label("Vad har hänt").fill("Orosanmälan blev liggande utan skyddsbedömning.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LS-2024-0001")
    step(page, "Registrera omedelbara åtgärder", {"Avhjälpt": "2024-02-01", "Omedelbara åtgärder": "Skyddsbedömning gjordes."})
    step(page, "Inled utredning", {"Utredning inledd": "2024-02-02"})
    step(page, "Registrera bedömning", {"Bedömd": "2024-02-20", "Utredning": "Samtal och granskning.",
                                        "Bedömning": "pataglig_risk", "Motivering": "Barnet kunde ha skadats."})
    expect(page.get_by_text("2024-03-05 (ej anmäld)")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Anmälan till IVO (Word)").click()
    assert info.value.suggested_filename == "anmalan-ivo-LS-2024-0001.docx"
    step(page, "Registrera anmälan till IVO", {"Anmäld till IVO": "2024-02-27", "IVO:s diarienummer": "IVO 2024-123"})
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anmäld till IVO")
    expect(page.locator("dd", has_text="7 dagar")).to_be_visible()  # assessment → notification


def test_egenkontroll_sample_and_a_sampled_file(page_as, make_user, imported):
    from akta.audit.models import AuditEntry
    from akta.quality import models as m
    from akta.quality import services

    ku = make_user("david", role=Role.KVALITETSUTVECKLARE)
    plan = services.create(m.SelfInspectionPlan, ku, title="Granskning av personakter", method="Stickprov",
                           frequency="halvar", owner=ku, sample_per_group=3)
    page = page_as("david")
    page.goto(f"/kvalitet/egenkontrollplaner/{plan.pk}/")
    page.get_by_label("Kontrollfråga").fill("Utredningsplan finns")
    page.get_by_role("button", name="Lägg till kontrollfråga").click()
    page.get_by_label("Period från").fill("2024-01-01")
    page.get_by_label("Period till").fill("2024-12-31")
    page.get_by_label("Slumpfrö").fill("2024")
    page.get_by_role("button", name="Dra urval").click()
    expect(page.get_by_text("Urvalet är draget (slumpfrö 2024).")).to_be_visible()
    assert_accessible(page)
    expect(page.locator("#slumpfro")).to_have_text("2024")
    page.get_by_role("link", name="C1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granskning av ärende C1")
    expect(page.get_by_text("Utredning inledd").first).to_be_visible()  # the case timeline
    assert_accessible(page)
    page.get_by_label("Nej").check()
    page.get_by_label("Kommentar").fill("Utredningsplan saknas.")
    page.get_by_role("button", name="Spara granskningen").click()
    expect(page.get_by_text("Granskningen har sparats.")).to_be_visible()
    assert AuditEntry.objects.filter(context="egenkontroll", object_id="C1", username="david").exists()
    page.get_by_role("link", name="Egenkontroll EK-2024-0001").click()
    expect(page.locator("td", has_text="ja 0, nej 1").first).to_be_visible()
