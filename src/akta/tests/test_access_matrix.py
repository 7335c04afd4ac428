"""The access matrix (issue 10, build item 2): every role × every resource × every channel.

One data set is built once for the module: the hand-made exchange (akta/exchange/tests/data/valid)
with names given to its persons, and quality reports that point at the cases. Three subjects:

- OWN: C1 (P1, barn och unga), a case of unit A that its members may open;
- PROTECTED: C4 (P4, barn och unga, protected identity): members of unit A may open the case,
  only holders of ``may_view_protected`` see who it is (name, personnummer, birth date, IVO pseudo-id);
- FOREIGN: C2 (P2, ekonomiskt bistånd), a case of unit B: a member of unit A gets the 404 of a
  missing id and sees no trace of it anywhere.

Every URL pattern of the project is a key of MATRIX, with the requests that exercise it in each
channel (page, API, CSV, XLSX, PDF, DOCX, JSON), or a reason it shows no personal data. A new view
that is not in the matrix fails ``test_every_url_pattern_is_in_the_matrix``.

Every request is made as every user of USERS; the body (text of CSV/JSON/HTML, cell values of XLSX via
openpyxl, paragraphs and tables of DOCX via python-docx, text of PDF via pypdf, and the file name)
must carry no marker the user may not see. Positive checks make sure the markers are printed where
they are allowed, so the matrix cannot pass by showing nothing.
"""
import datetime as dt
import html
import io
import json
import re
import zipfile
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from akta.access.models import Role, Unit, User

TODAY = dt.date(2025, 3, 31)
UNIT_A, UNIT_B = "barn_och_unga", "ekonomiskt_bistand"

P1_NAME, P2_NAME, P4_NAME = "Olle Egenström", "Frida Främlingsson", "Hemlig Skyddadsdotter"
# What identifies each person; the personnummer in every spelling, the protected person's birth
# date in every spelling (the IVO pseudo-id starts with it).
FOREIGN_MARKERS = [P2_NAME, "Främlingsson", "19850712-9271", "198507129271", "850712-9271"]
PROTECTED_MARKERS = [P4_NAME, "Skyddadsdotter", "20120704", "2012-07-04", "120704-2381", "04/07/2012", "2012-07-04 00:00"]
OWN_MARKERS = [P1_NAME]


# Users: (role, units, may_view_protected). Every role, a member of unit A with and without the right,
# a member of unit B, and nobody.
USERS = {
    "hl_a": (Role.HANDLAGGARE, [UNIT_A], False),
    "hl_a_skydd": (Role.HANDLAGGARE, [UNIT_A], True),
    "hl_b": (Role.HANDLAGGARE, [UNIT_B], False),
    "ec_a": (Role.ENHETSCHEF, [UNIT_A], False),
    "ec_a_skydd": (Role.ENHETSCHEF, [UNIT_A], True),
    "registrator": (Role.REGISTRATOR, [], False),
    "ku": (Role.KVALITETSUTVECKLARE, [], False),
    "sekreterare": (Role.NAMNDSEKRETERARE, [], False),
    "forvaltare": (Role.SYSTEMFORVALTARE, [], False),
    "anonym": None,
}


def may_see_foreign(username):
    spec = USERS[username]
    return spec is not None and spec[0] in (Role.HANDLAGGARE, Role.ENHETSCHEF) and UNIT_B in spec[1]


def may_see_protected(username):
    spec = USERS[username]
    return spec is not None and spec[2]


# --- The data, once per module -------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit")


