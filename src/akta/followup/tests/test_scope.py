"""Indicator scope (contract-v2 §2): every indicator takes ``--area`` (repeatable). A scoped
table counts only cases in those areas: it equals the unscoped table filtered by area where the
table has an area column, the sum over the areas where the counted units are additive, and the
unscoped table when every area is chosen. The drill-down, the pages, the committee pack and the
saved reports carry the scope."""
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from akta.access.models import Area
from akta.cases.models import Case
from akta.followup.drilldown import cell_units, drilldown
from akta.followup.engine import TOTAL, ParameterError
from akta.followup.indicators import INDICATORS
from akta.followup.reports import save_report, verify
from akta.followup.services import compute, normalize_params
from akta.followup.tests.history import History, rows_of
from akta.followup.tests.test_crosscheck import small, small_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

AREAS = tuple(Area.values)
YEAR = 2024


def params_for(ind):
    return {"as_of": f"{YEAR}-12-31"} if ind.period == "as_of" else {"year": YEAR}


def counts(table, skip_summary=True):
    """{(key, column): value} of the count columns (summary rows left out)."""
    out = {}
    for row in table.rows:
        key = table.key_of(row)
        if skip_summary and key in table.summary_keys:
            continue
        rec = dict(zip(table.columns, row))
        for c in table.indicator.count_columns:
            out[key, c] = rec[c]
    return out


@pytest.mark.parametrize("ind_id", list(INDICATORS))
def test_every_indicator_scoped_to_each_area_against_the_unscoped_table(small, ind_id):
    """The scope is one filter on the cases relation; every indicator honours it."""
    ind = INDICATORS[ind_id]
    p = params_for(ind)
    whole = compute(ind_id, **p)
    every = compute(ind_id, **p, area=list(AREAS))
    assert every.rows == whole.rows, "all areas = no scope"
    scoped = {a: compute(ind_id, **p, area=a) for a in AREAS}
    assert all(t.areas == (a,) for a, t in scoped.items())
    if "area" in ind.dim_names:
        ai = whole.columns.index("area")
        for a, t in scoped.items():
            assert t.rows == [r for r in whole.rows if r[ai] == a], a
        return
    total = Counter()
    for t in scoped.values():
        for k, v in counts(t).items():
            total[k] += v or 0
    for (key, col), v in counts(whole).items():
        m = ind.measure(col)
        if m.agg == "persons":  # a person may have cases in two areas: not additive
            assert max(counts(t).get((key, col), 0) for t in scoped.values()) <= (v or 0) <= total[key, col]
        else:
            assert total[key, col] == (v or 0), (key, col)


def test_the_scope_changes_numbers_on_the_synthetic_municipality(small):
    """Not vacuous: the child-investigation table differs from the whole one, and kkik_u31462
    (ekonomiskt bistånd only) is empty outside ekonomiskt bistånd."""
    whole = rows_of(compute("utredningar_open", as_of="2024-12-31"))
    child = rows_of(compute("utredningar_open", as_of="2024-12-31", area="barn_och_unga"))
    assert 0 < child[("totalt",)]["total"] < whole[("totalt",)]["total"]
    kk = rows_of(compute("kkik_u31462", year=2024))
    assert kk[("totalt",)]["a_ended_h1"] > 0
    assert rows_of(compute("kkik_u31462", year=2024, area="ekonomiskt_bistand")) == kk
    assert rows_of(compute("kkik_u31462", year=2024, area="barn_och_unga"))[("totalt",)]["a_ended_h1"] == 0


@pytest.mark.parametrize("ind_id, areas", [
    ("utredningar_open", ["barn_och_unga", "vuxna_missbruk"]), ("persons_active", ["barn_och_unga", "vuxna_missbruk"]),
    ("interventions_active", ["ekonomiskt_bistand", "vuxna_ovrigt"]),
    ("kkik_u31462", ["ekonomiskt_bistand"])])
