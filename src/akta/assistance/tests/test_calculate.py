"""`akta assistance calculate` and :func:`akta.assistance.services.calculate` (contract-v2 §3):
riksnorm (2 kap. 1 § socialtjänstförordningen (2001:937)) + costs outside the norm (4 kap. 3 § SoL)
− income counted (4 kap. 1 § SoL), jobbstimulans 4 kap. 1 b § SoL (2001:453) (SFS 2013:421; the
contract's "1 a §") and its counterpart in SoL (2025:400) from 2025-07-01."""

import copy
import io
import json
import re
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

import akta.law.assistance as law_assistance
from akta.assistance.errors import InputError
from akta.assistance.services import calculate
from akta.assistance.vocabulary import COST_KINDS, INCOME_KINDS
from akta.law.services import NormYearMissing, riksnorm_years

CONTRACT = {
    "month": "2021-03",
    "household": {"members": [{"role": "vuxen"}, {"role": "vuxen"}, {"role": "barn", "age": 4},
                              {"role": "barn", "age": 2, "lunch_at_preschool": False}],
                  "cohabiting": True, "shares_household_with": 0},
    "costs": {"boende": 5200, "hushallsel": 350},
    "income": [{"kind": "lon", "amount": 8000}, {"kind": "barnbidrag", "amount": 1250}],
    "consecutive_months_before": 7,
    "jobbstimulans_months_used": 0,
}


def facts(**changes):
    data = copy.deepcopy(CONTRACT)
    data.update(changes)
    return data


def run(tmp_path, data, fmt="json"):
    path = tmp_path / "manad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("assistance", "calculate", str(path), format=fmt, stdout=out)
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


def test_the_contract_example_by_hand(tmp_path):
    """Norm 2021: 5 700 + 2 440 + 2 240 + 1 610 = 11 990; costs 5 200 + 350 = 5 550; income
    8 000 + 1 250 − 25 % of 8 000 = 7 250; amount 11 990 + 5 550 − 7 250 = 10 290."""
    out = run(tmp_path, CONTRACT)
    assert {k: out[k] for k in ("norm", "costs", "income_counted", "jobbstimulans", "amount", "proposal")} == {
        "norm": 11990, "costs": 5550, "income_counted": 7250, "jobbstimulans": True, "amount": 10290,
        "proposal": "bifall"}
    sources = {line["item"]: line["source"] for line in out["lines"]}
    assert sources["common"] == "2 kap. 1 § socialtjänstförordningen (2001:937), i lydelse enligt SFS 2020:1013"
    assert sources["costs.boende"] == "4 kap. 3 § SoL (2001:453)"
    assert sources["income[0]"] == "4 kap. 1 § SoL (2001:453)"
    assert sources["jobbstimulans"] == "4 kap. 1 b § SoL (2001:453)"
    assert all(line["source"] for line in out["lines"])
    job = next(line for line in out["lines"] if line["item"] == "jobbstimulans")
    assert job["amount"] == -2000 and job["figure"] == "income_counted"


def _sums_agree(out):
    for figure in ("norm", "costs", "income_counted", "amount"):
        total = sum(Fraction(str(line["amount"])) for line in out["lines"] if line["figure"] == figure)
        # lines carry öre with two decimals; the norm's rounding line closes the sum to the krona
        assert abs(total - out[figure]) < Fraction(1, 100), (figure, total, out[figure])


def test_the_lines_explain_every_figure(tmp_path):
    _sums_agree(run(tmp_path, CONTRACT))
    shared = facts(household={"members": [{"role": "vuxen"}], "shares_household_with": 2})  # 1 420 / 3
    out = run(tmp_path, shared)
    assert out["norm"] == 3160 + 473  # 473.33 rounded
    assert any(line["item"] == "rounding" for line in out["lines"])
    _sums_agree(out)


@pytest.mark.parametrize(
    ("months_before", "used", "applied"),
    [(5, 0, False), (6, 0, True), (7, 23, True), (6, 24, False), (30, 25, False), (0, 0, False)],
)
def test_jobbstimulans_edges(tmp_path, months_before, used, applied):
    """Six consecutive months before the month qualify (≥ 6); the 24th month is the last (used < 24)."""
    out = run(tmp_path, facts(consecutive_months_before=months_before, jobbstimulans_months_used=used))
    assert out["jobbstimulans"] is applied
    assert out["income_counted"] == (7250 if applied else 9250)
    assert out["amount"] == 11990 + 5550 - out["income_counted"]
    job = next(line for line in out["lines"] if line["item"] == "jobbstimulans")
    assert job["amount"] == (-2000 if applied else 0)
    if not applied:
        assert "tillämpas inte" in job["text"]


