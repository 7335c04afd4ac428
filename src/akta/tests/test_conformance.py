"""Conformance: edge histories run through every consumer of the derived facts.

Each entry of :data:`CATALOGUE` is a hand-written history with the law text it turns on and
the answers the reference (``akta/cases/derived/README.md``) gives. Every consumer must give
the same answers:

* case open/closed: the personakt's state (Python), the SQL status (case list and API marks),
  the case list's status filter, the API's status filter and each case's ``status``;
* decisions waiting and since when: the personakt's state, the deadline list (SQL and the
  Python reference), the ``evb_waiting`` indicator;
* the quarterly EVB report (SQL and Python reference).

The hypothesis test at the end generates histories with corrections, voided events, same-day
steps and re-openings and checks that the EVB report, ``evb_waiting``, the deadline list,
``cases_active`` and the case state agree decision by decision and case by case.
"""
import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akta.access.models import Role, Unit
from akta.cases.derived.events import effective_events
from akta.cases.derived.state import case_state
from akta.cases.derived.status import closed_cases, mark_closed
from akta.cases.models import Case, Event, Person
from akta.deadlines import engine, evb
from akta.followup.services import compute as indicator
from akta.law import services as law

TZ = ZoneInfo("Europe/Stockholm")
D = dt.date.fromisoformat
CLOCK_RULES = ("verkstallighet_3m", "verkstallighet_avbrott_3m")
_ids = itertools.count(1)


def build(steps, area="ekonomiskt_bistand", born="1980-05-05", sex="kvinna", opened=None):
    """One person and case, and the events of ``steps``: (label, type, date, fields) where
    fields may hold ``ref`` (the label of the event referred to), ``recorded`` (hours after
    the start of the date), ``corrects`` (a label) and ``voided``. Returns (case, {label: event})."""
    unit, _ = Unit.objects.get_or_create(code=area, defaults={"name": area, "area": area})
    n = next(_ids)
    person = Person.objects.create(ext_id=f"CP{n}", birth_date=D(born), sex=sex, name=f"Person {n}")
    first = min(D(s[2]) for s in steps)
    case = Case.objects.create(ext_id=f"CC{n}", person=person, area=area, opened=D(opened) if opened else first,
                               unit=unit)
    made = {}
    for label, etype, date, fields in steps:
        fields = dict(fields)
        ref = fields.pop("ref", None)
        hours = fields.pop("recorded", 0)
        corrects = made[fields.pop("corrects")] if "corrects" in fields else None
        target = made.get(ref) if ref else None
        if corrects is not None and target is None:
            target_fields = {k: getattr(corrects, k) for k in ("aktualisering", "utredning", "beslut")}
        else:
            target_fields = {}
            if target is not None:
                key = {"aktualisering": "aktualisering", "utredning_inledd": "utredning", "beslut": "beslut"}[target.type]
                target_fields[key] = target
        recorded = dt.datetime.combine(D(date), dt.time(0), tzinfo=TZ) + dt.timedelta(hours=hours)
        made[label] = Event.objects.create(
            ext_id=f"CE{next(_ids)}", case=case, type=etype, date=D(date), recorded_at=recorded, corrects=corrects,
            **target_fields, **fields)
    return case, made


def beslut(label, date, basis="SoL 4:1", intervention="kontaktperson", outcome="bifall"):
    return (label, "beslut", date, {"legal_basis": basis, "intervention": intervention, "outcome": outcome})


def akt(label, date, **kw):
    return (label, "aktualisering", date, {"kind": "ansokan", **kw})


# --------------------------------------------------------------------------------------------
# The catalogue: (name, law, steps, open {as_of: bool}, waiting {as_of: {beslut label: since}},
# evb {quarter: {beslut label: [statuses]}})
# --------------------------------------------------------------------------------------------

SOL_16_6F = ("16 kap. 6 f § SoL (2001:453): a favourable decision under 4 kap. 1 § not implemented "
             "within three months of the day of the decision, or whose implementation was interrupted "
             "and not resumed within three months, is reported to IVO.")

