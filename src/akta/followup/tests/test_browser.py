"""Browser test of the follow-up pages: Playwright (sync API) with Debian's chromium against
the live server. A chief opens an indicator, reads its table, follows a cell to the cases
behind it (the number stays the same), and opens the committee pack (charts with tables)."""

import pytest
from django.test import Client

from akta.browser_testing import assert_accessible

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_indicator_drilldown_and_committee_pack(chromium_browser, live_server, imported, make_user):
    from akta.access.models import Role, Unit

    user = make_user("controller", role=Role.ENHETSCHEF, units=list(Unit.objects.values_list("code", flat=True)))
    client = Client()
    client.force_login(user)
    context = chromium_browser.new_context(base_url=live_server.url, locale="sv-SE")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/uppfoljning/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljning")
        page.get_by_role("link", name="Öppnade ärenden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Öppnade ärenden")
        page.get_by_label("År").fill("2024")
        page.get_by_role("button", name="Visa").click()
        table = page.locator("table.stats-table")
        expect(table).to_contain_text("Barn och unga")
        assert_accessible(page)
        # The totalt cell of barn och unga (C1 and C4) leads to the cases behind it.
        row = table.locator("tr", has=page.locator("th", has_text="Totalt")).filter(has_text="Barn och unga").first
        expect(row.locator("td a")).to_have_text("2")
        row.locator("td a").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bakom cellen")
        expect(page.locator("#cell-value")).to_have_text("2")
        expect(page.locator("table")).to_contain_text("C1")
        expect(page.locator("table")).to_contain_text("C4")
        assert_accessible(page)
        # The committee pack: every chart is an accessible SVG with the table beside it.
        page.goto("/uppfoljning/namnd/?year=2024&mask=0")
        expect(page.get_by_role("heading", level=1)).to_contain_text("2024 jämfört med 2023")
        n_svg = page.locator("svg[role=img]").count()
        assert n_svg == 10 and page.locator("table.compare-table").count() == n_svg
        assert_accessible(page)
    finally:
        context.close()


def test_area_filter_and_internal_control(chromium_browser, live_server, imported, make_user):
    """The area filter: checking "Ekonomiskt bistånd" leaves only that area in the table, the
    drill-down keeps the scope; the internal control of child investigations is reachable."""
    from akta.access.models import Role, Unit

    user = make_user("controller2", role=Role.ENHETSCHEF, units=list(Unit.objects.values_list("code", flat=True)))
    client = Client()
    client.force_login(user)
    context = chromium_browser.new_context(base_url=live_server.url, locale="sv-SE")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/uppfoljning/indikator/cases_opened/?year=2024")
        table = page.locator("table.stats-table")
        expect(table).to_contain_text("Barn och unga")
        page.get_by_role("checkbox", name="Ekonomiskt bistånd").check()
        page.get_by_role("button", name="Visa").click()
        expect(page.locator("#table-areas")).to_have_text("Ekonomiskt bistånd")
        expect(table).not_to_contain_text("Barn och unga")
        expect(page.get_by_role("checkbox", name="Ekonomiskt bistånd")).to_be_checked()
        assert_accessible(page)
        page.goto("/uppfoljning/")
        page.get_by_role("link", name="internkontrollen av skyndsamhet i barnutredningar").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Internkontroll: skyndsamhet i barnutredningar")
        page.get_by_label("Mätdag (ÅÅÅÅ-MM-DD)").fill("2024-06-30")
        page.get_by_role("button", name="Visa").click()
        expect(page.locator("#ik-table")).to_contain_text("Totalt")
        assert_accessible(page)
    finally:
        context.close()
