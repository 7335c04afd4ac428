"""`akta deadlines` (exchange-v1 §4) on the hand-made valid exchange and on hand-written cases,
and the SQL path against the Python reference on generated histories."""
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from akta.deadlines import engine, evb
from akta.exchange.importer import import_exchange
from akta.exchange.tests.histories import histories
from akta.exchange.tests.test_exchange import write_exchange

REQUIRED = {"case_id", "subject_id", "rule", "legal_reference", "due", "overdue"}


def run(*args):
    out = io.StringIO()
    call_command("deadlines", *args, stdout=out)
    return out.getvalue()


def test_json_shape_on_the_valid_exchange(imported):
    """C4 (exchange/tests/data/valid): E40 is a begäran om yttrande, E47 corrects the
    förhandsbedömning (recorded 2024-07-05) from inte_inleda to inleda_utredning; E42 is an
    investigation opened 2024-07-04 and never closed; E43 LVU 2 § familjehem implemented
    2024-09-01 and considered 2025-02-28; E46 LSS 9 § 6 decided 2024-10-01, never implemented."""
    doc = json.loads(run("--as-of", "2025-03-31"))
    assert isinstance(doc, list) and doc
    assert all(REQUIRED <= set(d) for d in doc)
    assert all(isinstance(d["overdue"], bool) and dt.date.fromisoformat(d["due"]) for d in doc)
    got = {(d["case_id"], d["subject_id"], d["rule"]): (d["due"], d["overdue"], d["legal_reference"]) for d in doc}
    # 2024-07-04 + 4 months = 2024-11-04 (Monday)
    assert got[("C4", "E42", "utredning_4m")] == ("2024-11-04", True, "11 kap. 2 § SoL (2001:453)")
    # 2025-02-28 + 6 months = 2025-08-28 (Thursday)
    assert got[("C4", "E43", "overvagande_6m")] == ("2025-08-28", False, "13 § LVU (1990:52)")
    # 2024-10-01 + 3 months = 2025-01-01; the reporting limit is not moved by 2 §
    assert got[("C4", "E46", "verkstallighet_3m")] == ("2025-01-01", True, "28 f § LSS (1993:387)")
    # familjehem since 2024-09-01: two years = 2026-09-01
    assert got[("C4", "E43", "vardnadsoverflyttning_2y")] == ("2026-09-01", False, "6 kap. 8 § SoL (2001:453)")
    assert len(got) == 4
    # E1 (C1) had its skyddsbedömning and förhandsbedömning; C1's decision E7 was implemented
    assert not any(k[0] == "C1" for k in got)
    assert not any(k[2] == "kronparm_gallring_2y" for k in got)  # E41 was corrected to inleda_utredning


def test_as_of_before_the_correction_was_recorded_sees_the_original(imported):
    """As of 2024-07-03 E41 (inte_inleda_utredning, 2024-07-03) stands: no open förhandsbedömning;
    E40 is a begäran om yttrande, so no 14-day clock either way."""
    doc = json.loads(run("--as-of", "2024-07-04"))
    assert [d for d in doc if d["case_id"] == "C4" and d["rule"] == "forhandsbedomning_14d"] == []
    assert {d["subject_id"] for d in doc if d["case_id"] == "C4"} == {"E42"}


def test_csv_unit_filter_and_sorting(imported):
    text = run("--as-of", "2025-03-31", "--format", "csv", "--unit", "barn_och_unga")
    lines = text.splitlines()
    assert lines[0].split(",")[:6] == ["case_id", "subject_id", "rule", "legal_reference", "due", "overdue"]
    body = [line.split(",") for line in lines[1:]]
    assert body and all(r[0] == "C4" for r in body)
    assert [r[4] for r in body] == sorted(r[4] for r in body)
    assert {r[5] for r in body} <= {"true", "false"}


@pytest.mark.parametrize("args, message", [
    (("--as-of", "2025-02-30"), "ogiltigt datum"),
    (("--as-of", "31/03/2025"), "ÅÅÅÅ-MM-DD"),
    (("--as-of", "2025-03-31", "--format", "xml"), "invalid choice"),
    (("--as-of", "2025-03-31", "--unit", "finns_inte"), "ingen enhet"),
])
def test_bad_input_is_refused_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=histories())
def test_property_sql_and_python_reference_agree(db, tmp_path_factory, history):
    """The SQL anti-joins and the plain-Python reading of the rules give the same deadlines and
    the same EVB report on any valid history (exchange/tests/histories.py)."""
    persons, cases, events = history
    d = write_exchange(tmp_path_factory.mktemp("h"), persons, cases, events)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            import_exchange(d)
            days = sorted({dt.date.fromisoformat(e["date"]) for e in events})
            for as_of in {days[0], days[len(days) // 2], days[-1], days[-1] + dt.timedelta(days=400)}:
                sql = [x.as_dict() for x in engine.compute(as_of)]
                ref = [x.as_dict() for x in engine.compute(as_of, method="python")]
                assert sql == ref, as_of
                year, q = as_of.year, (as_of.month - 1) // 3 + 1
                assert evb.report(year, q).as_dict() == evb.report(year, q, method="python").as_dict()
            raise Rollback
    except Rollback:
        pass


def test_the_partial_index_lists_exactly_the_reportable_legal_bases():
    """The partial index of the decision clocks spells out the SoL 4:1 and LSS codes; they must
    be the codes the queries use (16 kap. 6 f § SoL, 28 f § LSS)."""
    from akta.cases.event_indexes import INDEXES
    from akta.cases.schema import REPORTABLE_BASES

    condition = INDEXES["deadlines_ev_beslut_rapp"][1]
    assert all(f"'{b}'" in condition for b in REPORTABLE_BASES)
    assert set(REPORTABLE_BASES) == {"SoL 4:1", *(f"LSS 9 § {n}" for n in range(1, 11))}


@pytest.mark.django_db(transaction=True)
def test_rule_groups_on_parallel_connections_agree_with_the_python_reference(monkeypatch):
    """Outside a transaction on PostgreSQL the rule groups run on parallel connections (here
    forced to three); the result is the same list, in the same order, as the Python reference."""
    from akta.conftest import VALID_EXCHANGE

    import_exchange(VALID_EXCHANGE)
    monkeypatch.setattr(engine, "WORKERS", 3)
    for as_of in (dt.date(2024, 7, 4), dt.date(2025, 3, 31), dt.date(2026, 12, 31)):
        got = [d.as_dict() for d in engine.compute(as_of, include_local=True)]
        assert got, as_of
        assert got == [d.as_dict() for d in engine.compute(as_of, include_local=True, method="python")]
