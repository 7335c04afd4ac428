"""Deadlines (bevakningar) derived from the case history, as of any date.

``compute(as_of, ...)`` returns every deadline that is open, or was missed and is still unmet,
at the end of ``as_of`` (exchange-v1 §4, ``akta deadlines``). Which subjects a rule applies to
and what meets it is documented in :mod:`akta.deadlines.subjects`; periods, the 1930:173
arithmetic and citations come from :mod:`akta.law.services`.

How it is computed
------------------
1. **Subjects in SQL.** For each rule one anti-join returns the ids of the subjects whose
   meeting event does not exist as of the date (e.g. anmälningar in barn och unga with no
   skyddsbedömning dated ≤ D and recorded by the end of D). On PostgreSQL the partial indexes
   of migration 0002 let it run from the indexes alone. A second statement fetches the few
   survivors with their case, person and the dates the rule needs (extension, first closing).
   Python never loops over all events.
2. **Due dates in Python**, on that small result set, with the law component
   (:func:`finish`): the rule version in force on the start date, lag (1930:173) 1 § and
   2 §, extensions, the child test and the closed-case test.
3. **Corrections.** The SQL reads original rows. Cases that have a correction recorded by the
   as-of time (rare) are left out of the SQL and evaluated by :func:`case_facts`, a plain
   Python reading of the same definitions over :func:`akta.cases.derived.events.effective_events`.
   ``compute(..., method="python")`` runs every case through that reference; the tests check
   that both give the same answers.
"""
from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL

from akta import dbparallel
from akta.cases.derived import decisions
from akta.cases.derived.events import case_set_sql, effective_events, end_of_day
from akta.cases.derived import state
from akta.cases.derived.state import extended_until
from akta.cases.models import Case, Event, EventType
from akta.deadlines import subjects as S
from akta.law import services as law

T = EventType
CHUNK = 5000


@dataclass(slots=True)
class CaseInfo:
    pk: int
    ext_id: str
    unit_id: int
    area: str
    case_type: str
    caseworker_id: int | None
    person_id: int
    birth_date: dt.date | None


@dataclass(slots=True)
class Fact:
    """A subject whose deadline is not met as of the date, before the due date is computed."""

    rule: str
    subject_pk: int
    subject_id: str
    case: CaseInfo
    start: dt.date
    legal_basis: str = ""
    extended_until: dt.date | None = None
    lapse: dt.date | None = None  # first arende_avslutat after the start
    last_consideration: dt.date | None = None  # latest overvagande (vardnadsoverflyttning_2y)
    local: object = None  # LocalDeadlineRule for the committee's own rules


@dataclass(slots=True)
class Deadline:
    """One open or missed deadline (a row of ``akta deadlines``)."""

    rule: str
    title: str
    kind: str  # "lag" (statute, general advice, JO) or "lokal" (the committee's own rule)
    case: CaseInfo
    subject_pk: int
    subject_id: str
    start: dt.date
    due: dt.date
    legal_reference: str
    overdue: bool
    extended_until: dt.date | None = None
    unit_code: str = ""

    @property
    def order(self):
        """The order of every list of deadlines: due date, case, rule, subject."""
        return (self.due, self.case.ext_id, self.rule, self.subject_id)

    @property
    def case_id(self):
        return self.case.ext_id

    @property
    def case_pk(self):
        return self.case.pk

    @property
    def unit_id(self):
        return self.case.unit_id

    def as_dict(self):
        """The row of ``akta deadlines`` (dates as ``datetime.date``: the writers format them)."""
        return {
            "case_id": self.case.ext_id,
            "subject_id": self.subject_id,
            "rule": self.rule,
            "legal_reference": self.legal_reference,
            "due": self.due,
            "overdue": self.overdue,
            "title": self.title,
            "kind": self.kind,
            "start": self.start,
            "extended_until": self.extended_until,
            "unit": self.unit_code,
        }


# --------------------------------------------------------------------------------------------
# Step 2: from facts to deadlines (shared by the SQL and the Python paths)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _adult_from(birth_date):
    return law.add_period(birth_date, years=18)


def is_child(birth_date, on):
    """Under 18 on ``on`` (the 18th birthday counted per lag 1930:173 1 §: 29 Feb → 28 Feb)."""
    if birth_date is None:
        return True  # unknown age: do not hide a child's deadline
    return on < _adult_from(birth_date)