@pytest.fixture(autouse=True)
def _audit_files_per_test(settings, audit_dir):
    """One audit key and checkpoint file for the module (its data is built once)."""
    settings.AUDIT_KEY_FILE = audit_dir / "audit.key"
    settings.AUDIT_CHECKPOINT_FILE = audit_dir / "audit-checkpoints.jsonl"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, audit_dir):
    """Everything built once in a transaction that is rolled back when the module is done."""
    from django.conf import settings

    from akta.cases.models import Case, Person
    from akta.conftest import VALID_EXCHANGE
    from akta.exchange.importer import import_exchange
    from akta.quality import models as qm
    from akta.quality import services as qs

    saved = settings.PASSWORD_HASHERS, settings.AUDIT_KEY_FILE, settings.AUDIT_CHECKPOINT_FILE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_KEY_FILE = audit_dir / "audit.key"
    settings.AUDIT_CHECKPOINT_FILE = audit_dir / "audit-checkpoints.jsonl"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            import_exchange(VALID_EXCHANGE)
            Person.objects.filter(ext_id="P1").update(name=P1_NAME)
            Person.objects.filter(ext_id="P2").update(name=P2_NAME)
            Person.objects.filter(ext_id="P4").update(name=P4_NAME)
            users = {}
            for name, spec in USERS.items():
                if spec is None:
                    continue
                role, units, right = spec
                u = User.objects.create_user(username=name, password="matris-lösenord-123", role=role,
                                             may_view_protected=right)
                u.units.set(Unit.objects.filter(code__in=units))
                users[name] = u
            unit_a = Unit.objects.get(code=UNIT_A)
            c = {x: Case.objects.get(ext_id=x) for x in ("C1", "C2", "C4")}
            common = dict(event_date=dt.date(2024, 3, 1), reported_on=dt.date(2024, 3, 2), unit=unit_a)
            # Quality reports of unit A that point at the foreign case and at the protected person's case.
            dev_foreign = qs.create(qm.Deviation, users["ku"], category="sekretess", description="Fax till fel mottagare.",
                                    reporter=users["ku"], case=c["C2"], **common)
            dev_protected = qs.create(qm.Deviation, users["hl_a"], category="sekretess", description="Brev till fel adress.",
                                      reporter=users["hl_a"], case=c["C4"], **common)
            ls_foreign = qs.create(qm.LexSarah, users["ku"], description="Missförhållande.", reporter=users["ku"],
                                   case=c["C2"], **common)
            ls_protected = qs.create(qm.LexSarah, users["hl_a"], description="Missförhållande.", reporter=users["hl_a"],
                                     case=c["C4"], **common)
            yield {"users": users, "dev_foreign": dev_foreign, "dev_protected": dev_protected,
                   "ls_foreign": ls_foreign, "ls_protected": ls_protected}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.PASSWORD_HASHERS, settings.AUDIT_KEY_FILE, settings.AUDIT_CHECKPOINT_FILE = saved


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from akta.deadlines import worklist

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    worklist.clear_snapshots()
    yield
    worklist.clear_snapshots()


# --- Reading every channel ---------------------------------------------------------------------


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def readable(response):
    """Everything a person can read in a response: the text of the body in its own format, the raw
    bytes decoded, the file name and the title."""
    raw = body_of(response)
    location = response.get("Location", "")
    # The sign-in redirect carries the user's own request back (?next=); anything else counts.
    parts = [response.get("Content-Disposition", ""), "" if location.startswith("/logga-in/") else location]
    if raw[:4] == b"PK\x03\x04":
        parts.append(office_text(raw))
    elif raw[:5] == b"%PDF-":
        parts.append(pdf_text(raw))
    else:
        parts.append(raw.decode("utf-8", "replace"))
    return "\n".join(parts)


def office_text(raw):
    out = []
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = z.namelist()
        # Every XML member's text too (document properties, shared strings, headers), without the
        # markup (whose cell references would read as case ids).
        out += [re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8", "replace")) for n in names if n.endswith(".xml")]
    if "word/document.xml" in names:
        import docx

        d = docx.Document(io.BytesIO(raw))
        out += [p.text for p in d.paragraphs]
        out += [cell.text for t in d.tables for row in t.rows for cell in row.cells]
        out += [p.text for s in d.sections for p in s.header.paragraphs + s.footer.paragraphs]
        out.append(d.core_properties.title or "")
    elif "xl/workbook.xml" in names:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(raw))
        for ws in wb.worksheets:
            out.append(ws.title)
            out += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        out.append(wb.properties.title or "")
    return "\n".join(out)


def pdf_text(raw):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(raw))
    out = [page.extract_text() or "" for page in reader.pages]
    meta = reader.metadata or {}
    out += [str(v) for v in meta.values()]
    return "\n".join(out)


def mentions(text, word):
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def leaks(username, text):
    """The markers in ``text`` that ``username`` may not see."""
    found = []
    if not may_see_protected(username):
        found += [m for m in PROTECTED_MARKERS if m in text]
    if not may_see_foreign(username):
        found += [m for m in FOREIGN_MARKERS if m in text]
        if mentions(text, "C2"):
            found.append("case id C2")
    return found


# --- The matrix --------------------------------------------------------------------------------

