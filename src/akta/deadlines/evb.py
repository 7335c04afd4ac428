"""Ej verkställda beslut (EVB): the quarterly report of non-implemented decisions.

16 kap. 6 f § SoL and 28 f § LSS: a favourable decision on bistånd under 4 kap. 1 § SoL or
on an LSS insats that has not been implemented within three months of the day of the
decision, or whose implementation was interrupted and not resumed within three months of
the interruption, is reported each quarter to IVO (one *individrapport* per decision), to
the revisorer and to kommunfullmäktige (DOMAIN.md §5; seed 003 §§ 33–34).

Definitions (``report(year, q)``; a quarter runs from its first day *qs* to its last *qe*)
-------------------------------------------------------------------------------------------
* **Clock.** The clocks are :mod:`akta.cases.derived.decisions` (one definition for this report,
  the deadline list and the ``evb_waiting`` indicator): a decision clock starts on the decision
  date; an interruption clock on the date of an ``avbrott`` on or after the implementation
  (several avbrott before the same resumption are one interruption, from the earliest). The three months are counted per lag (1930:173) 1 § by the law component
  (rules ``verkstallighet_3m`` / ``verkstallighet_avbrott_3m``); 2 § does not move the limit
  (it is a condition of the reporting duty, not a time for an action). The *due* day is the
  last day of the three months; a decision still not implemented at the end of that day is
  **reportable from** the next day: decision 2024-11-30 → due 2025-02-28 → reportable from
  2025-03-01.
* **Resolution.** A decision clock ends at the first ``verkstalld``; an interruption clock at
  the first ``aterupptagen`` dated on or after the avbrott. Either ends when the decision
  ends (``insats_avslutad``) or the case is closed (``arende_avslutat`` after the start).
  An ``erbjudande`` – accepted or declined – does not stop the clock; offers are listed.
* **Included** in the quarter's report: every clock that is reportable on or before *qe* and
  not resolved before *qs* (a clock resolved before it became reportable is never reported).
* **status**
  - ``ny``: became reportable during the quarter (reportable from ≥ *qs*) and not resolved
    by *qe*;
  - ``kvarstar``: reportable before the quarter and still not resolved at *qe*;
  - ``verkstalld``: implemented (or resumed) during the quarter after having become
    reportable – the closing report;
  - ``avslutad``: ended during the quarter (insats avslutad, case closed) without
    implementation after having become reportable – the closing report.
* **days_waiting**: days from the decision date (interruption date) to the resolution if it
  fell in the quarter, otherwise to *qe*.
* **ivo_id**: ``ÅÅÅÅMMDD-T`` + three digits; the third character after the dash is the sex
  digit (even woman, odd man), like the ninth digit of a personnummer. The digits are derived
  from a hash of the person's id alone, so the id is the same in every quarter and never
  reveals the personnummer. For sex ``okänt`` the digit is not constrained (the row's ``sex``
  says ``okänt``).
* **totals**: one row per (legal_basis, sex) with the number of report rows; computed from
  the rows, so the totals always equal the sum of the parts.

Everything is derived from the effective case history (corrections applied) as known now:
in SQL over original rows for cases without corrections, by the Python reference of the same
definitions (:func:`akta.cases.derived.decisions.decision_clocks`) for the others;
``method="python"`` reads every case with the reference.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from akta.cases.derived import decisions
from akta.cases.derived.decisions import Clock
from akta.cases.derived.events import case_set_sql, effective_events
from akta.cases.models import Case, Event, EventType, Sex
from akta.deadlines.engine import corrected_case_pks, ensure_planner_statistics
from akta.deadlines.engine import latest_start as engine_latest_start
from akta.deadlines.engine import tuned as _tuned
from akta.law import services as law

T = EventType
QUARTER_RE = re.compile(r"^(\d{4})[Qq]([1-4])$")
STATUSES = ("ny", "kvarstar", "verkstalld", "avslutad")
STATUS_LABELS = {"ny": "Ny", "kvarstar": "Kvarstår", "verkstalld": "Verkställd", "avslutad": "Avslutad"}
SEX_ORDER = {Sex.KVINNA: 0, Sex.MAN: 1, Sex.OKANT: 2}
ROW_FIELDS = ("beslut_id", "case_id", "ivo_id", "sex", "intervention", "legal_basis", "decision_date",
              "interruption_date", "status", "days_waiting")
# Legal basis code (exchange-v1 §2) -> reference key in akta/law/data/references.toml.
BASIS_REFERENCE_KEYS = {"SoL 4:1": "sol.4.1", "SoL 4:2": "sol.4.2", "LSS": "lss.9", "LVU 2 §": "lvu.2",
                        "LVU 3 §": "lvu.3"}


class BadQuarter(ValueError):
    pass


def parse_quarter(text):
    """'2025Q1' -> (2025, 1); BadQuarter otherwise."""
    m = QUARTER_RE.match(text or "")
    if not m:
        raise BadQuarter(f"ogiltigt kvartal {text!r}: ange ÅÅÅÅQN, t.ex. 2025Q1")
    return int(m.group(1)), int(m.group(2))


def quarter_bounds(year, q):
    first = dt.date(year, 3 * q - 2, 1)
    last = law.add_period(first, months=3) - dt.timedelta(days=1)
    return first, last


def quarter_label(year, q):
    return f"{year}Q{q}"


def ivo_id(person_ext_id, birth_date, sex):
    """IVO's pseudo-id ``ÅÅÅÅMMDD-T`` + three digits, the middle one carrying sex (DOMAIN.md §5)."""
    h = hashlib.sha256(f"akta/ivo-id/v1:{person_ext_id}".encode()).digest()
    if sex == Sex.KVINNA:
        sex_digit = 2 * (h[1] % 5)
    elif sex == Sex.MAN:
        sex_digit = 2 * (h[1] % 5) + 1
    else:
        sex_digit = h[1] % 10
    return f"{birth_date:%Y%m%d}-T{h[0] % 10}{sex_digit}{h[2] % 10}"