CATALOGUE = [
    ("closed_while_pending_before_reportable", SOL_16_6F,
     [akt("A", "2025-01-02"), beslut("B", "2025-01-10"), ("X", "arende_avslutat", "2025-02-01", {})],
     {"2025-01-31": True, "2025-02-01": False, "2025-06-30": False},
     {"2025-01-31": {"B": "2025-01-10"}, "2025-06-30": {}},
     {"2025Q1": {}, "2025Q2": {}}),
    ("closed_while_pending_after_reportable", SOL_16_6F + " A closing after the three months gives "
     "the closing report (avslutad) in the quarter of the closing.",
     [akt("A", "2025-01-02"), beslut("B", "2025-01-10"), ("X", "arende_avslutat", "2025-05-15", {})],
     {"2025-05-14": True, "2025-05-15": False},
     {"2025-05-14": {"B": "2025-01-10"}, "2025-05-15": {}, "2025-06-30": {}},
     {"2025Q2": {"B": ["avslutad"]}, "2025Q3": {}}),
    ("interrupted_resumed_interrupted_again", SOL_16_6F + " Each interruption not resumed is its own clock.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("V", "verkstalld", "2024-01-20", {"ref": "B"}),
      ("I1", "avbrott", "2024-02-01", {"ref": "B"}), ("R1", "aterupptagen", "2024-03-01", {"ref": "B"}),
      ("I2", "avbrott", "2024-04-01", {"ref": "B"})],
     {"2024-09-30": True},
     {"2024-02-15": {"B": "2024-02-01"}, "2024-03-15": {}, "2024-09-30": {"B": "2024-04-01"}},
     {"2024Q1": {}, "2024Q3": {"B": ["ny"]}, "2024Q4": {"B": ["kvarstar"]}}),
    ("second_avbrott_without_resumption", "An implementation already interrupted is not interrupted "
     "again: two avbrott before one resumption are one interruption, from the earliest.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("V", "verkstalld", "2024-01-20", {"ref": "B"}),
      ("I1", "avbrott", "2024-02-01", {"ref": "B"}), ("I2", "avbrott", "2024-03-01", {"ref": "B"})],
     {},
     {"2024-06-30": {"B": "2024-02-01"}},
     {"2024Q2": {"B": ["ny"]}}),
    ("ended_before_any_implementation", SOL_16_6F + " An insats_avslutad ends the decision, implemented or not.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("E", "insats_avslutad", "2024-05-02", {"ref": "B", "reason": "avböjt"})],
     {"2024-06-30": True},
     {"2024-05-01": {"B": "2024-01-10"}, "2024-05-02": {}},
     {"2024Q2": {"B": ["avslutad"]}}),
    ("avbrott_before_implementation", "Nothing was being implemented, so an avbrott before the first "
     "verkställighet is no interruption: the decision clock runs on (16 kap. 6 f § SoL counts from the decision).",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("I", "avbrott", "2024-02-01", {"ref": "B"})],
     {},
     {"2024-06-30": {"B": "2024-01-10"}},
     {"2024Q2": {"B": ["ny"]}}),
    ("same_day_reaktualisering_recorded_after_closing", "A closing is the last step of its day "
     "(akta.cases.schema.SAME_DAY_ORDER): an aktualisering the same day does not re-open the case.",
     [akt("A", "2024-01-02"), ("X", "arende_avslutat", "2024-03-01", {}), akt("A2", "2024-03-01", recorded=5)],
     {"2024-02-29": True, "2024-03-01": False, "2024-12-31": False},
     {}, {}),
    ("reaktualisering_reopens", "A new aktualisering on a later day re-opens the case.",
     [akt("A", "2024-01-02"), ("X", "arende_avslutat", "2024-03-01", {}), akt("A2", "2024-03-02")],
     {"2024-03-01": False, "2024-03-02": True},
     {}, {}),
    ("voided_reaktualisering", "A voided correction removes the event: the re-aktualisering never happened.",
     [akt("A", "2024-01-02"), ("X", "arende_avslutat", "2024-03-01", {}), akt("A2", "2024-04-01"),
      ("A2v", "aktualisering", "2024-04-01", {"corrects": "A2", "voided": True, "kind": "ansokan", "recorded": 30})],
     {"2024-04-01": False, "2024-12-31": False},
     {}, {}),
    ("correction_moves_closing", "A correction replaces the event it corrects, its date included.",
     [akt("A", "2024-01-02"), ("X", "arende_avslutat", "2024-03-01", {}),
      ("X2", "arende_avslutat", "2024-06-01", {"corrects": "X", "recorded": 24 * 120})],
     {"2024-04-01": True, "2024-06-01": False},
     {}, {}),
    ("decision_in_reopened_case", "A closing ends the decisions taken before it; a re-opening starts "
     "a new matter that needs a decision of its own.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("X", "arende_avslutat", "2024-02-01", {}),
      akt("A2", "2024-03-01")],
     {"2024-03-01": True},
     {"2024-06-30": {}},
     {"2024Q2": {}}),
    ("closed_on_the_day_of_the_decision", "A closing is the last step of its day: it ends the "
     "decision taken that day.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10"), ("X", "arende_avslutat", "2024-01-10", {"recorded": 0})],
     {"2024-01-10": False},
     {"2024-01-10": {}, "2024-06-30": {}},
     {"2024Q2": {}}),
    ("implemented_and_resumed_same_day", "A resumption dated the day of the avbrott resolves it.",
     [akt("A", "2024-01-02"), beslut("B", "2024-01-10", basis="LSS 9 § 6", intervention="daglig_verksamhet"),
      ("V", "verkstalld", "2024-01-10", {"ref": "B"}), ("I", "avbrott", "2024-02-01", {"ref": "B"}),
      ("R", "aterupptagen", "2024-02-01", {"ref": "B"})],
     {},
     {"2024-06-30": {}},
     {"2024Q2": {}}),
]


