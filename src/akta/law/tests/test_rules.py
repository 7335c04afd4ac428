"""Statutory deadline rules (DOMAIN.md §2): each test cites its paragraph and its edges.

Due dates are counted per lag (1930:173) 1 §; 2 § applies where the rule says so.
"""

import datetime as dt
from pathlib import Path

import pytest

from akta.law.errors import LawDataError, LawDataMissing
from akta.law.references import load_references
from akta.law.rules import (
    RULES_FILE,
    due,
    load_rules,
    rule,
    rule_ids,
    rule_reference,
    rules_in_force,
)

D = dt.date
PLACEHOLDER = "motsvarande bestämmelse i SoL (2025:400)"

REQUIRED = {
    "skyddsbedomning_0d",
    "forhandsbedomning_14d",
    "utredning_4m",
    "verkstallighet_3m",
    "verkstallighet_avbrott_3m",
    "overvagande_6m",
    "omprovning_lvu3_6m",
    "vardnadsoverflyttning_2y",
    "vbu_utredning_4m",
    "samarbetssamtal_14d",
    "faderskap_1y",
    "kronparm_gallring_2y",
}


def test_all_required_rules_exist_and_are_in_force_around_the_switch():
    assert REQUIRED <= rule_ids()
    for on in (D(2025, 6, 30), D(2025, 7, 1), D(2030, 1, 1)):
        assert REQUIRED <= {r.id for r in rules_in_force(on)}
        for r in rules_in_force(on):
            assert r.title and r.anchor_key and r.anchor_description and r.note
            assert r.reference(
                on
            )  # every rule can be cited on every day it is in force
    assert str(rule("utredning_4m", D(2025, 1, 1)).period) == "4 månader"
    assert str(rule("faderskap_1y", D(2025, 1, 1)).period) == "1 år"
    assert str(rule("skyddsbedomning_0d", D(2025, 1, 1)).period) == "0 dagar"


# --- 11 kap. 1 a § SoL: skyddsbedömning and förhandsbedömning ---------------------------


def test_skyddsbedomning_same_day_even_on_julafton():
    """11 kap. 1 a § SoL: skyddsbedömning "genast"; 2 § does not move it."""
    assert due("skyddsbedomning_0d", D(2025, 12, 24)) == D(2025, 12, 24)
    assert due("skyddsbedomning_0d", D(2025, 6, 21)) == D(2025, 6, 21)
    assert rule("skyddsbedomning_0d", D(2025, 1, 1)).apply_2_section is False


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (D(2025, 3, 3), D(2025, 3, 17)),  # plain 14 days
        (D(2025, 12, 10), D(2025, 12, 29)),  # 24 Dec julafton .. 28 Dec -> Mon 29 Dec
        (D(2025, 12, 17), D(2026, 1, 2)),  # 31 Dec nyårsafton, 1 Jan -> Fri 2 Jan
        (D(2025, 4, 4), D(2025, 4, 22)),  # långfredagen 18 Apr -> Tue 22 Apr
        (D(2026, 3, 20), D(2026, 4, 7)),  # långfredagen 3 Apr 2026 -> Tue 7 Apr
        (D(2025, 6, 6), D(2025, 6, 23)),  # midsommarafton 20 Jun -> Mon 23 Jun
        (D(2026, 6, 5), D(2026, 6, 22)),  # midsommarafton 19 Jun 2026 -> Mon 22 Jun
        (D(2025, 5, 15), D(2025, 5, 30)),  # Kristi himmelsfärdsdag 29 May -> Fri 30 May
        (D(2025, 5, 23), D(2025, 6, 9)),  # nationaldagen Fri 6 Jun -> Mon 9 Jun
        (
            D(2026, 10, 17),
            D(2026, 11, 2),
        ),  # alla helgons dag Sat 31 Oct 2026 -> Mon 2 Nov
        (D(2024, 2, 15), D(2024, 2, 29)),  # leap day is an ordinary Thursday
    ],
)
def test_forhandsbedomning_14_days(received, expected):
    """11 kap. 1 a § SoL: decide within 14 days of receipt; lag (1930:173) 2 § applies."""
    assert due("forhandsbedomning_14d", received) == expected