def basis_reference(legal_basis, on):
    """The legal reference of a decision's legal basis as in force on ``on`` (its decision date)."""
    if legal_basis.startswith("LSS "):
        point = legal_basis.rsplit(" ", 1)[-1]
        return f"{law.reference(BASIS_REFERENCE_KEYS['LSS'], on)}, punkt {point}"
    key = BASIS_REFERENCE_KEYS.get(legal_basis)
    return law.reference(key, on) if key else legal_basis


@dataclass
class Row:
    beslut_id: str
    case_id: str
    ivo_id: str
    sex: str
    intervention: str
    legal_basis: str
    decision_date: dt.date
    interruption_date: dt.date | None
    status: str
    days_waiting: int
    # for the committee's report and the web page
    beslut_pk: int = 0
    case_pk: int = 0
    unit_id: int | None = None
    person_protected: bool = False
    due: dt.date | None = None
    reportable_from: dt.date | None = None
    resolved_on: dt.date | None = None
    legal_reference: str = ""
    reason: str = ""
    offers: list = field(default_factory=list)

    def as_dict(self):
        return {
            "beslut_id": self.beslut_id,
            "case_id": self.case_id,
            "ivo_id": self.ivo_id,
            "sex": self.sex,
            "intervention": self.intervention,
            "legal_basis": self.legal_basis,
            "decision_date": self.decision_date.isoformat(),
            "interruption_date": self.interruption_date.isoformat() if self.interruption_date else None,
            "status": self.status,
            "days_waiting": self.days_waiting,
        }


@dataclass
class Report:
    year: int
    quarter: int
    first: dt.date
    last: dt.date
    rows: list
    totals: list  # [{"legal_basis", "sex", "count"}]

    @property
    def label(self):
        return quarter_label(self.year, self.quarter)

    def as_dict(self):
        return {"rows": [r.as_dict() for r in self.rows], "totals": [dict(t) for t in self.totals]}


def totals_from_rows(rows):
    counts = Counter((r.legal_basis, r.sex) for r in rows)
    return [
        {"legal_basis": basis, "sex": sex, "count": n}
        for (basis, sex), n in sorted(counts.items(), key=lambda kv: (kv[0][0], SEX_ORDER.get(kv[0][1], 9)))
    ]


# --------------------------------------------------------------------------------------------
# The clocks (akta.cases.derived.decisions: one definition for the report, the deadline list
# and the evb_waiting indicator)
# --------------------------------------------------------------------------------------------

def _latest_start(last):
    """Only clocks that can be reportable by the quarter's end (due < last day)."""
    return max((d for d in (engine_latest_start("verkstallighet_3m", last, True),
                            engine_latest_start("verkstallighet_avbrott_3m", last, True)) if d), default=None)