@lru_cache(maxsize=65536)
def _rule_due(rule_id, start, extended):
    rule = law.rule(rule_id, start)  # the version in force when the clock started
    ext = extended if rule.extendable else None
    return rule, rule.due(start, extended_until=ext), ext


_references = {}


def _reference(rule, as_of, family):
    """The citation of ``rule`` in force on ``as_of`` (memoised: a Rule hashes slowly)."""
    memo = (rule.id, rule.valid_from, as_of, family)
    text = _references.get(memo)
    if text is None:
        key = rule.reference_key_for(family)
        try:
            text = law.reference(key, as_of)
        except law.LawDataMissing:
            text = law.reference(key, rule.valid_from or as_of)
        if len(_references) > 4096:
            _references.clear()
        _references[memo] = text
    return text


@lru_cache(maxsize=1024)
def latest_start(rule_id, on, strictly_before=False):
    """The latest start date whose due date is ≤ ``on`` (< ``on``): a bound for SQL filters,
    derived from the rule's own period so that no period length is written in code."""
    day = on
    while True:
        try:
            due = law.due(rule_id, day)
        except law.LawDataMissing:
            return None
        if due < on or (due == on and not strictly_before):
            return day
        day -= dt.timedelta(days=1)


def finish(fact: Fact, as_of: dt.date, culled: dict | None = None, memo: dict | None = None) -> Deadline | None:
    """The deadline for ``fact`` as of ``as_of``, or None if the rule does not apply to it.

    ``memo``: a dict kept by the caller for one ``as_of``; it holds the rule version, due date
    and citation per (rule, start, extension, legal basis), which many facts share."""
    if fact.local is not None:
        return _finish_local(fact, as_of)
    rule_id = fact.rule
    key = (rule_id, fact.start, fact.extended_until, fact.legal_basis)
    found = memo.get(key) if memo is not None else None
    if found is None:
        try:
            rule, due, extended = _rule_due(rule_id, fact.start, fact.extended_until)
        except law.LawDataMissing:
            found = ()
        else:
            family = fact.legal_basis.split(" ", 1)[0] if fact.legal_basis else None
            found = (rule.title, due, extended, _reference(rule, as_of, family))
        if memo is not None:
            memo[key] = found
    if not found:
        return None
    title, due, extended, reference = found
    case = fact.case
    if rule_id in S.CHILD_AT_START and not is_child(case.birth_date, fact.start):
        return None
    if (rule_id in S.CHILD_AT_DUE or (rule_id == "overvagande_6m" and fact.legal_basis in S.SOL_PLACEMENT_BASES)) \
            and not is_child(case.birth_date, due):
        return None
    if rule_id in S.LAPSE_ON_CLOSURE and fact.lapse is not None and due >= fact.lapse:
        return None  # the case was closed before the deadline was missed
    if rule_id == "vardnadsoverflyttning_2y" and fact.last_consideration and fact.last_consideration >= due:
        return None
    if rule_id in S.LISTED_FROM_DUE and due > as_of:
        return None
    if rule_id == "kronparm_gallring_2y" and culled:
        through = culled.get(case.unit_id)
        if through is not None and fact.start <= through:
            return None
    return Deadline(rule_id, title, "lag", case, fact.subject_pk, fact.subject_id, fact.start, due, reference,
                    due < as_of, extended)


def _finish_local(fact, as_of):
    lr = fact.local
    try:
        due = law.local_due(lr.as_law_rule(), fact.start)
    except law.LawDataMissing:
        return None
    if fact.lapse is not None and due >= fact.lapse:
        return None
    return Deadline(
        rule=lr.code, title=lr.title, kind="lokal", case=fact.case, subject_pk=fact.subject_pk,
        subject_id=fact.subject_id, start=fact.start, due=due, legal_reference=lr.decision_reference,
        overdue=due < as_of,
    )


# --------------------------------------------------------------------------------------------
# Step 1a: facts in SQL (cases without corrections)
# --------------------------------------------------------------------------------------------

# The rules whose subjects are the decision clocks of akta.cases.derived.decisions.
CLOCK_RULES = frozenset({"verkstallighet_3m", "verkstallighet_avbrott_3m"})


