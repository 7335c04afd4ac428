"""The state of one case at the end of a day, from its effective events (Python), and the
investigation and assessment facts in SQL beside their Python references.

Each part comes from its owner in this package: the closing from :mod:`.status`, the
decisions from :mod:`.decisions`; pending förhandsbedömningar and open investigations are
defined here:

* an ``aktualisering`` is **pending** (awaits its förhandsbedömning) until a
  ``forhandsbedomning`` or an ``utredning_inledd`` refers to it (11 kap. 1 a § SoL (2001:453):
  opening an investigation is the decision "att inleda utredning");
* an investigation (``utredning_inledd``) is **open** until an ``utredning_avslutad`` refers to
  it; its decided extension is the ``until`` of its latest ``utredning_forlangd`` (by date,
  then id).

Neither ends when the case is closed: the state shows what the history holds; the deadline
rules decide what a closing ends (:mod:`akta.deadlines.subjects`).

* an **intervention is in force** (a favourable decision "implemented and not ended") from its
  first ``verkstalld`` until its first ``insats_avslutad`` or the case's first closing dated on
  or after the decision; it is **active** when in force and not interrupted (an interruption
  clock of :mod:`.decisions` waiting).

Each fact has three forms, side by side: the Python reference over one case's effective events,
an ORM form over original rows (for the deadline rules, whose anti-joins run over the original
rows of cases without corrections: ``ev(**filters)`` returns the original events in force at
the cut-off; a case with a correction is read by the Python reference), and an SQL form over an
effective-event relation (for the indicators).
"""
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Subquery

from akta.cases.derived.decisions import decision_clocks
from akta.cases.derived.events import effective_events
from akta.cases.derived.sql import Dialect
from akta.cases.derived.status import closed_on
from akta.cases.models import EventType
from akta.cases.schema import FAVOURABLE_OUTCOMES

# What ends a pending aktualisering: its förhandsbedömning, or the decision to investigate.
ASSESSED_BY = (EventType.FORHANDSBEDOMNING, EventType.UTREDNING_INLEDD)


@dataclass
class DecisionState:
    """A favourable decision in the case state: implemented and interrupted are dates."""

    beslut: object
    implemented: date | None = None
    interrupted: date | None = None


@dataclass
class CaseState:
    closed_on: date | None = None
    moved_on: date | None = None
    open_investigations: list = field(default_factory=list)
    awaiting_implementation: list = field(default_factory=list)
    interrupted: list = field(default_factory=list)
    active_interventions: list = field(default_factory=list)
    pending_assessments: list = field(default_factory=list)

    @property
    def is_open(self):
        return self.closed_on is None


# --- Python reference ---------------------------------------------------------------------

def pending_assessments(evs):
    done = {e.aktualisering_id for e in evs if e.type in ASSESSED_BY and e.aktualisering_id}
    return [e for e in evs if e.type == EventType.AKTUALISERING and e.effective_id not in done]


def open_investigations(evs):
    closed = {e.utredning_id for e in evs if e.type == EventType.UTREDNING_AVSLUTAD}
    return [e for e in evs if e.type == EventType.UTREDNING_INLEDD and e.effective_id not in closed]


def extended_until(evs, utredning_pk):
    """The decided extension of an investigation: the ``until`` of its latest extension."""
    ext = sorted((e for e in evs if e.type == EventType.UTREDNING_FORLANGD and e.utredning_id == utredning_pk),
                 key=lambda e: (e.date, e.effective_id))
    return ext[-1].until if ext else None


def interventions_in_force(evs):
    """``(beslut, first implemented)`` of the favourable decisions in force: implemented, not
    ended, and the case not closed on or after the decision date."""
    closings = [e.date for e in evs if e.type == EventType.ARENDE_AVSLUTAT]
    implemented, ended = {}, set()
    for e in evs:
        if e.type == EventType.VERKSTALLD and e.beslut_id:
            implemented.setdefault(e.beslut_id, e.date)  # evs are sorted: the first counts
        elif e.type == EventType.INSATS_AVSLUTAD and e.beslut_id:
            ended.add(e.beslut_id)
    return [(e, implemented[e.effective_id]) for e in evs
            if e.type == EventType.BESLUT and e.outcome in FAVOURABLE_OUTCOMES
            and e.effective_id in implemented and e.effective_id not in ended
            and not any(c >= e.date for c in closings)]


# --- ORM form over original rows (the deadline rules) ---------------------------------------
# Each returns an expression on an event queryset: an aktualisering, an investigation or a
# decision as ``OuterRef("pk")``; ``ev`` is the caller's original events at its cut-off.

