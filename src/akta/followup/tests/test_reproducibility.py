"""Reproducibility: "as reported" on a date uses only rows recorded by then; "as corrected"
uses every row; a correction replaces the event it corrects (the latest recorded wins) and a
voided correction removes it — the same rules as akta.cases.derived.events.effective_events, which the
SQL relation is checked against."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akta.cases.models import Event
from akta.cases.derived.events import effective_events
from akta.followup.engine import run_sql
from akta.followup.reports import save_report, verify
from akta.followup.services import compute
from akta.cases.derived.events import effective_events_sql
from akta.cases.derived.sql import Dialect
from akta.followup.tests.history import TZ, History, rows_of

pytestmark = pytest.mark.django_db


def fb_row(**kw):
    return rows_of(compute("forhandsbedomning_14d", year=2024, **kw))[("kvinna",)]


def test_backdated_correction_is_visible_as_reported_and_as_corrected():
    """A förhandsbedömning decided 2024-03-20 (late: received 2024-03-01, day 14 = 15 March) is
    corrected on 2024-06-10 to the true date 2024-03-12. As reported on 2024-05-31 it is late;
    as reported on 2024-06-30, and as corrected, it is within 14 days."""
    h = History()
    p = h.person("kvinna", born="2014-01-01")
    c = h.case(p, opened="2024-03-01")
    a = h.akt(c, "2024-03-01")
    fb = h.ev(c, "forhandsbedomning", "2024-03-20", aktualisering=a, outcome="inleda_utredning")
    h.ev(c, "forhandsbedomning", "2024-03-12", recorded="2024-06-10T09:30", corrects=fb,
         aktualisering=a, outcome="inleda_utredning")
    assert fb_row(as_reported="2024-05-31")["within"] == 0
    assert fb_row(as_reported="2024-06-10T09:00")["within"] == 0
    assert fb_row(as_reported="2024-06-10T09:30")["within"] == 1
    assert fb_row()["within"] == 1
    assert fb_row(as_reported="2024-05-31")["total"] == fb_row()["total"] == 1


def test_latest_correction_wins_and_a_void_removes():
    h = History()
    p = h.person("man")
    c = h.case(p, opened="2024-01-10")
    a1 = h.akt(c, "2024-01-10")
    h.akt(c, "2024-02-10", recorded="2024-02-10", corrects=a1, kind="anmalan")  # moved to February
    h.akt(c, "2024-03-10", recorded="2024-03-11", corrects=a1, kind="ansokan")  # later: March, ansökan
    a2 = h.akt(c, "2024-04-01")
    h.akt(c, "2024-04-01", recorded="2024-05-01", corrects=a2, voided=True, kind="anmalan")

    def kinds(**kw):
        t = compute("aktualiseringar", year=2024, **kw)
        return {(r["kind"]): r["count"] for r in t.records() if r["sex"] == "man" and r["count"]}

    assert kinds(as_reported="2024-01-31") == {"anmalan": 1}
    assert kinds(as_reported="2024-04-30") == {"ansokan": 1, "anmalan": 1}
    assert kinds() == {"ansokan": 1}  # a2 voided
    march = compute("aktualiseringar", from_date="2024-03-01", to_date="2024-03-31")
    assert sum(r["count"] for r in march.records() if r["sex"] == "totalt") == 1



def test_forhandsbedomning_with_its_aktualisering_moved_by_a_correction():
    """The aktualisering was registered as received 2023-10-01 (long before the year: the
    förhandsbedömning of 2024-01-05 is late) and corrected on 2024-01-10 to 2023-12-28 (day 14 =
    2024-01-11: within)."""
    h = History()
    c = h.case(h.person("kvinna", born="2010-01-01"), opened="2023-10-01")
    a = h.akt(c, "2023-10-01")
    h.ev(c, "forhandsbedomning", "2024-01-05", aktualisering=a, outcome="inleda_utredning")
    h.akt(c, "2023-12-28", recorded="2024-01-10", corrects=a)
    assert (fb_row(as_reported="2024-01-09")["total"], fb_row(as_reported="2024-01-09")["within"]) == (1, 0)
    assert (fb_row()["total"], fb_row()["within"]) == (1, 1)


def test_evb_waiting_with_corrections():
    """A voided verkställighet (the decision waits again, since the decision), a decision
    corrected to avslag (no longer counted) and an interruption moved earlier; on 2024-04-30
    (lag 1930:173 1 §: 2023-06-01 + 9 months = 2024-03-01, 2023-12-01 + 3 months = 2024-03-01,
    2023-12-20 + 3 months = 2024-03-20, 2023-10-20 + 6 months = 2024-04-20)."""
    h = History()

    def beslut(sex, date, basis="SoL 4:1"):
        c = h.case(h.person(sex), area="vuxna_ovrigt", opened=date)
        return c, h.ev(c, "beslut", date, legal_basis=basis, intervention="kontaktperson", outcome="bifall")

    c1, b1 = beslut("kvinna", "2023-06-01")
    v1 = h.ev(c1, "verkstalld", "2023-06-10", beslut=b1)
    h.ev(c1, "verkstalld", "2023-06-10", recorded="2024-02-01", corrects=v1, voided=True, beslut=b1)
    c2, b2 = beslut("man", "2023-12-01")
    h.ev(c2, "beslut", "2023-12-01", recorded="2024-03-01", corrects=b2, legal_basis="SoL 4:1",
         intervention="kontaktperson", outcome="avslag")
    c3, b3 = beslut("man", "2023-01-10", basis="LSS 9 § 9")
    h.ev(c3, "verkstalld", "2023-02-01", beslut=b3)
    a3 = h.ev(c3, "avbrott", "2023-12-20", beslut=b3)
    h.ev(c3, "avbrott", "2023-10-20", recorded="2024-01-15", corrects=a3, beslut=b3)

    def waiting(**kw):
        cols = ("months_3_6", "months_6_9", "months_9_12", "months_12_plus")
        return {k: next(c for c in cols if r[c]) for k, r in rows_of(compute("evb_waiting", as_of="2024-04-30", **kw)).items()
                if k[1] != "totalt" and any(r[c] for c in cols)}

    assert waiting(as_reported="2024-01-10") == {("SoL 4:1", "man"): "months_3_6", ("LSS 9 § 9", "man"): "months_3_6"}
    assert waiting() == {("SoL 4:1", "kvinna"): "months_9_12", ("LSS 9 § 9", "man"): "months_6_9"}

@pytest.fixture
def chief(make_user):
    from akta.access.models import Role

    return make_user("kvalitet", role=Role.KVALITETSUTVECKLARE)


def test_saved_report_of_a_past_date_rerun_as_reported_and_as_corrected(chief):
    """A report saved as reported on 2024-05-31 still reproduces (same content hash) after the
    backdated correction of 2024-06-10; as corrected it differs, cell by cell."""
    h = History()
    p = h.person("kvinna", born="2014-01-01")
    c = h.case(p, opened="2024-03-01")
    a = h.akt(c, "2024-03-01")
    fb = h.ev(c, "forhandsbedomning", "2024-03-20", aktualisering=a, outcome="inleda_utredning")
    report = save_report(chief, "forhandsbedomning_14d", {"year": 2024, "as_reported": "2024-05-31"})
    assert verify(report).reported_matches and verify(report).corrected_matches
    h.ev(c, "forhandsbedomning", "2024-03-12", recorded="2024-06-10T09:30", corrects=fb,
         aktualisering=a, outcome="inleda_utredning")
    v = verify(report)
    assert v.reported_matches and v.as_reported.content_hash == report.content_hash
    assert not v.corrected_matches
    changed = {(d.key, d.column): (d.stated, d.computed) for d in v.corrected_differences}
    assert changed[(("kvinna",), "within")] == (0, 1)
    assert changed[(("kvinna",), "share_pct")] == (0.0, 100.0)
    assert changed[(("totalt",), "within")] == (0, 1)


def test_saved_report_detects_a_changed_number(chief):
    h = History()
    p = h.person("kvinna")
    c = h.case(p, area="vuxna_ovrigt", opened="2024-02-01")
    h.akt(c, "2024-02-01")
    report = save_report(chief, "cases_opened", {"year": 2024}, title="test")
    c2 = h.case(p, area="vuxna_ovrigt", opened="2024-03-01")  # a case registered after the report
    h.ev(c2, "aktualisering", "2024-03-01", recorded=(dt.datetime.now(TZ) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S"), kind="ansokan")
    v = verify(report)
    assert v.reported_matches
    assert not v.corrected_matches
    assert sorted((d.key, d.stated, d.computed) for d in v.corrected_differences) == [
        (("vuxna_ovrigt", "", "kvinna"), 1, 2), (("vuxna_ovrigt", "", "totalt"), 1, 2)]


# The SQL relation of effective events against akta.cases.derived.events.effective_events -------------------

_n = __import__("itertools").count()
EV_DATES = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 12, 31))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=st.lists(st.tuples(EV_DATES, st.lists(st.tuples(EV_DATES, st.integers(0, 9000), st.booleans()), max_size=3)),
                     min_size=1, max_size=6),
       cutoff_hours=st.integers(0, 9000), bounds=st.tuples(EV_DATES, EV_DATES))
def test_sql_effective_events_equal_the_python_rules(plan, cutoff_hours, bounds):
    """For random originals with random corrections (dates, recording times, voids), the SQL
    relation gives the same events (id, date) as akta.cases.derived.events.effective_events, both as
    corrected and as reported at a random cut-off."""
    h = History()
    p = h.person("kvinna")
    c = h.case(p, opened="2024-01-01")
    base = dt.datetime(2024, 1, 1, tzinfo=TZ)
    for d, corrections in plan:
        o = h.ev(c, "aktualisering", d.isoformat(), recorded=None, kind="anmalan")
        for cd, hours, void in corrections:
            rec = base + dt.timedelta(hours=hours)
            Event.objects.create(ext_id=f"X{next(_n)}", case=c,
                                 type="aktualisering", kind="anmalan", date=cd, recorded_at=rec, corrects=o, voided=void)
    events = list(Event.objects.filter(case=c))
    cut = base + dt.timedelta(hours=cutoff_hours)
    since, until = min(bounds), max(bounds)
    has_corrections = any(e.corrects_id for e in events)
    for recorded_by in (None, cut):
        for lo, hi in ((None, None), (since, until)):
            expected = sorted((e.effective_id, e.date) for e in effective_events(events, recorded_by=recorded_by)
                              if (lo is None or e.date >= lo) and (hi is None or e.date <= hi))
            variants = [True] if has_corrections else [True, False]  # the fast path only without corrections
            for corrections in variants:
                dialect = Dialect()
                sql = effective_events_sql(dialect, recorded_by, ("aktualisering",), hi, lo, corrections=corrections)
                got = sorted((i, d if isinstance(d, dt.date) else dt.date.fromisoformat(d))
                             for i, d in run_sql(f"SELECT id, date FROM ({sql}) e WHERE case_id = {c.pk}",
                                                 dialect.params))
                assert got == expected