# The rules about implemented placements: the decisions each concerns (as a filter, and as the
# test of akta.deadlines.subjects that the Python reference uses too) and whether its clock
# restarts at each övervägande.
PLACEMENT_RULES = {
    "overvagande_6m": (Q(legal_basis=S.LVU_2) | Q(legal_basis__in=S.SOL_PLACEMENT_BASES, intervention__in=S.SOL_PLACEMENTS),
                       S.is_overvagande_subject, True),
    "omprovning_lvu3_6m": (Q(legal_basis=S.LVU_3), S.is_omprovning_subject, True),
    "vardnadsoverflyttning_2y": (Q(legal_basis__in=S.FAMILJEHEM_BASES, intervention__in=S.FAMILJEHEM),
                                 S.is_vardnadsoverflyttning_subject, False),
}

# The CaseInfo fields after the case's pk, read with each subject (cases_event → case → person).
CASE_COLUMNS = ("case__ext_id", "case__unit_id", "case__area", "case__case_type", "case__caseworker_id",
                "case__person_id", "case__person__birth_date")


class _SQL:
    """The per-rule queries, bound to one as-of date, recording time and case scope."""

    def __init__(self, as_of, known_at, case_scope: Q, local_rules, case_set=""):
        self.as_of = as_of
        self.known_at = known_at
        self.case_scope = case_scope
        self.case_set = case_set  # the same cases as case_scope, as a SELECT of ids
        self.local_rules = local_rules
        self.out = []
        self.cases = {}

    # --- building blocks ---------------------------------------------------------------------
    def ev(self, **kw):
        """Original (uncorrected) events dated ≤ D and recorded by the as-of time."""
        return Event.objects.filter(corrects__isnull=True, recorded_at__lt=self.known_at,
                                    **{"date__lte": self.as_of, **kw})

    def subjects(self, case_filter=None, **kw):
        qs = self.ev(**kw)
        cf = Q(**(case_filter or {})) & self.case_scope
        if cf:
            qs = qs.filter(case_id__in=Case.objects.filter(cf).values("pk"))
        return qs

    def lacking(self, qs, types, field, ref="pk"):
        """Subjects of ``qs`` without an event of ``types`` whose ``field`` refers to them."""
        return qs.filter(~Exists(self.ev(type__in=types, **{field: OuterRef(ref)})))

    def first_closing(self, ref="date"):
        return Subquery(
            self.ev(type=T.ARENDE_AVSLUTAT, case_id=OuterRef("case_id"), date__gte=OuterRef(ref))
            .order_by("date").values("date")[:1]
        )

    def details(self, ids, *fields, cases=None, **annotations):
        """Rows for the subjects ``ids`` with their case (one statement on PostgreSQL, chunks
        on SQLite); ``cases``: only those whose case matches this filter (on ``case__…``)."""
        for qs in pk_batches(Event.objects.all(), ids):
            if cases is not None:
                qs = qs.filter(cases)
            if annotations:
                qs = qs.annotate(**annotations)
            yield from qs.values("case_id", *CASE_COLUMNS, *fields, *annotations)

    def case(self, r):
        """The CaseInfo of a row of :meth:`details` (one object per case)."""
        info = self.cases.get(r["case_id"])
        if info is None:
            info = self.cases[r["case_id"]] = CaseInfo(
                r["case_id"], r["case__ext_id"], r["case__unit_id"], r["case__area"], r["case__case_type"],
                r["case__caseworker_id"], r["case__person_id"], r["case__person__birth_date"])
        return info

    def add(self, rule_id, rows, subject=("pk", "ext_id"), start="date", **names):
        for r in rows:
            self.out.append(Fact(
                rule=rule_id, subject_pk=r[subject[0]], subject_id=r[subject[1]], case=self.case(r), start=r[start],
                legal_basis=r.get(names.get("legal_basis", "legal_basis"), "") or "",
                extended_until=r.get("ext_until"), lapse=r.get("lapse"), last_consideration=r.get("last_ov"),
            ))

    @staticmethod
    def ids(qs):
        return list(qs.values_list("pk", flat=True))

    # --- the rules --------------------------------------------------------------------------
    def run(self, rules, local=True):
        """Facts of ``rules`` (and of the local rules if ``local``)."""
        bou = {"area": S.BARN_OCH_UNGA}
        if "skyddsbedomning_0d" in rules:
            # Anmälningar outside barn och unga never get a skyddsbedömning (tens of
            # thousands): the area is tested before the anti-join.
            anmalan = self.subjects(bou, type=T.AKTUALISERING, kind=S.ANMALAN)
            ids = self.ids(self.lacking(anmalan, (T.SKYDDSBEDOMNING,), "aktualisering_id"))
            self.add("skyddsbedomning_0d", self.details(ids, "pk", "ext_id", "date", lapse=self.first_closing()))
        if "forhandsbedomning_14d" in rules:
            # Nearly every anmälan gets its förhandsbedömning: the area is tested on the few
            # survivors, with their case (no hash of every case in barn och unga).
            anmalan = self.subjects(type=T.AKTUALISERING, kind=S.ANMALAN)
            ids = self.ids(anmalan.filter(state.pending_assessment(self.ev)))
            self.add("forhandsbedomning_14d", self.details(ids, "pk", "ext_id", "date", cases=Q(case__area=S.BARN_OCH_UNGA),
                                                           lapse=self.first_closing()))
        self.investigations([(rule_id, field, value) for rule_id, field, value in (
            ("utredning_4m", "area", S.BARN_OCH_UNGA), ("vbu_utredning_4m", "case_type", S.VBU_CASE_TYPE),
            ("faderskap_1y", "case_type", S.FADERSKAP_CASE_TYPE)) if rule_id in rules])
        if "samarbetssamtal_14d" in rules:
            # Few cases, many aktualiseringar elsewhere: start from the cases' ids.
            case_ids = list(Case.objects.filter(Q(case_type=S.SAMARBETSSAMTAL_CASE_TYPE) & self.case_scope)
                            .values_list("pk", flat=True))
            requests = self.ev(type=T.AKTUALISERING).filter(in_ids(Event, "case_id", case_ids))
            step = Exists(self.ev(type__in=S.SAMARBETSSAMTAL_STEPS, case_id=OuterRef("case_id"),
                                  date__gte=OuterRef("date")))
            ids = self.ids(requests.filter(~step))
            self.add("samarbetssamtal_14d", self.details(ids, "pk", "ext_id", "date", lapse=self.first_closing()))
        if rules & CLOCK_RULES:
            self.waiting_decisions(rules & CLOCK_RULES)
        self.placements([r for r in PLACEMENT_RULES if r in rules])
        if "kronparm_gallring_2y" in rules:
            self.kronparm()
        if local:
            for lr in self.local_rules:
                self.local(lr)
        return self.out

    def decisions(self, cond):
        return self.subjects(type=T.BESLUT, outcome__in=S.FAVOURABLE).filter(cond)

    def investigations(self, rules):
        """Open investigations, once for the investigation rules (``(rule, case field, value)``):
        one anti-join over all cases, then each rule takes the investigations of its cases."""
        if not rules:
            return
        ids = self.ids(self.subjects(type=T.UTREDNING_INLEDD).filter(state.open_investigation(self.ev)))
        until = state.extension_until(self.ev)
        cases = Q()
        for _rule, field, value in rules:
            cases |= Q(**{f"case__{field}": value})
        rows = list(self.details(ids, "pk", "ext_id", "date", cases=cases, lapse=self.first_closing(), ext_until=until))
        for rule_id, field, value in rules:
            self.add(rule_id, (r for r in rows if r[f"case__{field}"] == value))

    def waiting_decisions(self, rules):
        """Favourable SoL 4:1 / LSS decisions whose clock waits at the end of the day
        (akta.cases.derived.decisions, the same clocks as the EVB report and evb_waiting)."""
        # Original rows only: cases with corrections are read by the Python reference.
        waiting = [c for c in decisions.clocks(self.as_of, recorded_by=self.known_at - dt.timedelta(microseconds=1),
                                               cases=self.case_set, unresolved_from=self.as_of + dt.timedelta(days=1),
                                               corrections=False)
                   if c.rule in rules]
        clock_of = {c.beslut_pk: c for c in waiting}
        rows = [{**r, "rule": clock_of[r["pk"]].rule, "start": clock_of[r["pk"]].start}
                for r in self.details(list(clock_of), "pk", "ext_id", "legal_basis")]
        for rule_id in rules:
            self.add(rule_id, (r for r in rows if r["rule"] == rule_id), start="start")

    def placements(self, rules):
        """Implemented placements not ended, once for the placement rules: one anti-join over
        the decisions any of them concerns; each rule then takes its own (PLACEMENT_RULES)."""
        if not rules:
            return
        cond = Q()
        for rule_id in rules:
            cond |= PLACEMENT_RULES[rule_id][0]
        ids = self.ids(self.decisions(cond).filter(state.intervention_in_force(self.ev)))
        last_ov = Subquery(self.ev(type=T.OVERVAGANDE, beslut_id=OuterRef("pk")).order_by("-date").values("date")[:1])
        rows = list(self.details(ids, "pk", "ext_id", "date", "legal_basis", "intervention",
                                 impl=state.first_implemented(self.ev), last_ov=last_ov))
        for rule_id in rules:
            applies, recurring = PLACEMENT_RULES[rule_id][1:]
            mine = []
            for r in rows:
                if applies(r["legal_basis"], r["intervention"]):
                    start = r["impl"]
                    if recurring and r["last_ov"] and r["last_ov"] > start:
                        start = r["last_ov"]
                    mine.append({**r, "start": start})
            self.add(rule_id, mine, start="start")

    def kronparm(self):
        bound = latest_start("kronparm_gallring_2y", self.as_of)  # listed from its due date
        if bound is None:
            return
        later_investigation = Exists(self.ev(type=T.UTREDNING_INLEDD, case_id=OuterRef("case_id"),
                                             date__gte=OuterRef("date")))
        # One statement, with the case's id and unit: many rows, and the rule needs no more
        # of the case (no child test). These partial CaseInfos are kept apart from self.cases,
        # which other rules read for the person's birth date.
        rows = (self.ev(type=T.FORHANDSBEDOMNING, outcome=S.INTE_INLEDA, date__lte=bound, case__area=S.BARN_OCH_UNGA)
                .filter(~later_investigation))
        if self.case_scope:
            rows = rows.filter(case_id__in=Case.objects.filter(self.case_scope).values("pk"))
        cases = {}
        for case_id, day, akt_id, akt_ext, case_ext, unit_id in raw_rows(rows.values_list(
                "case_id", "date", "aktualisering_id", "aktualisering__ext_id", "case__ext_id", "case__unit_id")):
            info = cases.get(case_id)
            if info is None:
                info = cases[case_id] = CaseInfo(case_id, case_ext, unit_id, S.BARN_OCH_UNGA, "", None, None, None)
            self.out.append(Fact("kronparm_gallring_2y", akt_id, akt_ext, info, day))

    def local(self, lr):
        anchors = self.subjects({"area": lr.area}, type=lr.anchor_type, date__gte=lr.valid_from)
        if lr.valid_to:
            anchors = anchors.filter(date__lte=lr.valid_to)
        if lr.anchor_type == T.AKTUALISERING and lr.anchor_kind:
            anchors = anchors.filter(kind=lr.anchor_kind)
        closing = Exists(self.ev(type=lr.closing_type, case_id=OuterRef("case_id"), date__gte=OuterRef("date")))
        for r in self.details(self.ids(anchors.filter(~closing)), "pk", "ext_id", "date", lapse=self.first_closing()):
            self.out.append(Fact(rule=lr.code, subject_pk=r["pk"], subject_id=r["ext_id"], case=self.case(r),
                                 start=r["date"], lapse=r["lapse"], local=lr))


