"""Current state derived from the case history (nothing here is stored).

`effective_events` applies corrections: the latest correction recorded by `recorded_by`
replaces the event it corrects (keeping the original's id and place), a voided correction
removes it. `case_state` then answers: is the case open, which investigations are open, which
favourable decisions await implementation, which interventions are interrupted or active.
"""
from dataclasses import dataclass, field
from datetime import date

from akta.cases.models import EventType
from akta.cases.schema import FAVOURABLE_OUTCOMES, SAME_DAY_ORDER


def effective_events(events, as_of=None, recorded_by=None):
    """Events in force, as known at `recorded_by` (datetime) and dated on or before `as_of`."""
    events = [e for e in events if recorded_by is None or e.recorded_at <= recorded_by]
    latest = {}
    for e in events:
        if e.corrects_id:
            cur = latest.get(e.corrects_id)
            if cur is None or (e.recorded_at, e.pk) > (cur.recorded_at, cur.pk):
                latest[e.corrects_id] = e
    out = []
    for e in events:
        if e.corrects_id:
            continue
        c = latest.get(e.pk)
        if c is not None:
            if c.voided:
                continue
            c.effective_id = e.pk
            c.original = e
            e = c
        else:
            e.effective_id = e.pk
        if as_of is None or e.date <= as_of:
            out.append(e)
    out.sort(key=lambda e: (e.date, SAME_DAY_ORDER[e.type], e.effective_id))
    return out


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


def case_state(events, as_of=None, recorded_by=None):
    """Derive the state of one case from its events (a list of Event)."""
    st = CaseState()
    evs = effective_events(events, as_of, recorded_by)
    investigations, decisions, aktualiseringar = {}, {}, {}
    for e in evs:
        t = e.type
        if t == EventType.AKTUALISERING:
            aktualiseringar[e.effective_id] = e
            st.closed_on = None  # a new aktualisering re-opens the case
        elif t == EventType.FORHANDSBEDOMNING:
            aktualiseringar.pop(e.aktualisering_id, None)
        elif t == EventType.UTREDNING_INLEDD:
            investigations[e.effective_id] = e
            aktualiseringar.pop(e.aktualisering_id, None)
        elif t == EventType.UTREDNING_AVSLUTAD:
            investigations.pop(e.utredning_id, None)
        elif t == EventType.BESLUT:
            if e.outcome in FAVOURABLE_OUTCOMES:
                decisions[e.effective_id] = {"beslut": e, "implemented": None, "interrupted": None, "ended": None}
        elif t in (EventType.VERKSTALLD, EventType.AVBROTT, EventType.ATERUPPTAGEN, EventType.INSATS_AVSLUTAD):
            d = decisions.get(e.beslut_id)
            if d is None:
                continue
            if t == EventType.VERKSTALLD:
                d["implemented"] = e
            elif t == EventType.AVBROTT:
                d["interrupted"] = e
            elif t == EventType.ATERUPPTAGEN:
                d["interrupted"] = None
            else:
                d["ended"] = e
        elif t == EventType.ARENDE_AVSLUTAT:
            st.closed_on = e.date
        elif t == EventType.AVFLYTTAD:
            st.moved_on = e.date
    st.open_investigations = list(investigations.values())
    st.pending_assessments = list(aktualiseringar.values())
    for d in decisions.values():
        if d["ended"]:
            continue
        if d["interrupted"]:
            st.interrupted.append(d)
        elif d["implemented"]:
            st.active_interventions.append(d)
        else:
            st.awaiting_implementation.append(d)
    return st
