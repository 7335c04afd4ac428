"""Law is data (DESIGN.md; issue 9 §5): the follow-up and quality components carry no legal
citation as a string literal (docstrings and comments, which cite the law for readers, are
exempt); every indicator's "Källa" is a list of keys into the law data, rendered for the
period the table covers, with both texts for a period that spans 2025-07-01."""
import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from akta.followup.engine import LAW_PLACEHOLDER
from akta.followup.indicators import INDICATORS
from akta.law import services as law

CITATION = re.compile(
    r"kap\. ?\d+ ?[a-z]? ?§|\d+ ?[a-z]? ?kap\.|\d+ ?[a-z]? ?§ ?(LVU|LSS|LVM|SoL)|SFS \d{4}:\d+|SOSFS \d{4}:\d+|"
    r"HSLF-FS \d{4}:\d+|(lag|lagen|förordning|förordningen|kommunallagen|föräldrabalken) \(\d{4}:\d+\)"
)
SRC = Path(__file__).resolve().parents[2]


def literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                doc.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in doc:
            yield node.lineno, node.value


@pytest.mark.parametrize("component", ["followup", "quality"])
def test_no_legal_citation_literal_in_code(component):
    offenders = []
    for path in sorted((SRC / component).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        offenders += [f"{path.relative_to(SRC)}:{n}: {v[:80]!r}" for n, v in literals(path) if CITATION.search(v)]
    assert not offenders, offenders


def test_the_pattern_finds_what_it_should():
    for text in ("SoL 11 kap. 2 §", "16 kap. 6 f §", "28 f § LSS", "lag (1930:173)", "SFS 2020:1013",
                 "kommunallagen (2017:725)", "SOSFS 2011:5"):
        assert CITATION.search(text), text
    for text in ("Akta exchange-v1 §4", "seed 002 § 26", "SN 2023-11-30 § 190", "regel utredning_4m"):
        assert not CITATION.search(text), text


def test_quality_has_no_law_store_of_its_own():
    assert not (SRC / "quality" / "law.py").exists()
    assert not (SRC / "quality" / "data").exists()
    for key in ("sol.14.3", "sol.14.6", "sol.14.7", "sosfs_2011_5", "sosfs_2011_9", "sosfs_2011_9.7.1", "kl.6.6"):
        assert key in law.reference_keys()
    assert "lex_sarah_ivo_2v" in law.rule_ids()


@pytest.mark.parametrize("ind_id", list(INDICATORS))
def test_every_kalla_and_definition_key_is_in_the_law_data(ind_id):
    ind = INDICATORS[ind_id]
    keys = set(ind.law_refs) | set(LAW_PLACEHOLDER.findall(ind.definition))
    assert keys <= law.reference_keys(), keys - law.reference_keys()
    assert not CITATION.search(ind.sources or ""), ind.sources
    for on in (dt.date(2024, 6, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 1, 1)):
        text = ind.definition_text(on) + ind.reference_text(on)
        assert "{law:" not in text and "saknas i lagdata" not in text


def test_kalla_across_2025_07_01():
    ind = INDICATORS["utredningar_open"]
    assert ind.reference_text(dt.date(2025, 6, 30)).startswith("11 kap. 2 § SoL (2001:453); Akta exchange-v1 §4")
    new = ind.reference_text(dt.date(2025, 7, 1))
    assert new.startswith("motsvarande bestämmelse i SoL (2025:400) (tidigare 11 kap. 2 § SoL (2001:453))")
    both = INDICATORS["evb_waiting"].reference_text(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert "16 kap. 6 f § SoL (2001:453) (2025-01-01–2025-06-30)" in both
    assert "motsvarande bestämmelse i SoL (2025:400) (tidigare 16 kap. 6 f § SoL (2001:453)) (2025-07-01–2025-12-31)" in both
    assert "28 f § LSS (1993:387)" in both and "2025-07-01–2025-12-31); 28 f § LSS (1993:387);" in both
    defn = INDICATORS["evb_waiting"].definition_text(dt.date(2026, 3, 31))
    assert "enligt motsvarande bestämmelse i SoL (2025:400) (tidigare 4 kap. 1 § SoL (2001:453)) och LSS" in defn
    assert "1 § lagen (1930:173) om beräkning av lagstadgad tid" in defn


def test_a_period_before_a_paragraph_existed_is_said_not_raised():
    text = INDICATORS["forhandsbedomning_14d"].reference_text(dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    assert "sol.11.1a saknas i lagdata för 2012-01-01–2012-12-31" in text


def test_reference_in_period():
    assert law.reference_in_period("sol.11.2", dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == "11 kap. 2 § SoL (2001:453)"
    assert law.reference_in_period("sol.11.2", dt.date(2025, 6, 30), dt.date(2025, 7, 1)) == (
        "11 kap. 2 § SoL (2001:453) (2025-06-30–2025-06-30); "
        "motsvarande bestämmelse i SoL (2025:400) (tidigare 11 kap. 2 § SoL (2001:453)) (2025-07-01–2025-07-01)")
    with pytest.raises(law.LawDataMissing, match="sol.11.1a"):
        law.reference_in_period("sol.11.1a", dt.date(2010, 1, 1), dt.date(2012, 12, 31))
    with pytest.raises(ValueError):
        law.reference_in_period("sol.11.2", dt.date(2025, 1, 2), dt.date(2025, 1, 1))


@pytest.mark.django_db
def test_pages_and_pack_render_the_kalla_for_the_table_period(client, make_user):
    from akta.followup import pack

    client.force_login(make_user("kalla", role="enhetschef"))
    index = client.get("/uppfoljning/").content.decode()
    assert "{law:" not in index and "1 § lagen (1930:173) om beräkning av lagstadgad tid" in index
    html = client.get("/uppfoljning/indikator/utredningar_open/", {"as_of": "2025-12-31"}).content.decode()
    assert "motsvarande bestämmelse i SoL (2025:400) (tidigare 11 kap. 2 § SoL (2001:453))" in html
    html = client.get("/uppfoljning/indikator/utredningar_open/", {"as_of": "2024-12-31"}).content.decode()
    assert "<dd>11 kap. 2 § SoL (2001:453); Akta exchange-v1 §4" in html
    html = client.get("/uppfoljning/indikator/decisions_outcome/", {"year": "2025"}).content.decode()
    assert "4 kap. 1 § SoL (2001:453) (2025-01-01–2025-06-30)" in html
    ctx = pack.context(2025, mask=None)
    ut = next(ps for ps in ctx["sections"] if ps.indicator.id == "utredningar_open")
    assert ut.period == (dt.date(2024, 12, 31), dt.date(2025, 12, 31))
    assert "(2024-12-31–2025-06-30)" in ut.reference and "(2025-07-01–2025-12-31)" in ut.reference


def test_an_indicator_refuses_a_citation_text_or_an_unknown_key():
    import dataclasses

    ind = INDICATORS["utredningar_open"]
    with pytest.raises(TypeError, match="law_refs"):
        dataclasses.replace(ind, law_refs="SoL 11 kap. 2 §")
    with pytest.raises(ValueError, match="sol.99"):
        dataclasses.replace(ind, law_refs=("sol.99",))
    with pytest.raises(ValueError, match="sol.98"):
        dataclasses.replace(ind, definition="enligt {law:sol.98}")