# --------------------------------------------------------------------------------------------
# Step 1b: facts in Python, over one case's effective events (reference implementation)
# --------------------------------------------------------------------------------------------

def _ext(e):
    return getattr(e, "original", e).ext_id


def case_facts(case: CaseInfo, events, as_of, known_at, rules: set, local_rules=()) -> list[Fact]:
    """The same facts as the SQL of :class:`_SQL`, read from one case's history in plain Python."""
    evs = effective_events(events, as_of=as_of, recorded_by=known_at - dt.timedelta(microseconds=1))
    by_type = defaultdict(list)
    for e in evs:
        by_type[e.type].append(e)
    refs = defaultdict(set)  # (type, referenced pk) for references
    for e in evs:
        for attr in ("aktualisering_id", "utredning_id", "beslut_id"):
            target = getattr(e, attr)
            if target:
                refs[(e.type, target)].add(e)
    closings = sorted(e.date for e in by_type[T.ARENDE_AVSLUTAT])

    def first_closing(after):
        return next((d for d in closings if d >= after), None)

    def referring(types, pk):
        return [x for t in types for x in refs[(t, pk)]]

    out = []

    def fact(rule_id, e, **kw):
        out.append(Fact(rule=rule_id, subject_pk=e.effective_id, subject_id=_ext(e), case=case,
                        start=kw.pop("start", e.date), **kw))

    if case.area == S.BARN_OCH_UNGA:
        if "skyddsbedomning_0d" in rules:
            for a in by_type[T.AKTUALISERING]:
                if a.kind == S.ANMALAN and not referring([T.SKYDDSBEDOMNING], a.effective_id):
                    fact("skyddsbedomning_0d", a, lapse=first_closing(a.date))
        if "forhandsbedomning_14d" in rules:
            for a in state.pending_assessments(evs):
                if a.kind == S.ANMALAN:
                    fact("forhandsbedomning_14d", a, lapse=first_closing(a.date))

    inv_rules = [r for r, applies in (
        ("utredning_4m", case.area == S.BARN_OCH_UNGA),
        ("vbu_utredning_4m", case.case_type == S.VBU_CASE_TYPE),
        ("faderskap_1y", case.case_type == S.FADERSKAP_CASE_TYPE),
    ) if applies and r in rules]
    for u in state.open_investigations(evs) if inv_rules else ():
        for r in inv_rules:
            fact(r, u, lapse=first_closing(u.date), extended_until=extended_until(evs, u.effective_id))

    if "samarbetssamtal_14d" in rules and case.case_type == S.SAMARBETSSAMTAL_CASE_TYPE:
        for a in by_type[T.AKTUALISERING]:
            if not any(x.date >= a.date for t in S.SAMARBETSSAMTAL_STEPS for x in by_type[t]):
                fact("samarbetssamtal_14d", a, lapse=first_closing(a.date))

    beslut = {b.effective_id: b for b in by_type[T.BESLUT]}
    for c in decisions.decision_clocks(evs, reportable_only=True):
        if c.rule in rules and c.waiting_on(as_of):
            fact(c.rule, beslut[c.beslut_pk], start=c.start, legal_basis=c.legal_basis)
    for b, implemented in state.interventions_in_force(evs):
        considered = [x.date for x in referring([T.OVERVAGANDE], b.effective_id)]
        last_ov = max(considered) if considered else None
        recurring_start = max(implemented, last_ov) if last_ov else implemented
        if "overvagande_6m" in rules and S.is_overvagande_subject(b.legal_basis, b.intervention):
            fact("overvagande_6m", b, start=recurring_start, legal_basis=b.legal_basis, last_consideration=last_ov)
        if "omprovning_lvu3_6m" in rules and S.is_omprovning_subject(b.legal_basis, b.intervention):
            fact("omprovning_lvu3_6m", b, start=recurring_start, legal_basis=b.legal_basis, last_consideration=last_ov)
        if "vardnadsoverflyttning_2y" in rules and S.is_vardnadsoverflyttning_subject(b.legal_basis, b.intervention):
            fact("vardnadsoverflyttning_2y", b, start=implemented, legal_basis=b.legal_basis,
                 last_consideration=last_ov)

    bound = latest_start("kronparm_gallring_2y", as_of) if "kronparm_gallring_2y" in rules else None
    if bound is not None and case.area == S.BARN_OCH_UNGA:
        for f in by_type[T.FORHANDSBEDOMNING]:
            if f.outcome != S.INTE_INLEDA or f.date > bound:
                continue
            if any(u.date >= f.date for u in by_type[T.UTREDNING_INLEDD]):
                continue
            akt = next((a for a in by_type[T.AKTUALISERING] if a.effective_id == f.aktualisering_id), None)
            if akt is None:
                continue  # the anmälan itself is voided or dated later
            out.append(Fact(rule="kronparm_gallring_2y", subject_pk=akt.effective_id, subject_id=_ext(akt),
                            case=case, start=f.date))

    for lr in local_rules:
        if case.area != lr.area:
            continue
        for a in by_type[lr.anchor_type]:
            if a.date < lr.valid_from or (lr.valid_to and a.date > lr.valid_to):
                continue
            if lr.anchor_type == T.AKTUALISERING and lr.anchor_kind and a.kind != lr.anchor_kind:
                continue
            if any(x.date >= a.date for x in by_type[lr.closing_type]):
                continue
            out.append(Fact(rule=lr.code, subject_pk=a.effective_id, subject_id=_ext(a), case=case,
                            start=a.date, lapse=first_closing(a.date), local=lr))
    return out


# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------

def _scope(unit_ids, caseworker_id, case_pks):
    """A filter on cases."""
    q = Q()
    if unit_ids is not None:
        q &= Q(unit_id__in=list(unit_ids))
    if caseworker_id is not None:
        q &= Q(caseworker_id=caseworker_id)
    if case_pks is not None:
        q &= Q(pk__in=list(case_pks))
    return q


def raw_rows(qs):
    """The rows of a ``values_list`` queryset as the database driver returns them: for the one
    query that may return tens of thousands of rows, without Django's per-row conversions
    (the selected columns are ids, dates and strings, which the drivers already convert)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while batch := cur.fetchmany(10000):
            yield from batch


def in_ids(model, column, ids):
    """A filter ``column IN ids``: an array parameter on PostgreSQL, a list on SQLite."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        # One array literal: the driver adapts a list element by element (tens of ms for
        # tens of thousands of ids); the ids are ints, so the literal needs no escaping.
        literal = "{" + ",".join(str(int(i)) for i in ids) + "}"
        return RawSQL(f'"{model._meta.db_table}"."{column}" = ANY(%s)', (literal,), output_field=BooleanField())
    return Q(**{f"{column}__in": ids})


def pk_batches(qs, pks):
    """``qs`` restricted to ``pks``: one statement with an array parameter on PostgreSQL (a
    list of 50 000 ids costs nothing to send or parse), chunks of ``IN (...)`` on SQLite."""
    pks = list(pks)
    if not pks:
        return
    if connection.vendor == "postgresql":
        yield qs.filter(in_ids(qs.model, "id", pks))
        return
    for i in range(0, len(pks), CHUNK):
        yield qs.filter(pk__in=pks[i:i + CHUNK])