def quarter_clocks(first, last, known_at, unit_ids=None, started_by=None, method="auto"):
    """The clocks of SoL 4:1 and LSS decisions as of the quarter's last day, started by
    ``started_by`` and not resolved before its first day: in SQL over original rows for the
    cases without corrections, by the Python reference for the others (``method="python"``:
    every case)."""
    recorded_by = known_at - dt.timedelta(microseconds=1)
    scope = Q() if unit_ids is None else Q(unit_id__in=list(unit_ids))
    if method == "python":
        python_cases = set(Case.objects.filter(scope).values_list("pk", flat=True))
        out = []
    else:
        python_cases = corrected_case_pks(known_at, scope)
        with _tuned():
            out = decisions.clocks(last, recorded_by=recorded_by, started_by=started_by, unresolved_from=first,
                                   cases=case_set_sql(unit_ids=unit_ids, exclude_pks=python_cases), corrections=False)
    events = defaultdict(list)
    pcs = list(python_cases)
    for i in range(0, len(pcs), 2000):
        for e in Event.objects.filter(case_id__in=pcs[i:i + 2000], recorded_at__lt=known_at):
            events[e.case_id].append(e)
    for evs in events.values():
        for c in decisions.decision_clocks(effective_events(evs, as_of=last, recorded_by=recorded_by),
                                           reportable_only=True):
            resolved = c.resolved_on
            if (started_by is None or c.start <= started_by) and (resolved is None or resolved >= first):
                out.append(c)
    return out


# --------------------------------------------------------------------------------------------
# Classification and the report
# --------------------------------------------------------------------------------------------

def classify(clock: Clock, first, last):
    """(status, days_waiting, due, reportable_from, resolved_on) or None if not in the quarter."""
    due = law.due(clock.rule, clock.start)
    reportable_from = due + dt.timedelta(days=1)
    if reportable_from > last:
        return None
    resolved = clock.resolution
    if resolved is not None:
        when, kind = resolved
        if when < reportable_from:
            return None  # implemented, resumed or ended within three months: never reportable
        if when < first:
            return None  # its closing report belonged to an earlier quarter
        if when <= last:
            return kind, (when - clock.start).days, due, reportable_from, when
    status = "ny" if reportable_from >= first else "kvarstar"
    return status, (last - clock.start).days, due, reportable_from, None


def _offers(beslut_pks, last, known_at):
    """Offers (date, accepted) per decision, corrections applied."""
    found = []
    pks = list(beslut_pks)
    for i in range(0, len(pks), 2000):
        found.extend(Event.objects.filter(type=T.ERBJUDANDE, beslut_id__in=pks[i:i + 2000], recorded_at__lt=known_at))
    out = defaultdict(list)
    for e in effective_events(found, as_of=last, recorded_by=known_at - dt.timedelta(microseconds=1)):
        out[e.beslut_id].append((e.date, e.accepted))
    return out


def _reason(clock, status, resolved_on, offers):
    parts = []
    if clock.interruption_date:
        parts.append(f"Avbrott {clock.interruption_date.isoformat()}"
                     + (f": {clock.interruption_reason}." if clock.interruption_reason else "."))
    for d, accepted in offers:
        if d < clock.start:
            continue
        parts.append(f"Erbjudande {d.isoformat()}, " + ("accepterat." if accepted else "tackat nej."))
    if status == "verkstalld":
        parts.append(("Återupptaget " if clock.interruption_date else "Verkställt ") + f"{resolved_on.isoformat()}.")
    elif status == "avslutad":
        if clock.ended == resolved_on:
            parts.append(f"Avslutat utan verkställighet {resolved_on.isoformat()}"
                         + (f": {clock.ended_reason}." if clock.ended_reason else "."))
        else:
            parts.append(f"Ärendet avslutat {resolved_on.isoformat()}.")
    if not offers and status in ("ny", "kvarstar") and not clock.interruption_date:
        parts.append("Inget erbjudande registrerat.")
    return " ".join(parts)


def report(year, quarter, *, known_at=None, unit_ids=None, method="auto") -> Report:
    """The EVB report for a quarter: rows and totals derived from them."""
    first, last = quarter_bounds(year, quarter)
    known_at = known_at or timezone.now()
    ensure_planner_statistics()
    clocks = quarter_clocks(first, last, known_at, unit_ids, started_by=_latest_start(last) or first, method=method)
    classified = []
    for c in clocks:
        res = classify(c, first, last)
        if res is not None:
            classified.append((c, res))
    cases = {
        r["pk"]: r for r in Case.objects.filter(pk__in={c.case_pk for c, _ in classified}).values(
            "pk", "ext_id", "unit_id", "person__ext_id", "person__birth_date", "person__sex",
            "person__protected_identity")
    }
    offers = _offers({c.beslut_pk for c, _ in classified}, last, known_at)
    rows = []
    for c, (status, days, due, reportable_from, resolved_on) in classified:
        case = cases[c.case_pk]
        sex = case["person__sex"]
        rows.append(Row(
            beslut_id=c.beslut_id, case_id=case["ext_id"],
            ivo_id=ivo_id(case["person__ext_id"], case["person__birth_date"], sex), sex=sex,
            intervention=c.intervention, legal_basis=c.legal_basis, decision_date=c.decision_date,
            interruption_date=c.interruption_date, status=status, days_waiting=days,
            beslut_pk=c.beslut_pk, case_pk=c.case_pk, unit_id=case["unit_id"],
            person_protected=case["person__protected_identity"], due=due, reportable_from=reportable_from,
            resolved_on=resolved_on, legal_reference=basis_reference(c.legal_basis, c.decision_date),
            reason=_reason(c, status, resolved_on, offers.get(c.beslut_pk, [])),
            offers=offers.get(c.beslut_pk, []),
        ))
    rows.sort(key=lambda r: (r.legal_basis, r.decision_date, r.beslut_id, r.interruption_date or dt.date.min))
    return Report(year, quarter, first, last, rows, totals_from_rows(rows))


