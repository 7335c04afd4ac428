"""Who a case is assigned to at the end of a day (contract-v2 §1 ``tilldelad``, §2
``cases_unassigned``). Python reference and SQL side by side.

* The latest effective ``tilldelad`` dated on or before the day decides: its ``caseworker``, or
  nobody when it has none (an unassignment).
* With no ``tilldelad`` by then, the ``caseworker`` the case was imported with counts
  (``Case.caseworker_ref``). An exchange gives the caseworker "at import time" and no date, so
  it is read as the assignment from the case's opening until the first ``tilldelad``.

``Case.caseworker`` (the Akta user) is not read here: it follows the current assignment (set at
import and by each ``tilldelad`` written through :func:`akta.cases.services.record_event`) for
the lists that ask "whose case is it now".
* An unassigned case **waits** from the later of its opening and its latest unassignment.

Several ``tilldelad`` on one day: the last recorded (highest id) counts, as for every same-type
same-day pair (:data:`akta.cases.schema.SAME_DAY_ORDER`, then id).
"""
from __future__ import annotations

import datetime as dt

from akta.cases.derived.sql import Dialect
from akta.cases.models import EventType


def case_caseworker(case) -> str:
    """The case's own caseworker (without its ``tilldelad`` events), or ""."""
    return case.caseworker_ref


def assignment(case, evs) -> tuple[str | None, dt.date | None]:
    """Python reference: ``(caseworker or None, date of the deciding tilldelad or None)`` after
    the effective events ``evs`` (sorted, cut to the day asked about)."""
    latest = None
    for e in evs:
        if e.type == EventType.TILLDELAD:
            latest = e
    if latest is not None:
        return latest.caseworker or None, latest.date
    return case_caseworker(case) or None, None


def waiting_since(case, evs) -> dt.date | None:
    """The day an unassigned case started waiting for a caseworker, or None when assigned."""
    worker, since = assignment(case, evs)
    if worker:
        return None
    return max(case.opened, since) if since else case.opened


def unassigned_sql(d: Dialect, on: dt.date, eff: str = "eff", cases: str = "known_cases") -> str:
    """SQL: ``case_id, waiting_from`` of the cases in ``cases`` (a relation with ``id, opened,
    caseworker_ref``) opened by ``on`` and unassigned at its end, over the
    effective-event relation ``eff`` (holding the ``tilldelad`` events with ``caseworker``).
    Open or closed is the caller's (:func:`akta.cases.derived.status.closed_cases_sql`)."""
    day = d.date(on)
    latest = (
        "SELECT case_id, date, caseworker FROM (SELECT case_id, date, caseworker, ROW_NUMBER() OVER "
        f"(PARTITION BY case_id ORDER BY date DESC, id DESC) AS rn FROM {eff} "
        f"WHERE type = 'tilldelad' AND date <= {day}) assignments WHERE rn = 1"
    )
    return (
        "SELECT k.id AS case_id, CASE WHEN t.date IS NOT NULL AND t.date > k.opened THEN t.date "
        "ELSE k.opened END AS waiting_from "
        f"FROM {cases} k LEFT JOIN ({latest}) t ON t.case_id = k.id "
        f"WHERE k.opened <= {day} AND CASE WHEN t.case_id IS NOT NULL THEN t.caseworker IS NULL "
        "ELSE k.caseworker_ref = '' END"
    )
