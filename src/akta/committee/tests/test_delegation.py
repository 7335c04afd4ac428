"""`akta delegation` (contract-v2 §5; anmälan av delegationsbeslut, 6 kap. 40 § kommunallagen
(2017:725)): every beslut with decision_level delegat or absent, dated in the period inclusive;
utskott and nämnd decisions are not listed; totals derived from the rows; no names."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from akta.exchange.importer import import_exchange
from akta.exchange.tests.test_exchange import write_exchange

PERSONS = [{"id": "P1", "personnummer": "20150315-2009", "protected_identity": True, "name": "Hemlig Person"},
           {"id": "P2", "personnummer": "19800101-2015", "name": "Adam Andersson"}]
CASES = [{"id": "C1", "person_id": "P1", "area": "barn_och_unga", "opened": "2025-01-02"},
         {"id": "C2", "person_id": "P2", "area": "ekonomiskt_bistand", "opened": "2025-01-02"}]


def beslut(eid, case, date, **kw):
    return {"id": eid, "case_id": case, "type": "beslut", "date": date, "legal_basis": "SoL 4:1",
            "intervention": "kontaktperson", "outcome": "bifall", **kw}


EVENTS = [
    {"id": "A1", "case_id": "C1", "type": "aktualisering", "date": "2025-01-02", "kind": "anmalan"},
    {"id": "A2", "case_id": "C2", "type": "aktualisering", "date": "2025-01-02", "kind": "ansokan"},
    beslut("B1", "C1", "2025-01-31", decision_level="delegat", delegation_point="3.1.2", decided_by="socialsekreterare"),
    beslut("B2", "C2", "2025-02-01"),  # no level: delegat by default, no point
    beslut("B3", "C2", "2025-02-10", decision_level="utskott"),
    beslut("B4", "C1", "2025-02-28", decision_level="namnd", legal_basis="LVU 2 §", intervention="hvb"),
    beslut("B5", "C2", "2025-02-28", decision_level="delegat", delegation_point="3.1.2", outcome="avslag"),
    beslut("B6", "C2", "2025-03-01", decision_level="delegat", delegation_point="4.2"),  # the day after
    # a correction that moves B2 into March takes it out of February
    {**beslut("B2c", "C2", "2025-03-02"), "corrects": "B2", "recorded_at": "2025-03-03T10:00:00+01:00"},
]


@pytest.fixture
def decisions(db, tmp_path):
    import_exchange(write_exchange(tmp_path / "x", PERSONS, CASES, EVENTS))


def run(*args):
    out = io.StringIO()
    call_command("delegation", *args, stdout=out)
    return out.getvalue()


def test_the_period_is_inclusive_and_only_delegation_decisions_are_listed(decisions):
    doc = json.loads(run("--from", "2025-01-31", "--to", "2025-02-28", "--format", "json"))
    assert [r["beslut_id"] for r in doc["rows"]] == ["B1", "B5"]  # B2 moved by its correction, B3/B4 not delegat
    assert doc["rows"][0] == {"beslut_id": "B1", "case_id": "C1", "date": "2025-01-31", "delegation_point": "3.1.2",
                              "decided_by": "socialsekreterare", "legal_basis": "SoL 4:1",
                              "intervention": "kontaktperson", "outcome": "bifall"}
    assert doc["totals"] == [{"delegation_point": "3.1.2", "count": 2}]


def test_a_decision_without_a_level_is_a_delegation_decision_and_totals_come_from_the_rows(decisions):
    doc = json.loads(run("--from", "2025-03-01", "--to", "2025-03-31", "--format", "json"))
    assert [(r["beslut_id"], r["delegation_point"]) for r in doc["rows"]] == [("B6", "4.2"), ("B2", None)]
    assert doc["totals"] == [{"delegation_point": "4.2", "count": 1}, {"delegation_point": None, "count": 1}]
    assert sum(t["count"] for t in doc["totals"]) == len(doc["rows"])


def test_no_name_appears_in_any_output(decisions):
    for fmt in ("json", "text"):
        out = run("--from", "2025-01-01", "--to", "2025-12-31", "--format", fmt)
        assert "Hemlig" not in out and "Adam" not in out and "20150315" not in out


@pytest.mark.parametrize("args, message", [
    (("--from", "2025-02-30", "--to", "2025-03-01"), "--from"),
    (("--from", "2025-03-01", "--to", "1.3.2025"), "--to"),
    (("--from", "2025-03-01", "--to", "2025-02-01"), "ligger före"),
])
def test_bad_dates_are_errors_naming_the_option(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