def test_forhandsbedomning_rule_starts_2013():
    """11 kap. 1 a § SoL came into force 2013-01-01 (SFS 2012:776)."""
    with pytest.raises(LawDataMissing, match=r"forhandsbedomning_14d.*2012-12-31"):
        due("forhandsbedomning_14d", D(2012, 12, 31))


def test_forhandsbedomning_citation_switches_on_2025_07_01():
    assert (
        rule_reference("forhandsbedomning_14d", D(2025, 6, 30))
        == "11 kap. 1 a § SoL (2001:453)"
    )
    assert rule_reference("forhandsbedomning_14d", D(2025, 7, 1)) == (
        f"{PLACEHOLDER} (tidigare 11 kap. 1 a § SoL (2001:453))"
    )


# --- 11 kap. 2 § SoL: child investigation within 4 months ---------------------------------


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (D(2025, 2, 18), D(2025, 6, 18)),
        (D(2024, 10, 31), D(2025, 2, 28)),  # 1 §: no 31 Feb -> 28 Feb (Friday)
        (D(2023, 10, 31), D(2024, 2, 29)),  # leap year -> 29 Feb (Thursday)
        (D(2025, 10, 31), D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Mon 2 Mar
        (D(2025, 2, 20), D(2025, 6, 23)),  # midsommarafton 20 Jun -> Mon 23 Jun
        (D(2025, 8, 24), D(2025, 12, 29)),  # julafton -> Mon 29 Dec
        (D(2025, 8, 31), D(2026, 1, 2)),  # nyårsafton -> Fri 2 Jan
        (D(2024, 12, 18), D(2025, 4, 22)),  # långfredagen 18 Apr -> Tue 22 Apr
    ],
)
def test_utredning_4_months(opened, expected):
    """11 kap. 2 § SoL: finished within 4 months; lag (1930:173) 1 § and 2 §."""
    assert due("utredning_4m", opened) == expected


def test_utredning_extension_until_replaces_the_due_date():
    """11 kap. 2 § SoL: the committee may extend for a stated time (särskilda skäl)."""
    assert due("utredning_4m", D(2025, 2, 18), extended_until=D(2025, 8, 15)) == D(
        2025, 8, 15
    )
    # the decided date is taken as decided, even on a Saturday
    assert due("utredning_4m", D(2025, 2, 18), extended_until=D(2025, 8, 16)) == D(
        2025, 8, 16
    )
    # an "extension" can never make the statutory deadline earlier
    assert due("utredning_4m", D(2025, 2, 20), extended_until=D(2025, 6, 1)) == D(
        2025, 6, 23
    )


def test_non_extendable_rules_refuse_an_extension():
    with pytest.raises(ValueError, match="verkstallighet_3m"):
        due("verkstallighet_3m", D(2025, 1, 1), extended_until=D(2025, 12, 1))


# --- 16 kap. 6 f § SoL, 28 f § LSS: implementation within 3 months ------------------------


@pytest.mark.parametrize(
    ("decided", "expected"),
    [
        (D(2025, 1, 15), D(2025, 4, 15)),
        (D(2024, 11, 30), D(2025, 2, 28)),  # 1 §: no 30 Feb
        (D(2023, 11, 30), D(2024, 2, 29)),  # leap year
        (
            D(2025, 9, 24),
            D(2025, 12, 24),
        ),  # julafton: threshold, not moved (2 § not applied)
        (D(2025, 11, 30), D(2026, 2, 28)),  # Saturday: not moved
        (D(2025, 1, 18), D(2025, 4, 18)),  # långfredagen: not moved
    ],
)
def test_verkstallighet_3_months_from_decision(decided, expected):
    """16 kap. 6 f § SoL / 28 f § LSS: reportable if not implemented within 3 months."""
    assert due("verkstallighet_3m", decided) == expected


def test_verkstallighet_after_interruption():
    """16 kap. 6 f § SoL: an interruption not resumed within 3 months is reportable."""
    assert due("verkstallighet_avbrott_3m", D(2025, 3, 31)) == D(2025, 6, 30)
    assert due("verkstallighet_avbrott_3m", D(2025, 3, 20)) == D(
        2025, 6, 20
    )  # midsommarafton kept