def pending_assessment(ev):
    """True for an aktualisering no förhandsbedömning or utredning_inledd refers to."""
    return ~Exists(ev(type__in=ASSESSED_BY, aktualisering_id=OuterRef("pk")))


def open_investigation(ev):
    """True for an utredning_inledd no utredning_avslutad refers to."""
    return ~Exists(ev(type=EventType.UTREDNING_AVSLUTAD, utredning_id=OuterRef("pk")))


def extension_until(ev):
    """The ``until`` of an investigation's latest extension (by date, then id), or NULL."""
    return Subquery(ev(type=EventType.UTREDNING_FORLANGD, utredning_id=OuterRef("pk"))
                    .order_by("-date", "-pk").values("until")[:1])


def intervention_in_force(ev):
    """True for a favourable decision (the caller filters the outcome) implemented and not
    ended, its case not closed on or after the decision date."""
    return (Exists(ev(type=EventType.VERKSTALLD, beslut_id=OuterRef("pk")))
            & ~Exists(ev(type=EventType.INSATS_AVSLUTAD, beslut_id=OuterRef("pk")))
            & ~Exists(ev(type=EventType.ARENDE_AVSLUTAT, case_id=OuterRef("case_id"), date__gte=OuterRef("date"))))


def first_implemented(ev):
    """The date of a decision's first ``verkstalld``."""
    return Subquery(ev(type=EventType.VERKSTALLD, beslut_id=OuterRef("pk")).order_by("date", "pk").values("date")[:1])


# --- SQL form over an effective-event relation (the indicators) ----------------------------

def open_investigations_sql(d: Dialect, on, eff="eff"):
    """SQL: ``id, case_id, date`` of the investigations open at the end of ``on``, over the
    effective-event relation ``eff`` (utredning_inledd and utredning_avslutad events)."""
    day = d.date(on)
    return (f"SELECT id, case_id, date FROM {eff} WHERE type = 'utredning_inledd' AND date <= {day} "
            f"AND id NOT IN (SELECT COALESCE(utredning_id, -1) FROM {eff} "
            f"WHERE type = 'utredning_avslutad' AND date <= {day})")


def extended_until_sql(d: Dialect, on, eff="eff"):
    """SQL: ``utredning_id, until`` of each investigation's latest extension dated by ``on``."""
    return (f"SELECT utredning_id, until FROM (SELECT utredning_id, until, ROW_NUMBER() OVER "
            f"(PARTITION BY utredning_id ORDER BY date DESC, id DESC) AS rn FROM {eff} "
            f"WHERE type = 'utredning_forlangd' AND date <= {d.date(on)}) latest WHERE rn = 1")


def decision_states(evs, on):
    """(awaiting implementation, interrupted, active) at the end of ``on``: favourable decisions
    whose decision clock waits; whose interruption clock waits; implemented and neither ended,
    closed nor interrupted."""
    by_decision = {}
    for c in decision_clocks(evs):
        by_decision.setdefault(c.beslut_pk, []).append(c)
    beslut = {e.effective_id: e for e in evs if e.type == EventType.BESLUT}
    in_force = {b.effective_id for b, _ in interventions_in_force(evs)}
    awaiting, interrupted, active = [], [], []
    for pk, clocks in by_decision.items():
        decision = clocks[0]  # the decision clock comes first
        state = DecisionState(beslut[pk], implemented=decision.implemented)
        waiting = [c for c in clocks[1:] if c.waiting_on(on)]
        if decision.waiting_on(on):
            awaiting.append(state)
        elif waiting:
            state.interrupted = waiting[0].interruption_date
            interrupted.append(state)
        elif pk in in_force:
            active.append(state)
    return awaiting, interrupted, active


def case_state(events, as_of=None, recorded_by=None):
    """The state of one case (a list of its Event rows) at the end of ``as_of`` (default: with
    every event), as known at ``recorded_by``."""
    evs = effective_events(events, as_of, recorded_by)
    on = as_of or max((e.date for e in evs), default=date.min)
    st = CaseState(closed_on=closed_on(evs))
    moves = [e.date for e in evs if e.type == EventType.AVFLYTTAD]
    st.moved_on = moves[-1] if moves else None
    st.open_investigations = open_investigations(evs)
    st.pending_assessments = pending_assessments(evs)
    st.awaiting_implementation, st.interrupted, st.active_interventions = decision_states(evs, on)
    return st