def waiting_bands(rows, last):
    """Seed 001's table: clocks by time waited at the end (3–6, 6–9, 9–12, > 12 months)."""
    bands = (("3–6 mån", 3, 6), ("6–9 mån", 6, 9), ("9–12 mån", 9, 12), ("mer än 12 mån", 12, None))
    out = defaultdict(lambda: [0] * len(bands))
    for r in rows:
        start = r.interruption_date or r.decision_date
        end = r.resolved_on or last
        for i, (_, lo, hi) in enumerate(bands):
            if law.add_period(start, months=lo) < end and (hi is None or end <= law.add_period(start, months=hi)):
                out[r.intervention][i] += 1
                break
    return [label for label, _, _ in bands], dict(out)


# --------------------------------------------------------------------------------------------
# Reconciliation with totals stated elsewhere
# --------------------------------------------------------------------------------------------

def near_misses(year, quarter, *, known_at=None):
    """Favourable SoL 4:1/LSS decisions that a manual count may have taken for reportable ones:
    still not implemented at the quarter's end but within their three months, or implemented
    or ended during the quarter within their three months."""
    first, last = quarter_bounds(year, quarter)
    known_at = known_at or timezone.now()
    clocks = quarter_clocks(first, last, known_at, started_by=last)
    out = []
    for c in clocks:
        due = law.due(c.rule, c.start)
        if c.start > last or classify(c, first, last) is not None:
            continue
        resolved = c.resolved_on
        if resolved is None and due >= last:
            out.append((c, "ännu inte tre månader vid kvartalets slut", due))
        elif resolved is not None and first <= resolved <= last and resolved <= due:
            out.append((c, f"verkställt eller avslutat {resolved.isoformat()}, inom tre månader", due))
    cases = {r["pk"]: r for r in Case.objects.filter(pk__in={c.case_pk for c, _, _ in out}).values(
        "pk", "ext_id", "person__sex")}
    return [
        {"beslut_id": c.beslut_id, "case_id": cases[c.case_pk]["ext_id"], "sex": cases[c.case_pk]["person__sex"],
         "legal_basis": c.legal_basis, "intervention": c.intervention, "decision_date": c.decision_date,
         "interruption_date": c.interruption_date, "due": due, "why": why}
        for c, why, due in out
    ]


def _matches(basis, sex, legal_basis, row_sex):
    return (not basis or basis == legal_basis) and (not sex or sex == row_sex)


def reconcile(report, stated):
    """Compare stated totals (StatedTotal rows of the quarter) with the report's rows.

    For each stated cell: the count derived from the rows, the difference, the report rows
    in the cell (by status) and decisions near the limit that a manual count may have taken in.
    Also says when a stated grand total disagrees with the sum of the stated parts.
    """
    stated = list(stated)
    near = near_misses(report.year, report.quarter) if stated else []
    sex_labels = dict(Sex.choices)
    cells = []
    for st in stated:
        rows = [r for r in report.rows if _matches(st.legal_basis, st.sex, r.legal_basis, r.sex)]
        by_status = Counter(r.status for r in rows)
        cells.append({
            "stated_total": st,
            "basis": st.legal_basis, "sex": st.sex,
            "basis_label": st.legal_basis or "Alla lagrum",
            "sex_label": sex_labels.get(st.sex, "Kvinnor och män"),
            "stated": st.count, "derived": len(rows), "difference": st.count - len(rows),
            "source": st.source,
            "by_status": [(STATUS_LABELS[s], by_status.get(s, 0)) for s in STATUSES],
            "rows": rows,
            "near": [n for n in near if _matches(st.legal_basis, st.sex, n["legal_basis"], n["sex"])],
        })
    notes = []
    parts = [st for st in stated if st.legal_basis and st.sex]
    for whole in (st for st in stated if not st.legal_basis and not st.sex):
        if parts and sum(p.count for p in parts) != whole.count:
            notes.append(f"Den angivna summan {whole.count} ({whole.source}) stämmer inte med summan av de "
                         f"angivna delarna, {sum(p.count for p in parts)}.")
    return {"cells": cells, "notes": notes}