def test_verkstallighet_citation_depends_on_legal_basis_and_date():
    """SoL 4:1 decisions cite 16 kap. 6 f § SoL (renumbered 2025-07-01); LSS cites 28 f § LSS."""
    assert (
        rule_reference("verkstallighet_3m", D(2025, 6, 30), "SoL 4:1")
        == "16 kap. 6 f § SoL (2001:453)"
    )
    assert rule_reference("verkstallighet_3m", D(2025, 7, 1), "SoL 4:1") == (
        f"{PLACEHOLDER} (tidigare 16 kap. 6 f § SoL (2001:453))"
    )
    assert (
        rule_reference("verkstallighet_3m", D(2025, 6, 30), "LSS 9 § 8")
        == "28 f § LSS (1993:387)"
    )
    assert (
        rule_reference("verkstallighet_avbrott_3m", D(2025, 7, 1), "LSS 9 § 4")
        == "28 f § LSS (1993:387)"
    )


# --- 6 kap. 8 § SoL and 13 § LVU: överväganden and omprövning ----------------------------


def test_overvagande_every_6_months():
    """6 kap. 8 § SoL, 13 § LVU (2 §): consider the care at least every 6 months."""
    assert due("overvagande_6m", D(2025, 1, 10)) == D(2025, 7, 10)
    assert due("overvagande_6m", D(2025, 8, 31)) == D(
        2026, 3, 2
    )  # 28 Feb 2026 Sat -> Mon
    assert due("overvagande_6m", D(2025, 6, 24)) == D(
        2025, 12, 29
    )  # julafton -> Mon 29 Dec
    assert due("overvagande_6m", D(2023, 8, 29)) == D(2024, 2, 29)
    assert rule("overvagande_6m", D(2025, 1, 1)).recurring


def test_overvagande_citation_for_sol_and_lvu():
    assert (
        rule_reference("overvagande_6m", D(2025, 6, 30), "SoL 4:1")
        == "6 kap. 8 § SoL (2001:453)"
    )
    assert rule_reference("overvagande_6m", D(2025, 7, 1)).startswith(PLACEHOLDER)
    assert (
        rule_reference("overvagande_6m", D(2025, 7, 1), "LVU 2 §")
        == "13 § LVU (1990:52)"
    )


def test_omprovning_lvu3_within_6_months():
    """13 § LVU: care under 3 § is re-examined within 6 months of its start or last review."""
    assert due("omprovning_lvu3_6m", D(2025, 6, 20)) == D(
        2025, 12, 22
    )  # Sat 20 Dec -> Mon 22
    assert due("omprovning_lvu3_6m", D(2025, 10, 24)) == D(2026, 4, 24)
    assert due("omprovning_lvu3_6m", D(2025, 10, 6)) == D(
        2026, 4, 7
    )  # annandag påsk 6 Apr
    assert rule_reference("omprovning_lvu3_6m", D(2025, 7, 1)) == "13 § LVU (1990:52)"


def test_vardnadsoverflyttning_after_2_years():
    """6 kap. 8 § SoL: after 2 years in the same familjehem; a trigger date, 2 § not applied."""
    assert due("vardnadsoverflyttning_2y", D(2023, 12, 24)) == D(2025, 12, 24)
    assert due("vardnadsoverflyttning_2y", D(2024, 2, 29)) == D(
        2026, 2, 28
    )  # 1 §, Saturday kept


# --- 6 kap. 19 § FB, HSLF-FS 2017:51, faderskap, kronpärm ------------------------------


def test_vbu_utredning_4_months():
    """6 kap. 19 § FB (seed 004): 4 months; the court may set another time (extension)."""
    assert due("vbu_utredning_4m", D(2025, 1, 31)) == D(
        2025, 6, 2
    )  # Sat 31 May -> Mon 2 Jun
    assert due("vbu_utredning_4m", D(2024, 1, 31)) == D(2024, 5, 31)
    assert due("vbu_utredning_4m", D(2025, 1, 31), extended_until=D(2025, 9, 1)) == D(
        2025, 9, 1
    )
    assert (
        rule_reference("vbu_utredning_4m", D(2025, 7, 1))
        == "6 kap. 19 § föräldrabalken (1949:381)"
    )


def test_samarbetssamtal_14_days():
    """HSLF-FS 2017:51 (seed 004): first talk within 14 days of the request."""
    assert due("samarbetssamtal_14d", D(2025, 6, 6)) == D(2025, 6, 23)  # midsommarafton
    assert due("samarbetssamtal_14d", D(2025, 12, 17)) == D(
        2026, 1, 2
    )  # nyårsafton, nyårsdagen
    assert due("samarbetssamtal_14d", D(2025, 3, 5)) == D(2025, 3, 19)


