"""The worklists' snapshot (akta.deadlines.worklist): one per process for the whole
municipality, narrowed to each unit set, and brought up to date with new events through the
Python reference. Each answer must equal a fresh computation for the same units."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from akta.access.models import Unit
from akta.cases.models import Case, Event
from akta.deadlines import engine, worklist
from akta.deadlines.tests.helpers import at

TODAY = dt.date(2025, 3, 31)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    worklist.clear_snapshots()
    yield
    worklist.clear_snapshots()


def rows(deadlines):
    return [(d.case.ext_id, d.rule, d.subject_id, d.due, d.start, d.legal_reference, d.overdue) for d in deadlines]


def fresh(unit_ids):
    return rows(engine.compute(TODAY, unit_ids=unit_ids, include_local=True))


def test_every_unit_set_equals_its_own_computation(imported):
    units = list(Unit.objects.order_by("code").values_list("pk", flat=True))
    assert len(units) >= 4
    for unit_set in [[u] for u in units] + [units[:2], units[1:], units]:
        assert rows(worklist.deadlines_for(unit_set, TODAY)) == fresh(unit_set)
    assert rows(worklist.deadlines_for(None, TODAY)) == fresh(None)
    assert any(worklist.deadlines_for([u], TODAY) for u in units)  # not all empty
    assert len(worklist._snapshots) == 1  # one snapshot served every unit set


def test_a_new_event_is_merged_in_through_the_python_reference(imported, monkeypatch):
    c4 = Case.objects.get(ext_id="C4")
    before = rows(worklist.deadlines_for([c4.unit_id], TODAY))
    assert any(r[1] == "utredning_4m" and r[0] == "C4" for r in before)  # E42, never closed
    calls = []
    real = engine.compute

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "compute", spy)
    # The investigation is closed: its deadline goes, and only C4, the case of the new event, is
    # recomputed, by the Python reference.
    Event.objects.create(ext_id="E-ny", case=c4, type="utredning_avslutad", date=dt.date(2025, 3, 30),
                         recorded_at=at("2025-03-30"), utredning=Event.objects.get(ext_id="E42"), outcome="insats")
    after = rows(worklist.deadlines_for([c4.unit_id], TODAY))
    assert [(k["case_pks"], k["method"]) for k in calls] == [({c4.pk}, "python")]
    assert not any(r[1] == "utredning_4m" and r[0] == "C4" for r in after)
    assert rows(worklist.deadlines_for([c4.unit_id], TODAY)) == after and len(calls) == 1  # nothing new
    monkeypatch.setattr(engine, "compute", real)
    assert after == fresh([c4.unit_id])
    assert rows(worklist.deadlines_for(None, TODAY)) == fresh(None)


def test_an_event_that_becomes_visible_after_a_later_one_is_not_missed(imported):
    """An id is taken before the transaction commits: an event may appear after one with a larger id."""
    c4 = Case.objects.get(ext_id="C4")
    placeholder = Event.objects.create(ext_id="E-tidig", case=c4, type="avflyttad", date=dt.date(2025, 3, 1),
                                       recorded_at=at("2025-03-01"))
    Event.objects.create(ext_id="E-sen", case=Case.objects.get(ext_id="C1"), type="avflyttad",
                         date=dt.date(2025, 3, 2), recorded_at=at("2025-03-02"))
    early_id = placeholder.pk
    with connection.cursor() as cur:  # not yet committed when the snapshot is taken
        cur.execute("DELETE FROM cases_event WHERE id = %s", [early_id])
    before = rows(worklist.deadlines_for([c4.unit_id], TODAY))
    assert any(r[1] == "utredning_4m" and r[0] == "C4" for r in before)
    # Now it commits, with the smaller id: the investigation E42 closed.
    Event.objects.create(pk=early_id, ext_id="E-tidig", case=c4, type="utredning_avslutad", date=dt.date(2025, 3, 30),
                         recorded_at=at("2025-03-30"), utredning=Event.objects.get(ext_id="E42"), outcome="insats")
    after = rows(worklist.deadlines_for([c4.unit_id], TODAY))
    assert not any(r[1] == "utredning_4m" and r[0] == "C4" for r in after)
    assert after == fresh([c4.unit_id])