def case_infos(pks):
    infos = {}
    for qs in pk_batches(Case.objects.all(), pks):
        for r in qs.values("pk", "ext_id", "unit_id", "area", "case_type", "caseworker_id", "person_id",
                           "person__birth_date"):
            infos[r["pk"]] = CaseInfo(r["pk"], r["ext_id"], r["unit_id"], r["area"], r["case_type"],
                                      r["caseworker_id"], r["person_id"], r["person__birth_date"])
    return infos


def corrected_case_pks(known_at, case_scope=None):
    """Cases with a correction recorded before ``known_at``: evaluated by the Python reference."""
    qs = Event.objects.filter(corrects__isnull=False, recorded_at__lt=known_at)
    if case_scope:
        qs = qs.filter(case_id__in=Case.objects.filter(case_scope).values("pk"))
    return set(qs.values_list("case_id", flat=True).distinct())


def local_rules():
    from akta.deadlines.models import LocalDeadlineRule

    return list(LocalDeadlineRule.objects.all())


def culled_through(as_of):
    """Per unit, the latest förhandsbedömning date whose kronpärm documents were culled by ``as_of``."""
    from akta.deadlines.models import KronparmGallring

    rows = KronparmGallring.objects.filter(performed_on__lte=as_of).values("unit_id").annotate(m=Max("culled_through"))
    return {r["unit_id"]: r["m"] for r in rows}