def test_drilldown_of_a_scoped_cell_stays_within_the_areas(small, ind_id, areas, make_user):
    ind = INDICATORS[ind_id]
    period = {"as_of": "2024-12-31"} if ind.period == "as_of" else {"year": 2024}
    params = normalize_params(ind_id, **period, area=areas)
    table = compute(ind_id, **period, area=areas)
    row, column = next((r, c) for r in table.records() for c in ind.count_columns if r["sex"] == TOTAL and r[c])
    key = {k: row[k] for k in ind.key_columns}
    m, units = cell_units(ind_id, params, key, column)
    assert len(units) == row[column]
    ids = {c for cases, _ in units for c in cases}
    assert set(Case.objects.filter(id__in=ids).values_list("area", flat=True)) <= set(areas)
    _, all_units = cell_units(ind_id, {k: v for k, v in params.items() if k != "area"}, key, column)
    assert {tuple(u[0]) for u in units} <= {tuple(u[0]) for u in all_units}
    dd = drilldown(make_user("chef_scope", role="enhetschef"), ind_id, params, key, column, log=False)
    assert dd.value == row[column] and dd.hidden == row[column]  # a manager of no unit sees none of them


# --- Hand-built: the committee's child-investigation table (seed 002 § 26) ----------------

@pytest.fixture
def two_areas(db):
    h = History()
    girl = h.person("kvinna", born="2012-03-01")
    man = h.person("man", born="1970-05-05")
    cb = h.case(girl, "barn_och_unga", opened="2022-06-01")
    cv = h.case(man, "vuxna_missbruk", opened="2022-06-01")
    h.akt(cb, "2022-06-01")
    h.akt(cv, "2022-06-01")
    u1 = h.ev(cb, "utredning_inledd", "2022-07-01")
    h.ev(cb, "utredning_forlangd", "2022-10-20", utredning_id=u1.id, until="2023-01-31")
    h.ev(cb, "utredning_inledd", "2022-11-15")
    h.ev(cv, "utredning_inledd", "2022-11-01")
    return h, cb, cv


def test_utredningar_open_for_barn_och_unga_counts_only_child_cases(two_areas):
    whole = rows_of(compute("utredningar_open", as_of="2022-12-31"))
    child = rows_of(compute("utredningar_open", as_of="2022-12-31", area="barn_och_unga"))
    assert whole[("totalt",)]["total"] == 3
    assert child[("totalt",)] == {"sex": "totalt", "total": 2, "within_4m": 1, "over_4m": 1, "over_4m_extended": 1}
    assert child[("man",)]["total"] == 0 and child[("kvinna",)]["total"] == 2


def test_evb_waiting_and_interventions_scoped(two_areas):
    """evb_waiting and interventions_active meet their cases through the same relation."""
    h, cb, cv = two_areas
    h.ev(cb, "beslut", "2022-07-01", outcome="bifall", legal_basis="SoL 4:1", intervention="kontaktperson")
    h.ev(cv, "beslut", "2022-07-15", outcome="bifall", legal_basis="SoL 4:1", intervention="kontaktperson")
    b3 = h.ev(cv, "beslut", "2022-08-01", outcome="bifall", legal_basis="SoL 4:1", intervention="behandling")
    h.ev(cv, "verkstalld", "2022-08-02", beslut_id=b3.id)
    whole = rows_of(compute("evb_waiting", as_of="2022-12-31"))
    child = rows_of(compute("evb_waiting", as_of="2022-12-31", area="barn_och_unga"))
    adult = rows_of(compute("evb_waiting", as_of="2022-12-31", area="vuxna_missbruk"))
    assert whole[("SoL 4:1", "totalt")]["months_3_6"] == 2
    assert child[("SoL 4:1", "totalt")]["months_3_6"] == 1 and child[("SoL 4:1", "kvinna")]["months_3_6"] == 1
    assert adult[("SoL 4:1", "totalt")]["months_3_6"] == 1 and adult[("SoL 4:1", "man")]["months_3_6"] == 1
    assert rows_of(compute("evb_waiting", as_of="2022-12-31", area="familjeratt")) == {}
    act = rows_of(compute("interventions_active", as_of="2022-12-31", area="vuxna_missbruk"))
    assert act[("behandling", "totalt")]["insatser"] == 1
    assert rows_of(compute("interventions_active", as_of="2022-12-31", area="barn_och_unga")) == {}