NO_PERSONAL_DATA = "no personal data"
# The committee documents and reports are rendered for one user of each kind of access (a case
# worker of unit A, a manager of unit A, the quality and committee roles, nobody): they take
# seconds each, and depend on the role and units alone.
HEAVY = {"followup:pack", "followup:internal_control", "quality:annual_report", "quality:quarterly_report",
         "quality:internal_control_report", "schema"}
HEAVY_USERS = {"hl_a", "ec_a", "ku", "sekreterare", "anonym"}
# Pattern -> the query parameter whose value the page echoes back (the user's own input).
SEARCHES = {"cases:list": "q", "api-case-list": "personnummer", "audit:log": "person"}
EVB = "/bevakningar/ej-verkstallda-beslut/"
INDICATOR = "/uppfoljning/indikator/"
YEAR = {"year": 2024}


def q(url, **params):
    return f"{url}?{urlencode(params)}" if params else url


WORKFLOW = ("list", "detail", "historik", "steg")
TRACKED = ("list", "detail", "historik")


def build_matrix(w):
    """Pattern name -> list of (channel, method, url[, data]) or NO_PERSONAL_DATA with the reason."""
    from akta.quality.views import REGISTERS

    d, dp = w["dev_foreign"].pk, w["dev_protected"].pk
    lf, lp = w["ls_foreign"].pk, w["ls_protected"].pk
    cases = ["C1", "C2", "C4", "C404"]
    api_q = "/api/kvalitet"
    register_pages = [("page", f"/kvalitet/{slug}/") for slug in REGISTERS]
    return {
        # Accounts and schema.
        "login": [("page", "/logga-in/")],
        "logout": NO_PERSONAL_DATA + ": signs out",
        "oidc_authentication_init": NO_PERSONAL_DATA + ": redirects to the municipality's identity provider "
                                    "(404 when sign-in through it is not configured)",
        "oidc_authentication_callback": NO_PERSONAL_DATA + ": the identity provider's answer; ends on the "
                                        "login page or the user's start page (access/tests/test_oidc.py)",
        "password_change": [("page", "/konto/losenord/")],
        "password_change_done": [("page", "/konto/losenord/klart/")],
        "schema": [("json", "/api/schema/")],
        # Cases: the list, search (by name, personnummer and birth date) and the case pages.
        "cases:list": [("page", "/")] + [("page", q("/", q=s)) for s in (
            P2_NAME, "19850712-9271", P4_NAME, "20120704-2381", "2012-07-04", "Främlingsson")]
            + [("page", q("/", status="avslutat")), ("page", q("/", area=UNIT_B))],
        "cases:new_aktualisering": [("page", "/ny-aktualisering/")],
        "cases:detail": [("page", f"/arende/{c}/") for c in cases],
        "cases:event": [("page", f"/arende/{c}/handelse/beslut/") for c in cases],
        # The case API.
        "api-case-list": [("api", "/api/cases/"), ("api", q("/api/cases/", limit=500)),
                          ("api", q("/api/cases/", personnummer="19850712-9271")),
                          ("api", q("/api/cases/", personnummer="20120704-2381")),
                          ("api", q("/api/cases/", person="P2")), ("api", q("/api/cases/", person="P4")),
                          ("api", q("/api/cases/", area=UNIT_B))],
        "api-case-detail": [("api", f"/api/cases/{c}/") for c in cases],
        "api-case-events": [("api", f"/api/cases/{c}/events/") for c in cases],
        "api-person-detail": [("api", f"/api/persons/{p}/") for p in ("P1", "P2", "P4", "P404")],
        # The read log.
        "audit:log": [("page", "/logg/"), ("page", q("/logg/", person="P2")), ("page", q("/logg/", person="P4")),
                      ("page", q("/logg/", person="19850712-9271")), ("page", q("/logg/", person="20120704-2381"))],
        "audit:verify": [("page", "/logg/kontrollera/")],
        # Worklists and the EVB report.
        "deadlines:index": [("page", "/bevakningar/")],
        "deadlines:mine": [("page", q("/bevakningar/mina/", status="alla")),
                           ("csv", q("/bevakningar/mina/", status="alla", format="csv"))],
        "deadlines:unit": [("page", q("/bevakningar/enhet/", status="alla")),
                           ("csv", q("/bevakningar/enhet/", status="alla", format="csv"))],
        "deadlines:committee": [("page", q("/bevakningar/namnden/", status="alla")),
                                ("csv", q("/bevakningar/namnden/", status="alla", format="csv"))],
        "deadlines:settings": [("page", "/bevakningar/installningar/")],
        "deadlines:evb": [("page", q(EVB, kvartal=k)) for k in ("2025Q1", "2024Q4", "2025Q2")],
        "deadlines:evb_download": [(fmt, f"{EVB}{k}.{fmt}") for k in ("2025Q1",)
                                   for fmt in ("json", "csv", "xlsx", "pdf")],
        # Follow-up: indicators in every format and their drill-downs (added by drilldown_probes).
        "followup:index": [("page", "/uppfoljning/")],
        "followup:indicator": [(ch, q(f"{INDICATOR}{i}/", **YEAR, **({"format": ch} if ch != "page" else {})))
                               for i in ("persons_active", "utredningar_open", "cases_closed")
                               for ch in ("page", "json", "csv", "xlsx")],
        "followup:cell": [],
        "followup:save": NO_PERSONAL_DATA + ": POST only, answers with a redirect to followup:report",
        "followup:reconcile": [("page", f"{INDICATOR}persons_active/avstamning/")],
        "followup:reports": [("page", "/uppfoljning/rapporter/")],
        "followup:report": [("page", "/uppfoljning/rapporter/1/")],
        "followup:pack": [(ch, q("/uppfoljning/namnd/", **YEAR, **({"format": ch} if ch != "page" else {})))
                          for ch in ("page", "pdf", "docx")],
        "followup:internal_control": [(ch, q("/uppfoljning/internkontroll-barn/", **({"format": ch} if ch != "page" else {})))
                                      for ch in ("page", "pdf", "docx")],
        # Quality registers: pages, documents and API.
        "quality:index": [("page", "/kvalitet/")],
        "quality:reviews": [("page", "/kvalitet/styrdokument/granskning/")],
        "quality:document_upload": NO_PERSONAL_DATA + ": POST of a file to a governing document",
        "quality:document_download": [("page", "/kvalitet/styrdokument/1/fil/1/")],
        "quality:deviation_statistics": [("page", "/kvalitet/avvikelser/statistik/")],
        "quality:risk_matrix": [("page", "/kvalitet/risker/matris/")],
        "quality:ivo_notification": [(fmt, f"/kvalitet/lex-sarah/{pk}/anmalan-ivo.{fmt}") for pk in (lf, lp)
                                     for fmt in ("pdf", "docx")],
        "quality:plan_add_item": [("page", "/kvalitet/egenkontrollplaner/1/kontrollfraga/")],
        "quality:start_round": [("page", "/kvalitet/egenkontrollplaner/1/urval/")],
        "quality:round": [("page", "/kvalitet/egenkontroller/1/")],
        "quality:sampled": [("page", "/kvalitet/egenkontroller/1/akt/1/")],
        "quality:add_finding": [("page", "/kvalitet/egenkontroller/1/iakttagelse/")],
        "quality:close_round": [("page", "/kvalitet/egenkontroller/1/avsluta/")],
        "quality:add_control_point": [("page", "/kvalitet/internkontroll/1/kontrollmoment/")],
        "quality:add_control_result": [("page", "/kvalitet/kontrollmoment/1/resultat/")],
        "quality:reports": [("page", "/kvalitet/rapporter/")],
        "quality:edit_section": [("page", "/kvalitet/rapporter/2024/avsnitt/avvikelser/")],
        "quality:annual_report": [(fmt, f"/kvalitet/rapporter/kvalitetsberattelse-2024.{fmt}") for fmt in ("pdf", "docx")],
        "quality:quarterly_report": [(fmt, f"/kvalitet/rapporter/kvartal-2024-1.{fmt}") for fmt in ("pdf", "docx")],
        "quality:internal_control_report": [(fmt, f"/kvalitet/rapporter/internkontroll-2024.{fmt}")
                                            for fmt in ("pdf", "docx")],
        "quality:list": register_pages + [("page", q("/kvalitet/avvikelser/", unit=Unit.objects.get(code=UNIT_A).pk))],
        "quality:create": [("page", "/kvalitet/avvikelser/ny/"), ("page", "/kvalitet/lex-sarah/ny/")],
        "quality:detail": [("page", f"/kvalitet/avvikelser/{pk}/") for pk in (d, dp, 999999)]
                          + [("page", f"/kvalitet/lex-sarah/{pk}/") for pk in (lf, lp, 999999)],
        "quality:edit": [("page", f"/kvalitet/avvikelser/{pk}/andra/") for pk in (d, dp)]
                        + [("page", f"/kvalitet/lex-sarah/{pk}/andra/") for pk in (lf, lp)],
        "quality:step": NO_PERSONAL_DATA + ": POST only, answers with a redirect to quality:detail",
        "api-root": [("api", f"{api_q}/")],
        **{f"quality-{basename}-{kind}": [("api", f"{api_q}/{prefix}/" + ("" if kind == "list" else f"{pk}/")
                                           + ("" if kind in ("list", "detail") else f"{kind}/"))
                                          for pk in (pks if kind != "list" else [None])]
            for basename, prefix, pks, kinds in (
               ("deviation", "avvikelser", (d, dp, 999999), WORKFLOW), ("lexsarah", "lex-sarah", (lf, lp, 999999), WORKFLOW),
               ("complaint", "klagomal", (1,), WORKFLOW), ("risk", "risker", (1,), TRACKED),
               ("action", "atgarder", (1,), TRACKED), ("goal", "mal", (1,), TRACKED),
               ("plan", "egenkontrollplaner", (1,), TRACKED), ("round", "egenkontroller", (1,), ("list", "detail")),
               ("icplan", "internkontrollplaner", (1,), TRACKED), ("controlpoint", "kontrollmoment", (1,), TRACKED),
               ("controlresult", "kontrollresultat", (1,), TRACKED), ("document", "styrdokument", (1,), TRACKED))
           for kind in kinds},
    }


