"""Local service promises in working days (seed 001: försörjningsstöd within 10 arbetsdagar).

Working days exclude the closed days of lag (1930:173) 2 §.
"""

import dataclasses
import datetime as dt

import pytest

from akta.law.errors import LawDataError, LawDataMissing
from akta.law.local import LocalRule, local_due, local_rule

D = dt.date

FORSORJNINGSSTOD = LocalRule(
    id="forsorjningsstod_beslut_10ad",
    title="Beslut om försörjningsstöd inom 10 arbetsdagar",
    working_days=10,
    decision_reference="SN 2014-xx-xx § nn",
    valid_from=D(2014, 1, 1),
)


def test_ten_working_days_over_christmas_and_new_year():
    """Tue 23 Dec 2025 + 10 arbetsdagar skips julafton–annandag jul, nyårsafton, nyårsdagen
    and trettondedag jul: 29, 30 Dec, 2, 5, 7, 8, 9, 12, 13, 14 Jan."""
    assert local_due(FORSORJNINGSSTOD, D(2025, 12, 23)) == D(2026, 1, 14)


def test_ten_working_days_over_easter_and_midsommar():
    # Thu 17 Apr 2025: 22, 23, 24, 25, 28, 29, 30 Apr, 2, 5, 6 May (1 May is a holiday)
    assert local_due(FORSORJNINGSSTOD, D(2025, 4, 17)) == D(2025, 5, 6)
    # Mon 16 Jun 2025: 17, 18, 19, 23, 24, 25, 26, 27, 30 Jun, 1 Jul
    assert local_due(FORSORJNINGSSTOD, D(2025, 6, 16)) == D(2025, 7, 1)


def test_local_rule_validity_and_versions():
    newer = LocalRule(
        id=FORSORJNINGSSTOD.id,
        title="Beslut om försörjningsstöd inom 7 arbetsdagar",
        working_days=7,
        decision_reference="SN 2024-xx-xx § nn",
        valid_from=D(2024, 7, 1),
    )
    older = dataclasses.replace(FORSORJNINGSSTOD, valid_to=D(2024, 6, 30))
    rules = [older, newer]
    assert local_rule(rules, FORSORJNINGSSTOD.id, D(2024, 6, 30)) is older
    assert local_rule(rules, FORSORJNINGSSTOD.id, D(2024, 7, 1)) is newer
    with pytest.raises(LawDataMissing, match="2013-12-31"):
        local_rule(rules, FORSORJNINGSSTOD.id, D(2013, 12, 31))
    with pytest.raises(LawDataMissing, match="SN 2014"):
        local_due(older, D(2024, 7, 1))
    with pytest.raises(LawDataError, match="overlapping"):
        local_rule([FORSORJNINGSSTOD, newer], FORSORJNINGSSTOD.id, D(2025, 1, 1))


def test_local_rule_needs_a_decision_reference_and_sane_values():
    with pytest.raises(ValueError):
        LocalRule("x", "X", 10, "", D(2025, 1, 1))
    with pytest.raises(ValueError):
        LocalRule("x", "X", -1, "SN", D(2025, 1, 1))
    with pytest.raises(ValueError):
        LocalRule("x", "X", 1, "SN", D(2025, 1, 1), D(2024, 1, 1))