def run_stats(*args):
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    try:
        call_command("stats", *args, stdout=out)
    finally:
        sys.stdout = saved
    return out.getvalue()


def test_cli_area_is_repeatable_and_checked(two_areas):
    one = json.loads(run_stats("utredningar_open", "--as-of", "2022-12-31", "--area", "barn_och_unga"))
    assert set(one) == {"indicator", "columns", "rows"}
    assert ["totalt", 2, 1, 1, 1] in one["rows"]
    both = json.loads(run_stats("utredningar_open", "--as-of", "2022-12-31", "--area", "barn_och_unga",
                                "--area", "vuxna_missbruk"))
    assert ["totalt", 3, 2, 1, 1] in both["rows"]
    assert both == json.loads(run_stats("utredningar_open", "--as-of", "2022-12-31"))
    csv = run_stats("cases_opened", "--year", "2022", "--area", "vuxna_missbruk", "--format", "csv")
    assert "barn_och_unga" not in csv and "vuxna_missbruk" in csv
    with pytest.raises(CommandError, match=r"--area: okänt område 'barn'"):
        run_stats("utredningar_open", "--as-of", "2022-12-31", "--area", "barn")


def test_cli_bad_area_exits_non_zero(tmp_path):
    env = {**os.environ, "AKTA_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    akta = os.path.join(os.path.dirname(sys.executable), "akta")
    r = subprocess.run([akta, "stats", "cases_opened", "--year", "2024", "--area", "x"], capture_output=True,
                       text=True, env=env, check=False, timeout=120)
    assert r.returncode != 0 and "--area" in r.stderr and "okänt område" in r.stderr


def test_bad_area_in_the_service_names_the_option():
    with pytest.raises(ParameterError, match="--area"):
        compute("cases_opened", year=2024, area=["barn_och_unga", "nope"])
    with pytest.raises(ParameterError, match="--area"):
        compute("cases_opened", year=2024, area=[3])


def test_saved_report_stores_and_hashes_the_areas(two_areas):
    """Two scopes with the same numbers must not share a hash; a re-run of a scoped report
    recomputes the same scope."""
    whole = save_report(None, "utredningar_open", {"as_of": "2022-12-31"})
    vux = save_report(None, "utredningar_open", {"as_of": "2022-12-31", "area": ["vuxna_missbruk"]})
    fam = save_report(None, "utredningar_open", {"as_of": "2022-12-31", "area": ["familjeratt"]})
    fam2 = save_report(None, "utredningar_open", {"as_of": "2022-12-31", "area": ["vald_i_nara_relation"]})
    assert vux.parameters["area"] == ["vuxna_missbruk"]
    assert fam.content == fam2.content and fam.content_hash != fam2.content_hash  # both empty, different scope
    assert len({whole.content_hash, vux.content_hash, fam.content_hash}) == 3
    v = verify(vux)
    assert v.reported_matches and v.corrected_matches
    assert rows_of(v.as_corrected)[("totalt",)]["total"] == 1
    # An unscoped table's hash is what it was before areas existed (the exchange-v1 document).
    assert whole.content_hash == compute("utredningar_open", as_of="2022-12-31",
                                         as_reported=whole.parameters["as_reported"]).content_hash


# --- Pages and the committee pack -------------------------------------------------------------

def url(name, *args, pairs=()):
    from urllib.parse import urlencode

    return reverse(f"followup:{name}", args=args) + ("?" + urlencode(list(pairs)) if pairs else "")


def test_statistics_page_area_filter(client, two_areas, make_user):
    client.force_login(make_user("chef_page", role="enhetschef"))
    r = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31")]))
    html = r.content.decode()
    assert r.status_code == 200 and 'name="area" value="barn_och_unga"' in html and "Barn och unga" in html
    assert "Alla områden" in html
    r = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "barn_och_unga")]))
    html = r.content.decode()
    assert 'id="f-area-barn_och_unga" aria-describedby="f-area-hint" checked' in html
    assert 'id="table-areas">Barn och unga<' in html
    assert "area=barn_och_unga" in html  # the downloads and drill-down links keep the scope
    j = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "barn_och_unga"),
                                                               ("area", "vuxna_missbruk"), ("format", "json")])).json()
    assert ["totalt", 3, 2, 1, 1] in j["rows"]
    j = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "barn_och_unga"),
                                                               ("format", "json")])).json()
    assert ["totalt", 2, 1, 1, 1] in j["rows"]
    x = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "barn_och_unga"),
                                                               ("area", "familjeratt"), ("format", "xlsx")]))
    from openpyxl import load_workbook

    info = {r[0]: r[1] for r in load_workbook(io.BytesIO(x.content))["Definition"].iter_rows(values_only=True)}
    assert info["Parameter area"] == "barn_och_unga, familjeratt"
    assert "barn_och_unga-familjeratt" in x["Content-Disposition"]
    # Only an area: the default day applies, no error.
    assert client.get(url("indicator", "cases_opened", pairs=[("area", "familjeratt")])).status_code == 200
    bad = client.get(url("indicator", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "<x>")]))
    assert bad.status_code == 400 and "okänt område" in bad.content.decode() and "<x>" not in bad.content.decode()
    assert client.get(url("indicator", "utredningar_open", pairs=[("area", "x"), ("format", "csv")])).status_code == 400
    # Drill-down within the scope.
    r = client.get(url("cell", "utredningar_open", pairs=[("as_of", "2022-12-31"), ("area", "barn_och_unga"),
                                                          ("k_sex", "totalt"), ("column", "total")]))
    html = r.content.decode()
    assert r.status_code == 200 and '<strong id="cell-value">2</strong>' in html and 'id="cell-areas">Barn och unga' in html


