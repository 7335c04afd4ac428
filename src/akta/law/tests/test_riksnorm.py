"""The riksnorm and jobbstimulans as law data (2 kap. 1 § socialtjänstförordningen (2001:937);
4 kap. 1 b § SoL (2001:453) and its counterpart in SoL (2025:400); DOMAIN.md §3; contract-v2 §3)."""

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from akta.law.assistance import (
    RIKSNORM_FILE,
    NormYearMissing,
    jobbstimulans_rule,
    load_jobbstimulans,
    load_riksnorm,
    riksnorm,
    riksnorm_years,
)
from akta.law.errors import LawDataError, LawDataMissing

# DOMAIN.md §3, copied by hand: year -> (children <1, 1–2, 3, 4–6, 7–10, 11–14, 15–18, 19–20,
# single adult, cohabiting pair, common 1..7, children without preschool lunch <1, 1–2, 3, 4–6).
DOMAIN = {
    2013: ((1740, 1980, 1730, 1980, 2410, 2840, 3250, 3280), 2950, 5320,
           (930, 1040, 1310, 1490, 1710, 1950, 2120), (1610, 1800, 1550, 1730)),
    2017: ((1860, 2100, 1850, 2100, 2690, 3120, 3540, 3570), 2980, 5370,
           (950, 1060, 1330, 1520, 1740, 1980, 2150), (1730, 1920, 1670, 1850)),
    2019: ((2130, 2380, 2120, 2380, 2990, 3440, 3880, 3910), 3090, 5570,
           (990, 1100, 1380, 1570, 1810, 2050, 2220), (2000, 2190, 1940, 2120)),
    2021: ((2180, 2440, 2170, 2440, 3060, 3520, 3970, 4000), 3160, 5700,
           (1020, 1130, 1420, 1610, 1860, 2100, 2270), (2050, 2240, 1990, 2170)),
}
DOMAIN[2014] = DOMAIN[2015] = DOMAIN[2013]  # "2013, 2014, 2015 (unchanged)"
AGES = (0, 1, 3, 4, 7, 11, 15, 19)  # one age in each band, in the table's order


def test_only_the_verified_years_are_shipped():
    assert riksnorm_years() == (2013, 2014, 2015, 2017, 2019, 2021)


@pytest.mark.parametrize("year", sorted(DOMAIN))
def test_every_amount_is_exactly_domain_s(year):
    children, single, pair, common, without_lunch = DOMAIN[year]
    norm = riksnorm(year)
    assert [norm.child(age) for age in AGES] == list(children)
    assert [norm.child(age, lunch_at_preschool=False) for age in AGES[:4]] == list(without_lunch)
    assert (norm.single_adult, norm.cohabiting_pair) == (single, pair)
    assert [norm.common_for(n) for n in range(1, 8)] == list(common)
    # the band edges: 2 is 1–2, 6 is 4–6, 10 is 7–10, 14 is 11–14, 18 is 15–18, 20 is 19–20
    assert [norm.child(a) for a in (2, 6, 10, 14, 18, 20)] == [children[i] for i in (1, 3, 4, 5, 6, 7)]


@pytest.mark.parametrize("year", [2012, 2016, 2018, 2020, 2022, 2025])
def test_a_year_without_a_norm_is_an_error_naming_the_year(year):
    with pytest.raises(NormYearMissing, match=str(year)) as info:
        riksnorm(year)
    assert info.value.year == year
    assert isinstance(info.value, LawDataMissing)


def test_above_seven_persons_each_adds_the_difference_between_7_and_6():
    """Contract-v2 §3: 2021, 2 270 − 2 100 = 170 per person above 7."""
    norm = riksnorm(2021)
    assert norm.common_for(8) == 2270 + 170
    assert norm.common_for(10) == 2270 + 3 * 170
    assert riksnorm(2013).common_for(9) == 2120 + 2 * (2120 - 1950)


def test_shared_home_socialstyrelsen_s_example():
    """DOMAIN.md §3: 1 710 kr ÷ 5 + 2 950 kr = 3 292 kr (2014, one adult in a home of 5)."""
    norm = riksnorm(2014)
    assert norm.common_share(1, 4) + norm.single_adult == 3292
    assert norm.common_share(2, 2) == Fraction(1490 * 2, 4)
    assert norm.common_share(3, 0) == norm.common_for(3)
    assert norm.common_share(2, 1) == Fraction(1310 * 2, 3)  # 873⅓ kr: the fraction is kept


def test_the_reference_names_the_ordinance_and_the_sfs_of_the_year():
    assert riksnorm(2021).reference() == (
        "2 kap. 1 § socialtjänstförordningen (2001:937), i lydelse enligt SFS 2020:1013"
    )
    # DOMAIN.md gives no SFS number for 2013–2019: none is invented, and the text says so
    for year in (2013, 2014, 2015, 2017, 2019):
        text = riksnorm(year).reference()
        assert text.startswith("2 kap. 1 § socialtjänstförordningen (2001:937), i lydelse för ")
        assert str(year) in text and "inte verifierat" in text and "SFS 20" not in text


# --- the loader ----------------------------------------------------------------------------

SHIPPED = RIKSNORM_FILE.read_text(encoding="utf-8")
YEAR_2021 = SHIPPED[SHIPPED.index("years = [2021]"):]


def _load(tmp_path: Path, text: str):
    path = tmp_path / "riksnorm.toml"
    path.write_text(text, encoding="utf-8")
    return load_riksnorm(path)


