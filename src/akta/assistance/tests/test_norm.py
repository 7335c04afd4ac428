"""`akta norm` and :func:`akta.assistance.services.norm` (contract-v2 §3): the riksnorm of a
household, 2 kap. 1 § socialtjänstförordningen (2001:937), amounts from DOMAIN.md §3 checked by hand."""

import ast
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from akta.assistance.errors import InputError
from akta.assistance.services import norm
from akta.law.services import NormYearMissing

A = {"role": "vuxen"}


def child(age, **extra):
    return {"role": "barn", "age": age, **extra}


def household(*members, **extra):
    return {"members": list(members), **extra}


def run_norm(tmp_path, year, data, fmt="json"):
    path = tmp_path / "hushall.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("norm", year=year, household=str(path), format=fmt, stdout=out)
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


# (year, household, personal, common, total), each checked by hand against DOMAIN.md §3
HAND_CHECKED = [
    # 2013: one adult: 2 950 + 930
    (2013, household(A), [2950], 930, 3880),
    # 2014: adult, child under 1, child 5 without preschool lunch: 2 950 + 1 740 + 1 730 + 1 310
    (2014, household(A, child(0), child(5, lunch_at_preschool=False)), [2950, 1740, 1730], 1310, 7730),
    # 2015: cohabiting pair 5 320 (halves), children 8 and 16: + 2 410 + 3 250 + 1 490
    (2015, household(A, A, child(8), child(16), cohabiting=True), [2660, 2660, 2410, 3250], 1490, 12470),
    # 2017: adult, two children of 3, one of them without lunch: 2 980 + 1 850 + 1 670 + 1 330
    (2017, household(A, child(3), child(3, lunch_at_preschool=False)), [2980, 1850, 1670], 1330, 7830),
    # 2019: pair 5 570, children 1 (no lunch) 2 190, 12: 3 440, 19: 3 910, common 5: 1 810
    (2019, household(A, A, child(1, lunch_at_preschool=False), child(12), child(19), cohabiting=True),
     [2785, 2785, 2190, 3440, 3910], 1810, 16920),
    # 2021: the contract's example: pair 5 700, child 4: 2 440, child 2 without lunch: 2 240, common 4: 1 610
    (2021, household(A, A, child(4), child(2, lunch_at_preschool=False), cohabiting=True,
                     shares_household_with=0), [2850, 2850, 2440, 2240], 1610, 11990),
    # 2021: two adults not cohabiting (e.g. siblings): 2 × 3 160 + 1 130
    (2021, household(A, A), [3160, 3160], 1130, 7450),
    # 2021: lunch_at_preschool true is the default amount; 20 is the oldest child band (19–20: 4 000)
    (2021, household(A, child(6, lunch_at_preschool=True), child(20)), [3160, 2440, 4000], 1420, 11020),
]


@pytest.mark.parametrize(("year", "data", "personal", "common", "total"), HAND_CHECKED)
def test_hand_checked_households(tmp_path, year, data, personal, common, total):
    out = run_norm(tmp_path, year, data)
    assert out["year"] == year
    assert out["personal"] == [{"member": i, "amount": a} for i, a in enumerate(personal)]
    assert (out["common"], out["total"]) == (common, total)
    assert out["total"] == sum(personal) + common
    assert out["reference"].startswith("2 kap. 1 § socialtjänstförordningen (2001:937)")


def test_the_reference_carries_the_sfs_of_2021(tmp_path):
    out = run_norm(tmp_path, 2021, household(A))
    assert out["reference"] == "2 kap. 1 § socialtjänstförordningen (2001:937), i lydelse enligt SFS 2020:1013"
    assert set(out) == {"year", "reference", "personal", "common", "total"}


def test_above_seven_persons(tmp_path):
    """Contract-v2 §3: each person beyond 7 adds the 7-person minus the 6-person common costs."""
    nine = household(A, A, *(child(a) for a in (0, 1, 3, 4, 7, 11, 15)), cohabiting=True)
    out = run_norm(tmp_path, 2021, nine)
    assert out["common"] == 2270 + 2 * (2270 - 2100)
    assert out["total"] == 5700 + 2180 + 2440 + 2170 + 2440 + 3060 + 3520 + 3970 + 2610
    eight = household(A, *(child(a) for a in (0, 1, 3, 4, 7, 11, 15)))
    assert run_norm(tmp_path, 2013, eight)["common"] == 2120 + (2120 - 1950)
    # a home above 7 through hushållsgemenskap: 2 of 8 persons pay 2 × (2 270 + 170) / 8
    assert run_norm(tmp_path, 2021, household(A, A, shares_household_with=6))["common"] == 610


def test_shared_home(tmp_path):
    """DOMAIN.md §3, Socialstyrelsen's example: 1 710 kr ÷ 5 + 2 950 kr = 3 292 kr (2014)."""
    out = run_norm(tmp_path, 2014, household(A, shares_household_with=4))
    assert (out["personal"], out["common"], out["total"]) == ([{"member": 0, "amount": 2950}], 342, 3292)


