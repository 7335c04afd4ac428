"""Decision clocks: whether a favourable decision awaits implementation, and since when.
Python reference and SQL side by side; every consumer (the personakt, the API, the deadline
list, the quarterly EVB report, the ``evb_waiting`` and ``interventions_active`` indicators)
reads these and nothing else.

A **clock** runs for every favourable decision (``beslut`` with a favourable outcome):

* the **decision clock** starts on the decision date and is resolved by the decision's first
  ``verkstalld``;
* an **interruption clock** starts on an ``avbrott`` dated on or after the decision's first
  ``verkstalld`` and is resolved by the first ``aterupptagen`` dated on or after it. Several
  avbrott before the same resumption are one interruption, from the earliest of them (an
  implementation already interrupted cannot be interrupted again). An avbrott before any
  verkställighet is not an interruption: nothing was being implemented, the decision clock
  runs on (16 kap. 6 f § SoL (2001:453) counts from the decision until implementation).
* either clock also ends when the decision ends (the first ``insats_avslutad``, implemented or
  not) or when the case is closed (the first ``arende_avslutat`` dated on or after the clock's
  start; a closing is the last step of its day). A later re-opening of the case does not
  revive the decision: a new aktualisering starts a new matter, which needs a decision of its own.

A clock is **waiting** at the end of day D when it has started by D and is not resolved by D
(:meth:`Clock.waiting_on`). It is resolved on the earliest of its implementation (or
resumption), the decision's end and the case's closing; on a tie the implementation counts.

Every relation here is computed over the effective events (:mod:`akta.cases.derived.events`),
so corrections and voided events are applied the same way in SQL and in Python.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from akta.cases.derived.events import effective_events_sql
from akta.cases.derived.sql import Dialect
from akta.cases.models import EventType as T
from akta.cases.schema import FAVOURABLE_OUTCOMES, REPORTABLE_BASES

CLOCK_TYPES = (T.BESLUT, T.VERKSTALLD, T.AVBROTT, T.ATERUPPTAGEN, T.INSATS_AVSLUTAD, T.ARENDE_AVSLUTAT)
DECISION, INTERRUPTION = "beslut", "avbrott"


@dataclass
class Clock:
    """One decision clock (``interruption_date`` None) or interruption clock."""

    beslut_pk: int
    beslut_id: str
    case_pk: int
    legal_basis: str
    intervention: str
    decision_date: dt.date
    interruption_date: dt.date | None
    implemented: dt.date | None = None  # verkstalld (decision clock) / aterupptagen (interruption)
    ended: dt.date | None = None  # the decision's first insats_avslutad
    ended_reason: str = ""
    closed: dt.date | None = None  # the case's first arende_avslutat on or after the start
    interruption_reason: str = ""

    @property
    def kind(self):
        return INTERRUPTION if self.interruption_date else DECISION

    @property
    def start(self):
        return self.interruption_date or self.decision_date

    @property
    def rule(self):
        """The deadline rule (law data) whose period this clock runs for."""
        return "verkstallighet_avbrott_3m" if self.interruption_date else "verkstallighet_3m"

    @property
    def resolution(self):
        """(date, "verkstalld" | "avslutad") of the earliest resolution, or None."""
        candidates = [(d, kind) for d, kind in ((self.implemented, "verkstalld"), (self.ended, "avslutad"),
                                                (self.closed, "avslutad")) if d is not None]
        return min(candidates, key=lambda c: (c[0], c[1] != "verkstalld")) if candidates else None

    @property
    def resolved_on(self):
        r = self.resolution
        return r[0] if r else None

    def waiting_on(self, day):
        """Started by the end of ``day`` and not resolved by then."""
        resolved = self.resolved_on
        return self.start <= day and (resolved is None or resolved > day)


def is_reportable_basis(legal_basis):
    """Decisions whose non-implementation is reported (16 kap. 6 f § SoL, 28 f § LSS)."""
    return legal_basis in REPORTABLE_BASES


# --- Python reference ---------------------------------------------------------------------

def _ext(e):
    return getattr(e, "original", e).ext_id


def decision_clocks(evs, reportable_only=False):
    """The clocks of one case from its effective events (sorted; cut to the last day of
    interest), as :class:`Clock` objects."""
    closings = [e.date for e in evs if e.type == T.ARENDE_AVSLUTAT]
    related = defaultdict(list)
    for e in evs:
        if e.beslut_id and e.type in CLOCK_TYPES:
            related[e.beslut_id].append(e)

    def first_closing(day):
        return next((c for c in closings if c >= day), None)

    out = []
    for b in evs:
        if b.type != T.BESLUT or b.outcome not in FAVOURABLE_OUTCOMES:
            continue
        if reportable_only and not is_reportable_basis(b.legal_basis):
            continue
        steps = related.get(b.effective_id, [])
        implemented = next((e.date for e in steps if e.type == T.VERKSTALLD), None)
        end = next((e for e in steps if e.type == T.INSATS_AVSLUTAD), None)
        common = dict(beslut_pk=b.effective_id, beslut_id=_ext(b), case_pk=b.case_id, legal_basis=b.legal_basis,
                      intervention=b.intervention, decision_date=b.date, ended=end.date if end else None,
                      ended_reason=(end.reason or "") if end else "")
        out.append(Clock(**common, interruption_date=None, implemented=implemented, closed=first_closing(b.date)))
        if implemented is None:
            continue
        resumptions = [e.date for e in steps if e.type == T.ATERUPPTAGEN]
        interruptions = {}
        for a in steps:
            if a.type == T.AVBROTT and a.date >= implemented:
                resumed = next((r for r in resumptions if r >= a.date), None)
                interruptions.setdefault(resumed, a)  # steps are sorted: the first is the earliest
        for resumed, a in interruptions.items():
            out.append(Clock(**common, interruption_date=a.date, implemented=resumed, closed=first_closing(a.date),
                             interruption_reason=a.reason or ""))
    return out


# --- SQL ---------------------------------------------------------------------------------

def clocks_sql(d: Dialect, until: dt.date, *, recorded_by=None, cases="", reportable_only=True,
               started_by: dt.date | None = None, unresolved_from: dt.date | None = None,
               corrections=True) -> str:
    """A whole statement returning the clocks (the columns of :class:`Clock`, in order) from
    the effective events dated on or before ``until`` and recorded by ``recorded_by``.

    ``cases``: only these cases (a ``SELECT`` of ids); ``started_by``: only clocks started on
    or before that day; ``unresolved_from``: only clocks not resolved before that day (pass
    ``until + 1 day`` for the clocks waiting at the end of ``until``).

    How it stays fast on a whole municipality: each event type is read by its own narrow
    effective-event relation (its (type, date) index range, only the columns it needs); the
    decisions implemented or ended before ``unresolved_from`` are dropped first by one
    anti-join over their ids, so that only the few remaining decisions (and those with an
    avbrott) meet the implementations, endings and closings that give their dates.
    """
    def eff(*types, fields, upto=until, scoped=False):
        # Only the decisions are narrowed to ``cases``: every other relation meets them by id.
        return effective_events_sql(d, recorded_by, types, until=upto, fields=fields, corrections=corrections,
                                    cases=cases if scoped else "")

    before = (unresolved_from - dt.timedelta(days=1)) if unresolved_from else None
    bases = ""
    if reportable_only:
        bases = " AND legal_basis IN (" + ", ".join(f"'{b}'" for b in REPORTABLE_BASES) + ")"
    started = f" AND date <= {d.date(started_by)}" if started_by else ""
    outcomes = ", ".join(f"'{o}'" for o in FAVOURABLE_OUTCOMES)
    # A decision clock resolved before unresolved_from (implemented or ended) is dropped by one
    # anti-join over the ids; an interruption clock needs a decision not ended before it.
    resolved_before = ended_before = ""
    if before is not None:
        resolved_before = (" WHERE NOT EXISTS (SELECT 1 FROM "
                           f"({eff('verkstalld', 'insats_avslutad', fields=('beslut_id',), upto=before)}) rb "
                           "WHERE rb.beslut_id = b.id)")
        ended_before = (" AND NOT EXISTS (SELECT 1 FROM "
                        f"({eff('insats_avslutad', fields=('beslut_id',), upto=before)}) eb WHERE eb.beslut_id = b.id)")

    def unresolved(col):
        return f" AND ({col} IS NULL OR {col} >= {d.date(unresolved_from)})" if unresolved_from else ""

    ctes = {
        # Favourable decisions (ids only: an index-only read).
        "favourable_ids": (f"NOT MATERIALIZED (SELECT id FROM ({eff('beslut', fields=('outcome', 'legal_basis'), scoped=True)}) b "
                           f"WHERE outcome IN ({outcomes}){bases}{started})"),
        "steps": f"MATERIALIZED ({eff('avbrott', 'aterupptagen', fields=('beslut_id', 'reason'))})",
        # Decisions whose decision clock is not resolved before unresolved_from.
        "pending": f"MATERIALIZED (SELECT b.id FROM favourable_ids b{resolved_before})",
        # The decisions whose clocks are wanted: the pending ones and those with an avbrott
        # (not ended before unresolved_from), with their columns.
        "favourable": (
            "MATERIALIZED (SELECT e.id, e.case_id, e.date, e.legal_basis, e.intervention, "
            "e.id IN (SELECT id FROM pending) AS is_pending FROM "
            f"({eff('beslut', fields=('legal_basis', 'intervention'))}) e WHERE e.id IN "
            "(SELECT id FROM pending UNION SELECT b.id FROM favourable_ids b "
            f"WHERE b.id IN (SELECT beslut_id FROM steps WHERE type = 'avbrott'){ended_before}))"),
        "implemented": (f"(SELECT beslut_id, MIN(date) AS date FROM ({eff('verkstalld', fields=('beslut_id',))}) v "
                        "WHERE beslut_id IN (SELECT id FROM favourable) GROUP BY beslut_id)"),
        "ended": ("(SELECT beslut_id, date, reason FROM (SELECT beslut_id, date, reason, ROW_NUMBER() OVER "
                  "(PARTITION BY beslut_id ORDER BY date, id) AS rn FROM "
                  f"({eff('insats_avslutad', fields=('beslut_id', 'reason'))}) e "
                  "WHERE beslut_id IN (SELECT id FROM favourable)) x WHERE rn = 1)"),
        # Each avbrott on or after the implementation, with the first resumption on or after it.
        "breaks": ("(SELECT a.id, a.beslut_id, a.date, a.reason, MIN(r.date) AS resumed FROM steps a "
                   "JOIN implemented i ON i.beslut_id = a.beslut_id AND a.date >= i.date "
                   "LEFT JOIN steps r ON r.type = 'aterupptagen' AND r.beslut_id = a.beslut_id AND r.date >= a.date "
                   "WHERE a.type = 'avbrott' GROUP BY a.id, a.beslut_id, a.date, a.reason)"),
        # One interruption per (decision, resumption), from its earliest avbrott.
        "interruptions": ("(SELECT beslut_id, resumed, date, reason FROM (SELECT beslut_id, resumed, date, reason, "
                          "ROW_NUMBER() OVER (PARTITION BY beslut_id, resumed ORDER BY date, id) AS rn FROM breaks) x "
                          "WHERE rn = 1)"),
        "clocks": (
            "MATERIALIZED (SELECT f.id AS beslut_pk, f.case_id, f.legal_basis, f.intervention, f.date AS decision_date, "
            "CAST(NULL AS DATE) AS interruption_date, i.date AS implemented, e.date AS ended, e.reason AS ended_reason, "
            f"CAST(NULL AS TEXT) AS interruption_reason, '{DECISION}' AS kind, f.date AS start "
            "FROM favourable f LEFT JOIN implemented i ON i.beslut_id = f.id LEFT JOIN ended e ON e.beslut_id = f.id "
            f"WHERE f.is_pending{unresolved('e.date')} "
            "UNION ALL "
            "SELECT f.id, f.case_id, f.legal_basis, f.intervention, f.date, b.date, b.resumed, e.date, e.reason, "
            f"b.reason, '{INTERRUPTION}', b.date "
            "FROM interruptions b JOIN favourable f ON f.id = b.beslut_id LEFT JOIN ended e ON e.beslut_id = f.id "
            f"WHERE TRUE{unresolved('b.resumed')}{unresolved('e.date')})"
        ),
        # The case's first closing on or after each clock's start.
        "closings": ("(SELECT c.beslut_pk, c.kind, c.start, MIN(k.date) AS closed FROM clocks c "
                     f"JOIN ({eff('arende_avslutat', fields=())}) k ON k.case_id = c.case_id AND k.date >= c.start "
                     "GROUP BY c.beslut_pk, c.kind, c.start)"),
    }
    started_clock = f" AND c.start <= {d.date(started_by)}" if started_by else ""
    return (
        "WITH " + ",\n".join(f"{name} AS {body}" for name, body in ctes.items()) + "\n"
        "SELECT c.beslut_pk, o.ext_id AS beslut_id, c.case_id, c.legal_basis, c.intervention, c.decision_date, "
        "c.interruption_date, c.implemented, c.ended, COALESCE(c.ended_reason, '') AS ended_reason, cl.closed, "
        "COALESCE(c.interruption_reason, '') AS interruption_reason "
        "FROM clocks c JOIN cases_event o ON o.id = c.beslut_pk "
        "LEFT JOIN closings cl ON cl.beslut_pk = c.beslut_pk AND cl.kind = c.kind AND cl.start = c.start "
        f"WHERE TRUE{unresolved('cl.closed')}{started_clock}"
    )


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def clocks(until, **kw) -> list[Clock]:
    """Run :func:`clocks_sql` (same arguments) and return the clocks."""
    from django.db import connection

    d = Dialect()
    with connection.cursor() as cur:
        cur.execute(clocks_sql(d, until, **kw), d.params)
        rows = cur.fetchall()
    return [
        Clock(r[0], r[1], r[2], r[3], r[4], _date(r[5]), _date(r[6]), implemented=_date(r[7]), ended=_date(r[8]),
              ended_reason=r[9] or "", closed=_date(r[10]), interruption_reason=r[11] or "")
        for r in rows
    ]