def test_jobbstimulans_only_reduces_income_from_employment(tmp_path):
    out = run(tmp_path, facts(income=[{"kind": "sjukpenning", "amount": 8000}]))
    assert out["jobbstimulans"] is False and out["income_counted"] == 8000
    assert not any(line["item"] == "jobbstimulans" for line in out["lines"])
    # two salaries: 25 % of the sum, 2 001 × 0.25 = 500.25 → 500 not counted
    out = run(tmp_path, facts(income=[{"kind": "lon", "amount": 2000}, {"kind": "lon", "amount": 1}]))
    assert out["income_counted"] == 2001 - 500
    # 10 002 × 0.25 = 2 500.50 → 2 501 not counted (half a krona up, for the applicant)
    out = run(tmp_path, facts(income=[{"kind": "lon", "amount": 10002}]))
    assert out["income_counted"] == 10002 - 2501


def test_jobbstimulans_did_not_exist_before_2013_07(tmp_path):
    household = {"members": [{"role": "vuxen"}]}
    june = run(tmp_path, facts(month="2013-06", household=household))
    july = run(tmp_path, facts(month="2013-07", household=household))
    assert (june["jobbstimulans"], june["income_counted"]) == (False, 9250)
    assert (july["jobbstimulans"], july["income_counted"]) == (True, 7250)
    assert june["norm"] == july["norm"] == 2950 + 930


@pytest.fixture
def norm_2025(monkeypatch, tmp_path):
    """A TEST-ONLY norm year 2025 (the 2021 amounts under another year; not shipped, not the real
    2025 norm), to run a whole calculation on either side of 2025-07-01."""
    text = law_assistance.RIKSNORM_FILE.read_text(encoding="utf-8").replace("years = [2021]", "years = [2025]")
    path = tmp_path / "riksnorm.toml"
    path.write_text(text, encoding="utf-8")
    data = law_assistance.load_riksnorm(path)
    monkeypatch.setattr(law_assistance, "_riksnorm", lambda: data)


def test_the_citations_change_on_2025_07_01(tmp_path, norm_2025):
    june = {line["item"]: line["source"] for line in run(tmp_path, facts(month="2025-06"))["lines"]}
    july = {line["item"]: line["source"] for line in run(tmp_path, facts(month="2025-07"))["lines"]}
    assert june["jobbstimulans"] == "4 kap. 1 b § SoL (2001:453)"
    assert july["jobbstimulans"] == "motsvarande bestämmelse i SoL (2025:400) (tidigare 4 kap. 1 b § SoL (2001:453))"
    assert june["costs.boende"] == "4 kap. 3 § SoL (2001:453)"
    assert july["costs.boende"].startswith("motsvarande bestämmelse i SoL (2025:400)")
    assert june["income[0]"] == "4 kap. 1 § SoL (2001:453)"
    assert july["amount"] == "motsvarande bestämmelse i SoL (2025:400) (tidigare 4 kap. 1 § SoL (2001:453))"
    # the norm is cited as set for the year (1 January), the same on both sides
    assert june["common"] == july["common"]


def test_a_month_without_a_norm_names_the_year(tmp_path):
    for month in ("2016-05", "2025-06", "2025-07"):
        with pytest.raises(CommandError, match=f"ingen riksnorm för år {month[:4]}"):
            run(tmp_path, facts(month=month))
        with pytest.raises(NormYearMissing, match=month[:4]):
            calculate(facts(month=month))


def test_income_above_the_need_is_avslag(tmp_path):
    out = run(tmp_path, facts(income=[{"kind": "pension", "amount": 30000}]))
    assert (out["amount"], out["proposal"]) == (0, "avslag")
    exact = run(tmp_path, facts(income=[{"kind": "pension", "amount": 11990 + 5550}]))
    assert (exact["amount"], exact["proposal"]) == (0, "avslag")
    one_short = run(tmp_path, facts(income=[{"kind": "pension", "amount": 11990 + 5550 - 1}]))
    assert (one_short["amount"], one_short["proposal"]) == (1, "bifall")


