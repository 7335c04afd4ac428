"""Shared scaffolding for the Playwright browser tests of every component.

Debian's chromium (installed by `make test` through scripts/system-deps) driven by Playwright's
sync API against pytest-django's live server. The fixtures are registered in src/akta/conftest.py.
"""
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Headless as root, and no background connections: this machine's network is closed.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Minimal, axe-like checks of WCAG 2.1 AA basics: lang, one h1, one main landmark, a title,
# every control labelled, aria-describedby targets present, unique ids, table headers with
# scope, charts (svg) with role=img and a title.
A11Y_JS = r"""() => {
  const problems = [];
  if (document.documentElement.lang !== 'sv') problems.push('html lang is ' + document.documentElement.lang);
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  if (document.querySelectorAll('main').length !== 1) problems.push('no single main landmark');
  if (!document.title.trim()) problems.push('empty title');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + (el.name || el.id || el.outerHTML.slice(0, 60)));
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
      if (id && !document.getElementById(id)) problems.push('aria-describedby target missing: ' + id);
    }
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push('duplicate id: ' + el.id);
    seen.add(el.id);
  }
  for (const th of document.querySelectorAll('th')) {
    if (!th.getAttribute('scope')) problems.push('th without scope: ' + th.textContent.trim());
  }
  for (const svg of document.querySelectorAll('main svg')) {
    if (svg.getAttribute('aria-hidden') === 'true') continue;
    if (svg.getAttribute('role') !== 'img' || !svg.querySelector('title')) problems.push('svg without role=img and title');
  }
  return problems;
}"""


def assert_accessible(page):
    """Check the page a click led to; a navigation still replacing the document is waited for."""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(5):
        page.wait_for_load_state("load")
        try:
            problems = page.evaluate(A11Y_JS)
            break
        except PlaywrightError:  # the document was being replaced by the click's navigation
            page.wait_for_timeout(100)
    else:
        raise AssertionError(f"page never settled: {page.url}")
    assert problems == [], f"{page.url}: {problems}"


@pytest.fixture(scope="module")
def chromium_browser():
    """One headless chromium per test module. Playwright's sync API runs an event loop in this
    thread, so Django's async-safety check is relaxed while the browser lives."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make system-deps)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_as(chromium_browser, live_server):
    """page_as(username) → a page logged in as that user (test password); page_as() → not logged in."""
    from akta.conftest import PASSWORD

    contexts = []

    def make(username=None):
        context = chromium_browser.new_context(base_url=live_server.url, locale="sv-SE", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if username:
            page.goto("/logga-in/")
            page.get_by_label("Användarnamn").fill(username)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()