def drilldown_probes(client):
    """Every drill-down link of a few indicators, as the manager of every unit sees them."""
    links = set()
    for ind in ("persons_active", "utredningar_open", "cases_closed"):
        html = client.get(q(f"{INDICATOR}{ind}/", **YEAR)).content.decode()
        links |= {a.replace("&amp;", "&") for a in re.findall(r'href="(/uppfoljning/indikator/[^"]+/cell/\?[^"]+)"', html)}
    return [("page", link) for link in sorted(links)]


def pattern_names(resolver=None, ns=None):
    """The name of every URL pattern, with its namespace (the route when it has no name)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(x for x in (ns, p.namespace) if x) or None
            yield from pattern_names(p, inner)
        elif isinstance(p, URLPattern):
            yield f"{ns}:{p.name}" if ns and p.name else (p.name or str(p.pattern))


# --- The tests ---------------------------------------------------------------------------------


def test_every_url_pattern_is_in_the_matrix(world, db):
    matrix = build_matrix(world)
    names = set(pattern_names())
    missing = names - matrix.keys()
    assert not missing, f"URL patterns not in the access matrix (add requests or {NO_PERSONAL_DATA!r}): {sorted(missing)}"
    stale = {k for k in matrix if k not in names}
    assert not stale, f"matrix keys that are no URL pattern: {sorted(stale)}"
    for key, probes in matrix.items():
        assert isinstance(probes, list) or probes.startswith(NO_PERSONAL_DATA), key


def test_a_view_added_without_a_row_in_the_matrix_is_found(world, db, settings):
    settings.ROOT_URLCONF = "akta.tests.test_access_matrix_urls"
    missing = set(pattern_names()) - build_matrix(world).keys()
    assert missing == {"ny-vy"}


@pytest.fixture
def clients(world, db):
    out = {}
    for name in USERS:
        c = Client()
        if name in world["users"]:
            c.force_login(world["users"][name])
        out[name] = c
    return out


def all_probes(world, clients):
    matrix = build_matrix(world)
    matrix["followup:cell"] = drilldown_probes(clients["ec_a_skydd"])
    assert matrix["followup:cell"], "no drill-down links found"
    return [(key, *p) for key, probes in matrix.items() if isinstance(probes, list) for p in probes]


def test_no_user_sees_what_the_policy_hides_in_any_channel(world, clients):
    """Every request of the matrix as every user: no 5xx, and no marker the user may not see."""
    probes = all_probes(world, clients)
    failures, shown, cells = [], {}, 0
    for username, client in clients.items():
        for key, channel, url in probes:
            if key in HEAVY and username not in HEAVY_USERS:
                continue
            response = client.get(url)
            cells += 1
            if response.status_code >= 500:
                failures.append(f"{username} {channel} {url}: {response.status_code}")
                continue
            text = readable(response)
            if key in SEARCHES:
                # What the user typed comes back in the search box; the results must add nothing.
                for term in parse_qs(urlsplit(url).query).get(SEARCHES[key], []):
                    text = text.replace(term, "").replace(html.escape(term), "")
            found = leaks(username, text)
            if found:
                failures.append(f"{username} {channel} {url} ({key}): {found}")
            if response.status_code == 200:
                for m in (P1_NAME, P2_NAME, P4_NAME):
                    if m in text:
                        shown.setdefault((username, m), set()).add(channel)
    assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures)
    # The markers are printed where the policy allows them (the matrix is not vacuous).
    assert {"page", "api"} <= shown[("hl_a", P1_NAME)]
    assert {"page", "api"} <= shown[("hl_b", P2_NAME)]
    assert {"page", "api"} <= shown[("hl_a_skydd", P4_NAME)]
    assert ("ec_a", P4_NAME) not in shown and ("ec_a", P2_NAME) not in shown
    print(f"\naccess matrix: {len(USERS)} users × {len(probes)} requests over "
          f"{len({k for k, *_ in probes})} URL patterns: {cells} cells")


def same_page(a, b):
    """Equal but for the per-request CSRF token."""
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    return token.sub(b"", a) == token.sub(b"", b)


FOREIGN_DETAILS = [
    ("/arende/C2/", "/arende/C404/"),
    ("/arende/C2/handelse/beslut/", "/arende/C404/handelse/beslut/"),
    ("/api/cases/C2/", "/api/cases/C404/"),
    ("/api/cases/C2/events/", "/api/cases/C404/events/"),
    ("/api/persons/P2/", "/api/persons/P404/"),
]


def test_a_case_of_another_unit_is_the_404_of_a_missing_id(world, clients):
    for username in ("hl_a", "hl_a_skydd", "ec_a", "ec_a_skydd", "registrator", "ku", "sekreterare", "forvaltare"):
        client = clients[username]
        for foreign, missing in FOREIGN_DETAILS:
            a, b = client.get(foreign), client.get(missing)
            assert a.status_code == b.status_code and a.status_code in (403, 404), (username, foreign, a.status_code)
            assert same_page(body_of(a).replace(b"C2", b"C404").replace(b"P2", b"P404"), body_of(b)), (username, foreign)
    # A member of unit B opens it.
    assert clients["hl_b"].get("/arende/C2/").status_code == 200


def test_quality_reports_of_a_case_outside_the_users_units_are_the_404_of_a_missing_id(world, clients):
    """A handläggare sees only the own reports: the others' are 404 as a missing id, page and API."""
    for username in ("hl_a_skydd", "hl_b", "registrator", "sekreterare", "forvaltare"):
        client = clients[username]
        for slug, api, pk in (("avvikelser", "avvikelser", world["dev_foreign"].pk),
                              ("lex-sarah", "lex-sarah", world["ls_foreign"].pk)):
            for url in (f"/kvalitet/{slug}/{pk}/", f"/api/kvalitet/{api}/{pk}/"):
                a, b = client.get(url), client.get(url.replace(f"/{pk}/", "/999999/"))
                assert a.status_code == b.status_code and a.status_code in (403, 404), (username, url, a.status_code)


