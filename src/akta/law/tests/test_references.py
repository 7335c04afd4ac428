"""Legal references as data: SoL (2001:453) until 2025-06-30, SoL (2025:400) from 2025-07-01."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from akta.law.errors import LawDataError, LawDataMissing
from akta.law.references import (
    load_references,
    reference,
    reference_keys,
    reference_versions,
)

D = dt.date
LAST_OLD = D(2025, 6, 30)
FIRST_NEW = D(2025, 7, 1)
PLACEHOLDER = "motsvarande bestämmelse i SoL (2025:400)"

SOL_KEYS = [
    ("sol.4.1", "4 kap. 1 §"),
    ("sol.4.2", "4 kap. 2 §"),
    ("sol.6.8", "6 kap. 8 §"),
    ("sol.11.1", "11 kap. 1 §"),
    ("sol.11.1a", "11 kap. 1 a §"),
    ("sol.11.2", "11 kap. 2 §"),
    ("sol.12.1", "12 kap. 1 §"),
    ("sol.16.6f", "16 kap. 6 f §"),
]


@pytest.mark.parametrize(("key", "paragraph"), SOL_KEYS)
def test_sol_switch_on_2025_07_01(key, paragraph):
    """SoL (2001:453) applies to 2025-06-30; from 2025-07-01 SoL (2025:400), number unverified."""
    assert reference(key, LAST_OLD) == f"{paragraph} SoL (2001:453)"
    assert (
        reference(key, FIRST_NEW)
        == f"{PLACEHOLDER} (tidigare {paragraph} SoL (2001:453))"
    )
    assert reference(key, D(2040, 1, 1)) == reference(key, FIRST_NEW)


def test_every_sol_2025_400_text_is_the_placeholder_unless_verified():
    """Never invent a paragraph number of SoL (2025:400)."""
    for key in reference_keys():
        for version in reference_versions(key):
            if version.source == "SFS 2025:400":
                assert version.text.startswith(PLACEHOLDER) or version.verified_by, key


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("lvu.13", "13 § LVU (1990:52)"),
        ("lss.28f", "28 f § LSS (1993:387)"),
        ("fb.6.19", "6 kap. 19 § föräldrabalken (1949:381)"),
        ("hslf_fs_2017_51", "HSLF-FS 2017:51"),
        ("jo_1998_3500", "JO 1998-12-18, dnr 3500-1998"),
        ("lag_1930_173.2", "2 § lagen (1930:173) om beräkning av lagstadgad tid"),
    ],
)
def test_other_statutes_continue_across_the_switch(key, text):
    assert reference(key, LAST_OLD) == text
    assert reference(key, FIRST_NEW) == text


def test_11_1a_did_not_apply_before_2013():
    """11 kap. 1 a § SoL was inserted by SFS 2012:776 from 2013-01-01."""
    assert reference("sol.11.1a", D(2013, 1, 1)) == "11 kap. 1 a § SoL (2001:453)"
    with pytest.raises(LawDataMissing, match=r"sol\.11\.1a.*2012-12-31"):
        reference("sol.11.1a", D(2012, 12, 31))


def test_missing_key_and_date_are_named():
    with pytest.raises(LawDataMissing, match="sol.99.9"):
        reference("sol.99.9", FIRST_NEW)
    with pytest.raises(LawDataMissing, match=r"lvu\.13.*1990-06-30"):
        reference("lvu.13", D(1990, 6, 30))


HEADER = """
[source."OLD"]
valid_from = 2002-01-01
valid_to = 2025-06-30
[source."NEW"]
valid_from = 2025-07-01
unverified_text_prefix = "motsvarande bestämmelse i SoL (2025:400)"
"""


def _load(tmp_path: Path, body: str):
    path = tmp_path / "references.toml"
    path.write_text(HEADER + body, encoding="utf-8")
    return load_references(path)


def test_loader_refuses_an_invented_paragraph_number(tmp_path):
    body = """
[[ref."sol.11.2"]]
valid_from = 2025-07-01
text = "19 kap. 7 § SoL (2025:400)"
source = "NEW"
"""
    with pytest.raises(LawDataError, match="verified_by"):
        _load(tmp_path, body)
    refs = _load(
        tmp_path,
        body.replace(
            'source = "NEW"',
            'source = "NEW"\nverified_by = "SFS 2025:400, checked 2025-08-01"',
        ),
    )
    assert refs["sol.11.2"][0].text.startswith("19 kap.")


def test_loader_refuses_gaps_overlaps_and_versions_outside_their_source(tmp_path):
    gap = """
[[ref."k"]]
valid_from = 2002-01-01
valid_to = 2025-06-29
text = "a"
source = "OLD"
[[ref."k"]]
valid_from = 2025-07-01
text = "motsvarande bestämmelse i SoL (2025:400)"
source = "NEW"
"""
    with pytest.raises(LawDataError, match="gap"):
        _load(tmp_path, gap)
    outside = """
[[ref."k"]]
valid_from = 2002-01-01
text = "a"
source = "OLD"
"""
    with pytest.raises(LawDataError, match="ceased to apply"):
        _load(tmp_path, outside)
    undeclared = """
[[ref."k"]]
text = "a"
source = "ELSEWHERE"
"""
    with pytest.raises(LawDataError, match="not declared"):
        _load(tmp_path, undeclared)
    overlap = """
[[ref."k"]]
valid_from = 2025-07-01
valid_to = 2025-12-31
text = "motsvarande bestämmelse i SoL (2025:400)"
source = "NEW"
[[ref."k"]]
valid_from = 2025-12-01
text = "motsvarande bestämmelse i SoL (2025:400) b"
source = "NEW"
"""
    with pytest.raises(LawDataError, match="overlapping"):
        _load(tmp_path, overlap)


LEGAL_TEXT = re.compile(r"kap\.|§|SFS|SoL|LVU|LSS|HSLF|\bJO\b|\d{4}:\d+")


def test_no_legal_reference_strings_in_logic():
    """Law is data (DESIGN.md): string constants in code carry no legal references.

    Docstrings (which cite the law for readers) are exempt.
    """
    package = Path(__file__).resolve().parents[1]
    offenders = []
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        documented = (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, documented)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        offenders += [
            f"{path.name}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and LEGAL_TEXT.search(node.value)
        ]
    assert not offenders, offenders