def test_the_shipped_file_loads(tmp_path):
    assert sorted(_load(tmp_path, SHIPPED)) == [2013, 2014, 2015, 2017, 2019, 2021]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"15-18" = 3970, ', "", r"riksnorm 2021: children\.'15-18' is missing"),
        ('"3" = 1990, ', "", r"riksnorm 2021: children_without_lunch\.'3' is missing"),
        ("single_adult = 3160\n", "", "riksnorm 2021: single_adult is missing"),
        ("cohabiting_pair = 5700\n", "cohabiting_pair = 0\n", "riksnorm 2021: cohabiting_pair must be"),
        ("cohabiting_pair = 5700\n", "", "riksnorm 2021: cohabiting_pair is missing"),
        ("1860, 2100, 2270]", "1860, 2100]", "riksnorm 2021: common must list"),
        ("1860, 2100, 2270]", '1860, 2100, "2270"]', r"riksnorm 2021: common\[7 persons\]"),
        ('"4-6" = 2440, "7-10"', '"4-6" = 2440.5, "7-10"', r"riksnorm 2021: children\.'4-6' must be a whole"),
        ('amended_by = "SFS 2020:1013"', 'amended_by = "SFS 2020:9999"', "riksnorm 2021: amended_by .* not a source"),
        ('amended_by = "SFS 2020:1013"', "", "riksnorm 2021: give exactly one of amended_by"),
        ("years = [2021]", "years = [2019]", "riksnorm 2019 is given more than once"),
        ("years = [2021]", "years = [2021, 2021]", "riksnorm 2021 is given more than once"),
        ("years = [2021]", "years = [2026]", r"riksnorm 2026: reference 'sof.2.1' has no text on 2026-01-01"),
        ("years = [2021]", "years = [2021]\nextra = 1", r"riksnorm 2021: unknown fields \['extra'\]"),
    ],
)
def test_the_loader_names_the_year_and_the_field(tmp_path, old, new, message):
    assert old in YEAR_2021
    text = SHIPPED.replace(YEAR_2021, YEAR_2021.replace(old, new, 1))
    with pytest.raises(LawDataError, match=message):
        _load(tmp_path, text)


def test_the_loader_refuses_child_bands_with_a_gap_or_an_overlap(tmp_path):
    gap = SHIPPED.replace('key = "3"\nmin_age = 3\nmax_age = 3', 'key = "3"\nmin_age = 3\nmax_age = 2', 1)
    with pytest.raises(LawDataError, match="min_age is above max_age"):
        _load(tmp_path, gap)
    overlap = SHIPPED.replace('key = "4-6"\nmin_age = 4', 'key = "4-6"\nmin_age = 3', 1)
    with pytest.raises(LawDataError, match="overlap or leave a gap"):
        _load(tmp_path, overlap)


# --- jobbstimulans -----------------------------------------------------------------------


def test_jobbstimulans_periods_are_law_data():
    rule = jobbstimulans_rule(dt.date(2021, 3, 1))
    assert (rule.qualifying_months, rule.percent_not_counted, rule.max_months) == (6, 25, 24)
    assert rule.income_kinds == {"lon"}
    assert rule.eligible(6, 0) and rule.eligible(6, 23)
    assert not rule.eligible(5, 0) and not rule.eligible(6, 24)
    assert rule.not_counted(8001) == Fraction(8001, 4)


def test_jobbstimulans_began_2013_07_01():
    """SFS 2013:421 (prop. 2012/13:94) put 4 kap. 1 b § into SoL from 2013-07-01."""
    assert jobbstimulans_rule(dt.date(2013, 6, 30)) is None
    assert jobbstimulans_rule(dt.date(2013, 7, 1)).reference(dt.date(2013, 7, 1)) == "4 kap. 1 b § SoL (2001:453)"


def test_jobbstimulans_citation_changes_on_2025_07_01():
    june, july = dt.date(2025, 6, 1), dt.date(2025, 7, 1)
    assert jobbstimulans_rule(june).reference(june) == "4 kap. 1 b § SoL (2001:453)"
    assert jobbstimulans_rule(july).reference(july) == (
        "motsvarande bestämmelse i SoL (2025:400) (tidigare 4 kap. 1 b § SoL (2001:453))"
    )


RULE = """
[[rule]]
valid_from = 2013-07-01
reference = "sol.4.1b"
qualifying_months = 6
percent_not_counted = 25
max_months = 24
income_kinds = ["lon"]
"""


def test_the_jobbstimulans_loader_refuses_bad_rules(tmp_path):
    path = tmp_path / "jobbstimulans.toml"
    path.write_text(RULE, encoding="utf-8")
    assert load_jobbstimulans(path)[0].max_months == 24
    for old, new, message in [
        ("valid_from = 2013-07-01", "valid_from = 2010-01-01", "no text on 2010-01-01"),
        ("max_months = 24\n", "", r"missing fields \['max_months'\]"),
        ("percent_not_counted = 25", "percent_not_counted = 125", "at most 100"),
        ('reference = "sol.4.1b"', 'reference = "sol.4.99"', "not a key"),
        ('income_kinds = ["lon"]\n', 'income_kinds = ["lon"]\nvalid_to = 2020-01-01\n'
         + RULE.replace("2013-07-01", "2019-01-01"), "overlap"),
    ]:
        path.write_text(RULE.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(LawDataError, match=message):
            load_jobbstimulans(path)