def test_only_total_is_rounded_half_a_krona_up(tmp_path):
    # 2021: one adult in a home of 4: 1 610 / 4 = 402.50 → total 3 562.50 → 3 563
    out = run_norm(tmp_path, 2021, household(A, shares_household_with=3))
    assert (out["common"], out["total"]) == (402.5, 3563)
    # 2021: a pair sharing with one more: 1 420 × 2 / 3 = 946.67 → 5 700 + 946.67 → 6 647
    out = run_norm(tmp_path, 2021, household(A, A, cohabiting=True, shares_household_with=1))
    assert (out["common"], out["total"]) == (946.67, 6647)
    result = norm(2021, household(A, A, cohabiting=True, shares_household_with=1))
    assert result.exact_total * 3 == 5700 * 3 + 2840


@pytest.mark.parametrize("year", [2016, 2018, 2020, 2022])
def test_a_year_without_a_norm_names_the_year(tmp_path, year):
    with pytest.raises(CommandError, match=f"ingen riksnorm för år {year}"):
        run_norm(tmp_path, year, household(A))
    with pytest.raises(NormYearMissing, match=str(year)):
        norm(year, household(A))


def test_a_year_without_a_norm_exits_non_zero(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(household(A)), encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "akta.settings"}
    proc = subprocess.run([sys.executable, "-m", "akta.cli", "norm", "--year", "2016", "--household", str(path),
                           "--format", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode != 0
    assert "2016" in proc.stderr and proc.stdout == ""


BAD_HOUSEHOLDS = [
    (household(A, {"role": "barn"}), "members[1].age", "saknas"),
    (household(A, A, A, cohabiting=True), "cohabiting", "högst två vuxna"),
    (household(A, child(3), cohabiting=True), "cohabiting", "kräver två vuxna"),
    (household({"role": "förälder"}), "members[0].role", "okänd roll"),
    (household({"age": 30}), "members[0].role", "saknas"),
    (household(A, child(-1)), "members[1].age", "negativt"),
    (household(A, child(4.5)), "members[1].age", "heltal"),
    (household(A, child("4")), "members[1].age", "heltal"),
    (household(A, child(True)), "members[1].age", "heltal"),
    (household(A, child(21)), "members[1].age", "till och med 20 år"),
    (household(A, child(7, lunch_at_preschool=False)), "members[1].lunch_at_preschool", "0–6 år"),
    (household(A, child(9, lunch_at_preschool=True)), "members[1].lunch_at_preschool", "0–6 år"),
    (household({"role": "vuxen", "lunch_at_preschool": False}), "members[0].lunch_at_preschool", "bara barn"),
    (household(A, child(2, lunch_at_preschool="nej")), "members[1].lunch_at_preschool", "true eller false"),
    (household(A, shares_household_with=-1), "shares_household_with", "negativt"),
    (household(A, shares_household_with=1.5), "shares_household_with", "heltal"),
    (household(A, cohabiting="ja"), "cohabiting", "true eller false"),
    (household(child(4)), "members", "minst en vuxen"),
    (household(), "members", "minst en medlem"),
    ({"cohabiting": False}, "members", "saknas"),
    (household(A, pets=2), "pets", "okänt fält"),
    (household({"role": "vuxen", "name": "Anna"}), "members[0].name", "okänt fält"),
    ([A], "hushållet", "JSON-objekt"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_HOUSEHOLDS)
def test_bad_households_name_the_field(tmp_path, data, field, message):
    with pytest.raises(InputError) as info:
        norm(2021, data)
    assert (field, ) == tuple(f for f in info.value.fields if f == field)
    assert any(f == field and message in m for f, m in info.value.errors), info.value.errors
    with pytest.raises(CommandError, match=re.escape(f"{field}: ") + ".*" + re.escape(message)):
        run_norm(tmp_path, 2021, data)


def test_every_error_is_reported_at_once():
    with pytest.raises(InputError) as info:
        norm(2021, household({"role": "barn"}, child(-2), shares_household_with=-1))
    assert {"members[0].age", "members[1].age", "shares_household_with"} <= set(info.value.fields)


def test_bad_json_and_missing_file(tmp_path):
    path = tmp_path / "h.json"
    path.write_text("{\"members\": [", encoding="utf-8")
    with pytest.raises(CommandError, match="ogiltig JSON"):
        call_command("norm", year=2021, household=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="finns inte"):
        call_command("norm", year=2021, household=str(tmp_path / "none.json"), stdout=io.StringIO())


def test_the_readable_table_is_swedish(tmp_path):
    text = run_norm(tmp_path, 2021, household(A, A, child(4), cohabiting=True), fmt="text")
    assert "Riksnorm 2021" in text and "SFS 2020:1013" in text
    assert re.search(r"Summa riksnorm per månad\s+9\xa0560\xa0kr", text)  # 5 700 + 2 440 + 1 420
    assert "sammanboende" in text and "barn 4 år" in text


LEGAL_TEXT = re.compile(r"kap\.|§|SFS|SoL|LVU|LSS|HSLF|\bJO\b|\d{4}:\d+")


def test_no_legal_reference_strings_in_logic():
    """Law is data: the component's code carries no legal reference (docstrings exempt); amounts
    and periods are in akta/law/data."""
    package = Path(__file__).resolve().parents[1]
    offenders = []
    for path in package.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        documented = (ast.Module, ast.FunctionDef, ast.ClassDef)
        docstrings = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, documented) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        offenders += [f"{path.name}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
                      if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
                      and LEGAL_TEXT.search(n.value)]
    assert not offenders, offenders