@contextmanager
def tuned():
    """On PostgreSQL, for this transaction only: no JIT (compiling costs more than these
    queries take), no parallel workers (the anti-joins are index-only and short) and enough
    work_mem for the anti-joins' hash tables."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cur.execute("SET LOCAL work_mem = '64MB'")
            cur.execute("SET LOCAL random_page_cost = 1.1")
        yield


# Rules run together on one connection; on PostgreSQL the groups run on parallel connections,
# taken in this order (about the longest first, as measured on `large`).
RULE_GROUPS = (
    ("utredning_4m", "vbu_utredning_4m", "faderskap_1y", "samarbetssamtal_14d"),
    ("verkstallighet_3m", "verkstallighet_avbrott_3m"),
    ("kronparm_gallring_2y",),
    ("forhandsbedomning_14d", "skyddsbedomning_0d"),
    ("overvagande_6m", "omprovning_lvu3_6m", "vardnadsoverflyttning_2y"),
)
WORKERS = int(os.environ.get("AKTA_DEADLINE_WORKERS", "2"))


ORDER = operator.attrgetter("order")


class _Finisher:
    """Step 2 for one as-of date: facts to deadlines, with their unit codes. The rule groups'
    threads share it (the memo only ever gains entries that are equal whoever computes them)."""

    def __init__(self, as_of, culled, codes):
        self.as_of, self.culled, self.codes = as_of, culled, codes
        self.memo = {}

    def __call__(self, facts):
        out = []
        for f in facts:
            d = finish(f, self.as_of, self.culled, self.memo)
            if d is not None:
                d.unit_code = self.codes.get(d.case.unit_id, "")
                out.append(d)
        # Sorted here, in the group's thread: the caller's sort of the concatenated groups
        # then only merges sorted runs.
        out.sort(key=ORDER)
        return out


def _run_group(as_of, known_at, scope, locals_, rules, local, finisher, case_set=""):
    with tuned():
        facts = _SQL(as_of, known_at, scope, locals_, case_set).run(set(rules), local=local)
    # Step 2 here, in the group's thread: it overlaps with the other groups' queries.
    return finisher(facts)


def _sql_deadlines(as_of, known_at, scope, locals_, rules, finisher, parallel=True, case_set=""):
    """The deadlines of ``rules`` for the cases in ``scope`` (unsorted), from SQL facts.

    On PostgreSQL, outside a transaction, the rule groups run on ``WORKERS`` parallel
    connections (:mod:`akta.dbparallel`), each group turning its facts into deadlines while
    the others wait for the database. Every query filters on the as-of date and the recording
    time, so the groups agree with each other whatever they see of writes made meanwhile –
    except an import writing events recorded in the past while the command runs.
    """
    groups = [tuple(r for r in g if r in rules) for g in RULE_GROUPS]
    groups = [g for g in groups if g]
    rest = tuple(r for r in rules if not any(r in g for g in RULE_GROUPS))
    if rest:
        groups.append(rest)
    tasks = [functools.partial(_run_group, as_of, known_at, scope, locals_, g, i == 0, finisher, case_set)
             for i, g in enumerate(groups or [()])]
    return [d for part in dbparallel.run(tasks, WORKERS if parallel else 1) for d in part]


_STATISTICS_CHECKED = False


def ensure_planner_statistics():
    """SQLite without ANALYZE statistics plans the anti-joins through the (type, date) index
    and becomes quadratic (minutes on the medium municipality). If the events table has never
    been analysed, analyse it once (a fraction of a second on medium)."""
    global _STATISTICS_CHECKED
    if _STATISTICS_CHECKED or connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        analysed = False
        if cur.fetchone() is not None:
            cur.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'cases_event' LIMIT 1")
            analysed = cur.fetchone() is not None
        if not analysed:
            cur.execute("ANALYZE")
    _STATISTICS_CHECKED = True


def compute(as_of: dt.date, *, known_at: dt.datetime | None = None, unit_ids=None, caseworker_id=None,
            case_pks=None, rules=None, include_local=False, method="auto") -> list[Deadline]:
    """Every deadline open or missed-and-unmet at the end of ``as_of``, sorted by due date.

    ``known_at``: only events recorded before this instant count (default: the end of
    ``as_of``). ``unit_ids`` / ``caseworker_id`` / ``case_pks`` narrow the cases (worklists).
    ``rules``: rule ids to evaluate (default all statutory rules). ``include_local``: also the
    committee's own rules (:class:`~akta.deadlines.models.LocalDeadlineRule`).
    ``method="python"`` runs every case through the Python reference instead of SQL.
    """
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise TypeError("as_of must be a datetime.date")
    known_at = known_at or end_of_day(as_of)
    ensure_planner_statistics()
    rules = set(S.LAW_RULES if rules is None else rules)
    locals_ = local_rules() if include_local else []
    scope = _scope(unit_ids, caseworker_id, case_pks)

    from akta.access.models import Unit

    culled = culled_through(as_of) if "kronparm_gallring_2y" in rules else {}
    finisher = _Finisher(as_of, culled, dict(Unit.objects.values_list("pk", "code")))
    out = []
    if method == "python":
        python_cases = set(Case.objects.filter(scope).values_list("pk", flat=True))
    else:
        python_cases = corrected_case_pks(known_at, scope)
        sql_scope = scope & ~Q(pk__in=list(python_cases)) if python_cases else scope
        case_set = case_set_sql(case_pks, unit_ids, caseworker_id, exclude_pks=python_cases)
        # A few given cases (a worklist's changed cases) are not worth extra connections.
        out = _sql_deadlines(as_of, known_at, sql_scope, locals_, rules, finisher, parallel=case_pks is None,
                             case_set=case_set)
    if python_cases:
        infos = case_infos(python_cases)
        events = defaultdict(list)
        pcs = list(python_cases)
        for i in range(0, len(pcs), 2000):
            for e in Event.objects.filter(case_id__in=pcs[i:i + 2000], recorded_at__lt=known_at):
                events[e.case_id].append(e)
        for pk in pcs:
            out.extend(finisher(case_facts(infos[pk], events.get(pk, []), as_of, known_at, rules, locals_)))
    out.sort(key=ORDER)
    return out