BAD = [
    (facts(costs={"boende": -1}), "costs.boende", "negativt"),
    (facts(costs={"boende": 5200.5}), "costs.boende", "heltal"),
    (facts(costs={"boende": 5200, "bil": 900, "resa": 1}), "costs", "okänt kostnadsslag 'bil', 'resa'"),
    (facts(income=[{"kind": "lon", "amount": 8000}, {"kind": "lotto", "amount": 5}]), "income[1].kind",
     "okänt inkomstslag 'lotto'"),
    (facts(income=[{"kind": "lon", "amount": -8000}]), "income[0].amount", "negativt"),
    (facts(income=[{"kind": "lon", "amount": "8000"}]), "income[0].amount", "heltal"),
    (facts(income=[{"kind": "lon"}]), "income[0].amount", "saknas"),
    (facts(income=[{"amount": 1}]), "income[0].kind", "saknas"),
    (facts(income={"lon": 8000}), "income", "lista"),
    (facts(month="2021-13"), "month", "ÅÅÅÅ-MM"),
    (facts(month="2021/03"), "month", "ÅÅÅÅ-MM"),
    (facts(month=202103), "month", "ÅÅÅÅ-MM"),
    (facts(consecutive_months_before=-1), "consecutive_months_before", "negativt"),
    (facts(jobbstimulans_months_used=2.5), "jobbstimulans_months_used", "heltal"),
    (facts(household={"members": [{"role": "barn"}]}), "household.members[0].age", "saknas"),
    (facts(household={"members": [{"role": "vuxen"}] * 3, "cohabiting": True}), "household.cohabiting",
     "högst två"),
    (facts(extra=1), "extra", "okänt fält"),
    (facts(household={"members": [{"role": "vuxen"}], "pets": 1}), "household.pets", "okänt fält"),
    (facts(income=[{"kind": "lon", "amount": 1, "note": "x"}]), "income[0].note", "okänt fält"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD)
def test_bad_facts_name_the_field(tmp_path, data, field, message):
    with pytest.raises(InputError) as info:
        calculate(data)
    assert any(f == field and message in m for f, m in info.value.errors), info.value.errors
    with pytest.raises(CommandError, match=re.escape(f"{field}: ") + ".*" + re.escape(message)):
        run(tmp_path, data)


def test_month_is_required():
    data = facts()
    del data["month"]
    with pytest.raises(InputError) as info:
        calculate(data)
    assert info.value.fields == ["month"]


def test_the_readable_table_is_swedish(tmp_path):
    text = run(tmp_path, CONTRACT, fmt="text")
    assert "Försörjningsstöd 2021-03" in text and "Förslag: bifall" in text
    assert "Källa: 4 kap. 1 b § SoL (2001:453)" in text and "Jobbstimulans: ja" in text


def test_the_same_facts_give_the_same_result():
    assert calculate(facts()).as_dict() == calculate(facts()).as_dict()


YEARS = riksnorm_years()
member_st = st.one_of(
    st.just({"role": "vuxen"}),
    st.integers(0, 20).flatmap(lambda age: st.fixed_dictionaries(
        {"role": st.just("barn"), "age": st.just(age)},
        optional={"lunch_at_preschool": st.booleans()} if age <= 6 else {})),
)


@st.composite
def facts_st(draw):
    adults = draw(st.integers(1, 3))
    members = [{"role": "vuxen"}] * adults + draw(st.lists(member_st.filter(lambda m: m["role"] == "barn"),
                                                           max_size=8))
    household = {"members": members, "cohabiting": adults == 2 and draw(st.booleans()),
                 "shares_household_with": draw(st.integers(0, 5))}
    costs = draw(st.dictionaries(st.sampled_from(sorted(COST_KINDS)), st.integers(0, 20000)))
    income = draw(st.lists(st.fixed_dictionaries({"kind": st.sampled_from(sorted(INCOME_KINDS)),
                                                  "amount": st.integers(0, 40000)}), max_size=4))
    return {"month": f"{draw(st.sampled_from(YEARS))}-{draw(st.integers(1, 12)):02d}", "household": household,
            "costs": costs, "income": income, "consecutive_months_before": draw(st.integers(0, 40)),
            "jobbstimulans_months_used": draw(st.integers(0, 30))}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(facts_st())
def test_amount_is_norm_plus_costs_minus_income_never_negative(data):
    out = calculate(data).as_dict()
    assert out["amount"] == max(0, out["norm"] + out["costs"] - out["income_counted"])
    assert (out["proposal"] == "avslag") == (out["amount"] == 0)
    assert out["costs"] == sum(data["costs"].values())
    total_income = sum(i["amount"] for i in data["income"])
    lon = sum(i["amount"] for i in data["income"] if i["kind"] == "lon")
    assert total_income - lon // 4 - 1 <= out["income_counted"] <= total_income
    assert out["jobbstimulans"] == (lon > 0 and data["consecutive_months_before"] >= 6
                                    and data["jobbstimulans_months_used"] < 24 and data["month"] >= "2013-07")
    assert all(isinstance(out[k], int) for k in ("norm", "costs", "income_counted", "amount"))
    _sums_agree(out)
