"""Culling as law data (data/culling.toml): SoL (2001:453) 12 kap. 1 § (five years; done by the end
of the next calendar year), 12 kap. 2 § (exemptions), socialtjänstförordningen (2001:937) 7 kap.
2 § (5th, 15th, 25th), counted per lag (1930:173) 1 §, and rendered across 2025-07-01."""
import datetime as dt

import pytest

from akta.law import services as law
from akta.law.culling import CULLING_FILE, load_culling
from akta.law.errors import LawDataError, LawDataMissing

D = dt.date


def test_the_period_and_completion_are_data_counted_per_lag_1930_173():
    rule = law.culling_rule(D(2026, 1, 1))
    assert (rule.id, rule.period.years, rule.complete_within_years) == ("sol_12_1", 5, 1)
    assert rule.due(D(2020, 2, 29)) == D(2025, 2, 28)  # no 29 Feb in 2025: the month's last day (1 §)
    assert rule.due(D(2019, 12, 31)) == D(2024, 12, 31)
    assert rule.due(D(2020, 3, 1)) == D(2025, 3, 1)
    assert rule.cull_by(D(2025, 2, 28)) == D(2026, 12, 31) and rule.cull_by(D(2025, 12, 31)) == D(2026, 12, 31)


def test_citations_change_on_2025_07_01():
    assert law.culling_rule(D(2025, 6, 30)).reference(D(2025, 6, 30)) == "12 kap. 1 § SoL (2001:453)"
    assert law.exemption_rule(D(2025, 7, 1)).reference(D(2025, 7, 1)) == (
        "motsvarande bestämmelse i SoL (2025:400) (tidigare 12 kap. 2 § SoL (2001:453))")
    assert law.research_rule(D(2025, 6, 30)).reference(D(2025, 6, 30)) == "7 kap. 2 § socialtjänstförordningen (2001:937)"
    assert "tidigare 7 kap. 2 § socialtjänstförordningen (2001:937)" in law.research_rule(D(2026, 1, 1)).reference(D(2026, 1, 1))


def test_exemptions_and_research_days():
    x = law.exemption_rule(D(2026, 1, 1))
    assert {"faderskap", "adoption_medgivande"} <= x.case_types
    assert x.is_placement("LVU 2 §", "familjehem", "bifall") and not x.is_placement("LVM 4 §", "hvb", "bifall")
    assert not x.is_placement("SoL 4:1", "hvb", "avslag") and not x.is_placement("SoL 4:1", "kontaktperson", "bifall")
    assert x.is_child_on(D(2008, 2, 29), D(2026, 2, 27)) and not x.is_child_on(D(2008, 2, 29), D(2026, 2, 28))
    r = law.research_rule(D(2026, 1, 1))
    assert [d for d in range(1, 32) if r.keeps(D(2000, 1, d))] == [5, 15, 25]
    with pytest.raises(LawDataMissing):
        law.culling_rule(D(2001, 12, 31))  # before SoL (2001:453)


@pytest.mark.parametrize("old, new, message", [
    ('period = { years = 5 }', 'period = { years = -5 }', "period must be"),
    ('reference = "sol.12.1"', 'reference = "sol.12.99"', "not a key in references.toml"),
    ('birth_days = [5, 15, 25]', 'birth_days = [5, 15, 32]', "birth_days"),
    ('child_under_years = 18', 'child_under_years = 0', "child_under_years"),
    ('valid_from = 2002-01-01\nnote = "Uppgifter', 'valid_from = 1990-01-01\nnote = "Uppgifter', "no text on 1990-01-01"),
])
def test_the_loader_refuses_bad_data(tmp_path, old, new, message):
    text = CULLING_FILE.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "culling.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LawDataError, match=message):
        load_culling(bad)
    assert load_culling()["culling"][0].id == "sol_12_1"