def test_an_export_as_a_user_carries_nothing_the_user_may_not_see(world, db, tmp_path):
    from django.core.management import call_command

    for username in world["users"]:
        out = tmp_path / username
        call_command("export", str(out), as_user=username, stdout=io.StringIO())
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.is_file())
        assert not leaks(username, text), (username, leaks(username, text))
        if username == "hl_b":
            assert "19850712-9271" in text or "198507129271" in text


def test_registering_a_person_of_another_unit_or_a_protected_person_reveals_nothing(world, clients):
    """POST /ny-aktualisering/ with the personnummer of the foreign and the protected person."""
    for username in ("hl_a", "ec_a"):
        for pnr in ("19850712-9271", "20120704-2381"):
            with transaction.atomic():
                response = clients[username].post("/ny-aktualisering/", {
                    "personnummer": pnr, "name": "Ny Person", "area": UNIT_A, "date": "2025-03-01",
                    "source": "anmalan", "summary": "Oro.", "unit": Unit.objects.get(code=UNIT_A).pk,
                }, follow=True)
                assert response.status_code < 500
                # The personnummer is the user's own input; the stored names and the fact are not.
                text = readable(response)
                found = [m for m in (P2_NAME, P4_NAME, "Personen fanns redan") if m in text]
                assert not found, (username, pnr, found)
                transaction.set_rollback(True)