def test_save_from_the_page_keeps_the_areas(client, two_areas, make_user):
    from akta.followup.models import SavedReport

    client.force_login(make_user("chef_save", role="enhetschef"))
    r = client.post(reverse("followup:save", args=["utredningar_open"]),
                    {"as_of": "2022-12-31", "area": ["barn_och_unga", "vuxna_missbruk"]})
    assert r.status_code == 302
    rep = SavedReport.objects.get()
    assert rep.parameters["area"] == ["barn_och_unga", "vuxna_missbruk"]
    page = client.get(reverse("followup:report", args=[rep.pk])).content.decode()
    assert 'id="report-areas">Barn och unga, Vuxna missbrukare<' in page


def test_committee_pack_takes_the_areas(client, two_areas, make_user):
    from docx import Document

    from akta.followup import pack

    ctx = pack.context(2022, mask=None, areas=["barn_och_unga"])
    sec = {ps.indicator.id: ps for ps in ctx["sections"]}
    ut = sec["utredningar_open"]
    assert ut.cur.areas == ("barn_och_unga",)
    total = next(r for r in ut.rows if r.column == "total")
    assert total.values[-1] == (0, 2)  # totalt: 2021 none, 2022 the two child investigations
    text = "\n".join(p.text for p in Document(io.BytesIO(pack.to_docx(ctx))).paragraphs)
    assert "Områden: Barn och unga" in text
    client.force_login(make_user("chef_pack", role="enhetschef"))
    r = client.get(url("pack", pairs=[("year", "2022"), ("mask", "0"), ("area", "barn_och_unga")]))
    html = r.content.decode()
    assert r.status_code == 200 and 'id="pack-areas">Områden: Barn och unga' in html
    assert "&amp;area=barn_och_unga&amp;format=docx" in html
    r = client.get(url("pack", pairs=[("year", "2022"), ("area", "barn_och_unga"), ("format", "docx")]))
    assert r.status_code == 200 and "uppfoljning_2022_barn_och_unga.docx" in r["Content-Disposition"]
    assert client.get(url("pack", pairs=[("year", "2022"), ("area", "nope")])).status_code == 400
