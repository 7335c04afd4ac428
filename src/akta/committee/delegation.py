"""Decisions taken under delegation, to be reported to the committee (anmälan av
delegationsbeslut, 6 kap. 40 § kommunallagen (2017:725); contract-v2 §5).

A decision is a delegation decision when its ``decision_level`` is ``delegat`` or absent (the
default of contract-v2 §1); decisions of the ``utskott`` or the ``namnd`` are not. The
decisions are the effective ones (:mod:`akta.cases.derived.events`: a correction that moves a
decision out of the period, or voids it, removes it), dated within the period, inclusive.
Rows carry ids and codes only: no name, so no protected person can appear by name.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from django.db import connection

from akta.cases.derived.events import effective_events_sql
from akta.cases.derived.sql import Dialect

DELEGATED = "delegat"


@dataclass(frozen=True)
class DelegationDecision:
    beslut_id: str
    case_id: str
    date: dt.date
    delegation_point: str | None
    decided_by: str | None
    legal_basis: str
    intervention: str
    outcome: str

    def as_dict(self):
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d


def decisions(first: dt.date, last: dt.date) -> list[DelegationDecision]:
    """The delegation decisions dated in [first, last], by date, then case and decision id."""
    d = Dialect()
    eff = effective_events_sql(d, None, ("beslut",), since=first, until=last,
                               fields=("decision_level", "delegation_point", "decided_by", "legal_basis",
                                       "intervention", "outcome"))
    sql = (
        f"WITH decisions AS ({eff})\n"
        "SELECT original.ext_id, k.ext_id, b.date, b.delegation_point, b.decided_by, b.legal_basis, "
        "b.intervention, b.outcome FROM decisions b "
        "JOIN cases_event original ON original.id = b.id JOIN cases_case k ON k.id = b.case_id "
        f"WHERE COALESCE(b.decision_level, '{DELEGATED}') IN ('{DELEGATED}', '')"
    )
    with connection.cursor() as cur:
        cur.execute(sql, d.params)
        rows = cur.fetchall()
    out = [DelegationDecision(r[0], r[1], r[2] if isinstance(r[2], dt.date) else dt.date.fromisoformat(r[2]),
                              r[3], r[4], r[5], r[6], r[7]) for r in rows]
    out.sort(key=lambda x: (x.date, x.case_id, x.beslut_id))
    return out


def totals(rows) -> list[dict]:
    """Per delegation point (null for decisions without one), from the rows: by point."""
    counts = Counter(r.delegation_point for r in rows)
    return [{"delegation_point": p, "count": n}
            for p, n in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))]


def report(first: dt.date, last: dt.date) -> dict:
    rows = decisions(first, last)
    return {"rows": [r.as_dict() for r in rows], "totals": totals(rows)}