def _quarter(text):
    return evb.parse_quarter(text)


def _waiting_reference(case, as_of):
    """{beslut pk: since} from the personakt's state."""
    st = case_state(list(case.events.all()), as_of=as_of)
    return {d.beslut.effective_id: d.interrupted or d.beslut.date
            for d in st.awaiting_implementation + st.interrupted}


@pytest.mark.parametrize("name, law_text, steps, open_on, waiting, quarters", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_catalogue(db, client, name, law_text, steps, open_on, waiting, quarters):
    case, made = build(steps)
    label = {e.pk: lbl for lbl, e in made.items()}
    events = list(case.events.all())

    for day, expected in open_on.items():
        on = D(day)
        assert case_state(events, as_of=on).is_open is expected, (name, day, "personakt")
        assert (case.pk not in closed_cases([case.pk], on=on)) is expected, (name, day, "SQL status")

    # Now (every event): the case list, the API and the personakt agree.
    now_open = case_state(events).is_open
    assert mark_closed([case])[0].closed is (not now_open)
    from akta.access.models import User

    chief = User.objects.create_user(f"chief{next(_ids)}", password="x" * 14, role=Role.ENHETSCHEF,
                                     may_view_protected=True)
    chief.units.set(Unit.objects.all())
    client.force_login(chief)
    for status, want in (("oppet", now_open), ("avslutat", not now_open)):
        page = client.get(reverse("cases:list"), {"status": status}).content.decode()
        assert (case.ext_id in page) is want, (name, "case list", status)
    for status, want in (("open", now_open), ("closed", not now_open)):
        body = client.get("/api/cases/", {"status": status}).json()
        assert (case.ext_id in {c["id"] for c in body["results"]}) is want, (name, "API list", status)
    assert client.get(f"/api/cases/{case.ext_id}/").json()["state"]["status"] == ("open" if now_open else "closed")

    for day, expected in waiting.items():
        on = D(day)
        want = {made[b].pk: D(since) for b, since in expected.items()}
        assert _waiting_reference(case, on) == want, (name, day, "personakt")
        for method in ("auto", "python"):
            got = {d.subject_pk: d.start for d in engine.compute(on, method=method, rules=CLOCK_RULES)}
            assert got == want, (name, day, "deadlines", method)
        overdue = {pk for pk, since in want.items()
                   if law.due("verkstallighet_3m", since) < on}
        table = indicator("evb_waiting", as_of=day)
        counted = sum(r[c] for r in table.records() if r["sex"] == "totalt"
                      for c in ("months_3_6", "months_6_9", "months_9_12", "months_12_plus"))
        assert counted == len(overdue), (name, day, "evb_waiting")

    for text, expected in quarters.items():
        year, q = _quarter(text)
        for method in ("auto", "python"):
            rows = evb.report(year, q, method=method).rows
            got = {}
            for r in rows:
                got.setdefault(label[r.beslut_pk], []).append(r.status)
            assert got == expected, (name, text, "EVB", method)


# --------------------------------------------------------------------------------------------
# Generated histories: every consumer agrees, decision by decision and case by case
# --------------------------------------------------------------------------------------------

STEP_TYPES = ("verkstalld", "avbrott", "aterupptagen", "insats_avslutad", "arende_avslutat", "aktualisering",
              "beslut", "erbjudande")


@st.composite
def edge_history(draw):
    """One case: an aktualisering, then up to 8 steps a few days apart (0 = the same day), each
    possibly corrected (moved) or voided later."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 60)))
    steps = [akt("A0", day.isoformat())]
    decisions = []
    for i in range(draw(st.integers(1, 8))):
        day += dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 7, 20, 30, 45, 95])))
        etype = draw(st.sampled_from(STEP_TYPES if decisions else ("beslut", "aktualisering", "arende_avslutat")))
        lbl = f"S{i}"
        if etype == "beslut":
            steps.append(beslut(lbl, day.isoformat(), basis=draw(st.sampled_from(["SoL 4:1", "LSS 9 § 6", "SoL 4:2"])),
                                outcome=draw(st.sampled_from(["bifall", "bifall", "delvis_bifall", "avslag"]))))
            decisions.append(lbl)
        elif etype == "aktualisering":
            steps.append(akt(lbl, day.isoformat(), recorded=draw(st.integers(0, 20))))
        elif etype == "arende_avslutat":
            steps.append((lbl, etype, day.isoformat(), {"recorded": draw(st.integers(0, 20))}))
        else:
            fields = {"ref": draw(st.sampled_from(decisions)), "recorded": draw(st.integers(0, 20))}
            if etype == "insats_avslutad":
                fields["reason"] = "slut"
            if etype == "erbjudande":
                fields["accepted"] = draw(st.booleans())
            steps.append((lbl, etype, day.isoformat(), fields))
        if draw(st.integers(0, 9)) == 0:  # a correction: moved a few days, or voided
            orig = steps[-1]
            moved = D(orig[2]) + dt.timedelta(days=draw(st.integers(-10, 40)))
            fields = {k: v for k, v in orig[3].items() if k not in ("ref", "recorded")}
            fields.update({"corrects": orig[0], "recorded": 24 * 200, "voided": draw(st.booleans())})
            steps.append((orig[0] + "c", orig[1], moved.isoformat(), fields))
    return steps


QUARTER_ENDS = [dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31), dt.date(2025, 3, 31)]


class Rollback(Exception):
    pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(histories=st.lists(edge_history(), min_size=1, max_size=3),
       quarter_end=st.sampled_from(QUARTER_ENDS))
def test_generated_histories_agree_in_every_consumer(db, histories, quarter_end):
    try:
        with transaction.atomic():
            _check_agreement(histories, quarter_end)
            raise Rollback
    except Rollback:
        pass


def _check_agreement(histories, qe):
    """As corrected (every correction known, whenever it was recorded)."""
    cases = [build(steps)[0] for steps in histories]
    known = dt.datetime(2100, 1, 1, tzinfo=TZ)
    year, q = qe.year, (qe.month - 1) // 3 + 1
    first = evb.quarter_bounds(year, q)[0]
    # Decision by decision: waiting at the quarter's end with its three months passed.
    reference, python_open = set(), {}
    for c in cases:
        evs = list(c.events.all())
        st_ = case_state(evs, as_of=qe)
        python_open[c.pk] = st_.is_open
        for d in st_.awaiting_implementation + st_.interrupted:
            since = d.interrupted or d.beslut.date
            rule = "verkstallighet_avbrott_3m" if d.interrupted else "verkstallighet_3m"
            if d.beslut.legal_basis in ("SoL 4:1", "LSS 9 § 6") and law.due(rule, since) < qe:
                reference.add((d.beslut.effective_id, since))
    for method in ("auto", "python"):
        report = {(r.beslut_pk, r.interruption_date or r.decision_date)
                  for r in evb.report(year, q, method=method, known_at=known).rows if r.status in ("ny", "kvarstar")}
        assert report == reference, ("EVB", method)
        listed = {(d.subject_pk, d.start)
                  for d in engine.compute(qe, known_at=known, method=method, rules=CLOCK_RULES) if d.overdue}
        assert listed == reference, ("deadlines", method)
    table = indicator("evb_waiting", as_of=qe.isoformat())
    counted = sum(r[c] for r in table.records() if r["sex"] == "totalt"
                  for c in ("months_3_6", "months_6_9", "months_9_12", "months_12_plus"))
    assert counted == len(reference), "evb_waiting"
    # Case by case: open at the quarter's end, and active during its last day.
    sql_closed = closed_cases([c.pk for c in cases], on=qe)
    assert {pk for pk, is_open in python_open.items() if not is_open} == set(sql_closed), "case status"
    active_ref = 0
    for c in cases:
        evs = list(c.events.all())
        if c.opened > qe:
            continue
        eff = effective_events(evs, as_of=qe)
        reopened_today = any(e.type == "aktualisering" and e.date == qe for e in eff)
        if c.opened == qe or reopened_today or case_state(evs, as_of=qe - dt.timedelta(days=1)).is_open:
            active_ref += 1
    active = indicator("cases_active", from_date=qe.isoformat(), to_date=qe.isoformat())
    assert sum(r["count"] for r in active.records() if r["sex"] == "totalt") == active_ref, "cases_active"
    assert first <= qe


def test_latest_extension_decides_in_every_consumer(db):
    """11 kap. 2 § SoL (2001:453): the committee may extend the four months; the extension in
    force is the latest decision (here a later decision shortens an earlier one)."""
    case, made = build([
        akt("A", "2024-01-02", kind="anmalan"), ("U", "utredning_inledd", "2024-01-10", {"ref": "A"}),
        ("F1", "utredning_forlangd", "2024-05-02", {"ref": "U", "until": D("2024-08-01"), "reason": "x"}),
        ("F2", "utredning_forlangd", "2024-06-03", {"ref": "U", "until": D("2024-06-17"), "reason": "y"}),
    ], area="barn_och_unga", born="2015-01-01")
    from akta.cases.derived.state import extended_until

    on = D("2024-07-01")
    evs = effective_events(list(case.events.all()), as_of=on)
    assert extended_until(evs, made["U"].pk) == D("2024-06-17")
    for method in ("auto", "python"):
        rows = [d for d in engine.compute(on, method=method, rules=("utredning_4m",))]
        assert [(d.extended_until, d.due, d.overdue) for d in rows] == [(D("2024-06-17"), D("2024-06-17"), True)], method
    table = indicator("utredningar_open", as_of=on.isoformat())
    total = next(r for r in table.records() if r["sex"] == "totalt")
    assert (total["over_4m"], total["over_4m_extended"]) == (1, 0)