def test_faderskap_1_year():
    """Seed 004: a paternity investigation is finished within 1 year (FB 2 kap. 1 §)."""
    assert due("faderskap_1y", D(2024, 2, 29)) == D(2025, 2, 28)  # 1 §
    assert due("faderskap_1y", D(2025, 6, 20)) == D(
        2026, 6, 22
    )  # midsommardagen 2026 -> Mon
    assert due("faderskap_1y", D(2024, 12, 24)) == D(
        2025, 12, 29
    )  # julafton -> Mon 29 Dec


def test_kronparm_culled_after_2_years():
    """JO 1998-12-18 dnr 3500-1998, seed 000: culled after 2 years; earliest date, 2 § not applied."""
    assert due("kronparm_gallring_2y", D(2023, 12, 24)) == D(2025, 12, 24)
    assert due("kronparm_gallring_2y", D(2024, 2, 29)) == D(2026, 2, 28)
    assert (
        rule_reference("kronparm_gallring_2y", D(2025, 7, 1))
        == "JO 1998-12-18, dnr 3500-1998"
    )


# --- the loader ------------------------------------------------------------------------


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(LawDataMissing, match="no_such_rule"):
        due("no_such_rule", D(2025, 1, 1))


def _write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


RULE = """
[[rule]]
id = "x_14d"
title = "Test"
period = { days = 14 }
anchor = { key = "aktualisering", description = "Den dag anmälan kom in." }
reference = "sol.11.1a"
apply_2_section = true
valid_from = 2013-01-01
"""


def test_loader_accepts_the_shipped_rules():
    assert REQUIRED <= set(load_rules(RULES_FILE))


def test_loader_refuses_an_unknown_reference_key(tmp_path):
    path = _write_rules(tmp_path, RULE.replace('"sol.11.1a"', '"sol.11.9z"'))
    with pytest.raises(LawDataError, match=r"sol\.11\.9z"):
        load_rules(path)
    path = _write_rules(tmp_path, RULE + 'reference_by_basis = { LSS = "lss.99" }\n')
    with pytest.raises(LawDataError, match=r"lss\.99"):
        load_rules(path)


def test_loader_requires_an_explicit_2_section_decision(tmp_path):
    path = _write_rules(tmp_path, RULE.replace("apply_2_section = true\n", ""))
    with pytest.raises(LawDataError, match="apply_2_section"):
        load_rules(path)


def test_loader_refuses_a_rule_in_force_when_its_reference_has_no_text(tmp_path):
    """A rule from 2010 citing 11 kap. 1 a § (from 2013) would have no citation 2010–2012."""
    path = _write_rules(
        tmp_path, RULE.replace("valid_from = 2013-01-01", "valid_from = 2010-01-01")
    )
    with pytest.raises(LawDataError, match=r"sol\.11\.1a.*2010-01-01"):
        load_rules(path)


def test_loader_refuses_overlapping_versions_and_bad_periods(tmp_path):
    with pytest.raises(LawDataError, match="overlapping"):
        load_rules(_write_rules(tmp_path, RULE + RULE))
    with pytest.raises(LawDataError, match="period"):
        load_rules(
            _write_rules(tmp_path, RULE.replace("{ days = 14 }", "{ days = -1 }"))
        )
    with pytest.raises(LawDataError, match="period"):
        load_rules(
            _write_rules(tmp_path, RULE.replace("{ days = 14 }", "{ fortnights = 1 }"))
        )


def test_loader_supports_successive_versions_of_a_rule(tmp_path):
    """A change of period is a data change: two versions, the date picks one."""
    old = RULE + "valid_to = 2025-06-30\n"
    new = RULE.replace("valid_from = 2013-01-01", "valid_from = 2025-07-01").replace(
        "days = 14", "days = 10"
    )
    rules = load_rules(_write_rules(tmp_path, old + new), references=load_references())
    first, second = rules["x_14d"]
    assert first.due(D(2025, 3, 3)) == D(2025, 3, 17)
    assert second.due(D(2025, 8, 4)) == D(2025, 8, 14)
