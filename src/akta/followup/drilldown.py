"""Drill-down from a cell to the cases behind it.

The cell's units (events, investigations, cases or persons) come from the indicator's own base
query filtered to the cell, so the number is always the cell's number. Access rights only
decide what is *shown*: units whose case lies outside the user's units are counted as
"N … utanför din behörighet" without details, and a protected identity is shown as
"Skyddad identitet" unless the user holds that right. Each case shown is logged as a read of
person data (akta.audit.services.log_read).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from akta.access.services import may_see_identity, person_label, visible_cases
from akta.audit.services import log_read
from akta.cases.models import Case
from akta.followup.engine import TOTAL, ParameterError, run_sql
from akta.followup.indicators import get
from akta.followup.services import ctx_for

SHOW_LIMIT = 200


@dataclass
class ShownCase:
    case: Case
    units: int  # how many of the cell's units belong to this case
    identity: str
    protected: bool


@dataclass
class Drilldown:
    indicator: object
    key: dict
    column: str
    unit: str
    value: int
    shown: list = field(default_factory=list)
    hidden: int = 0  # units outside the user's access
    not_shown: int = 0  # units beyond SHOW_LIMIT cases (visible but not listed)

    @property
    def hidden_text(self):
        if not self.hidden:
            return ""
        if self.unit == "ärenden":
            return f"{self.hidden} ärenden utanför din behörighet"
        if self.unit == "personer":
            return f"{self.hidden} personer (med ärenden) utanför din behörighet"
        return f"{self.hidden} {self.unit} i ärenden utanför din behörighet"


def cell_units(indicator_id, params, key: dict, column: str):
    """[(case_id, person_id)] behind one cell, from the indicator's base query."""
    ind = get(indicator_id)
    m = ind.measure(column)
    if m is None:
        raise ParameterError(f"kolumnen {column!r} är inte ett antal och kan inte brytas ned")
    ctx = ind.prepare(ctx_for(params))
    where, args = [], dict()
    for k in ind.key_columns:
        if k not in key:
            raise ParameterError(f"cellen saknar {k!r}")
        if k == "sex" and key[k] == TOTAL:
            continue
        where.append(f"{k} = %(cell_{k})s")
        args[f"cell_{k}"] = key[k]
    if m.flag:
        where.append(f"{m.flag} = 1")
    sql = f"SELECT case_id, person_id FROM ({ind.base(ctx)}) b"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = run_sql(sql, {**ctx.d.params, **args})
    if m.agg == "persons":
        by_person = OrderedDict()
        for case_id, person_id in rows:
            by_person.setdefault(person_id, []).append(case_id)
        return m, [(cases, pid) for pid, cases in by_person.items()]
    return m, [([case_id], person_id) for case_id, person_id in rows]


def drilldown(user, indicator_id, params, key, column, log=True) -> Drilldown:
    ind = get(indicator_id)
    m, units = cell_units(indicator_id, params, key, column)
    dd = Drilldown(ind, key, column, m.unit, len(units))
    all_ids = {cid for cases, _ in units for cid in cases}
    visible = set()
    ids = list(all_ids)
    for i in range(0, len(ids), 5000):
        visible.update(visible_cases(user, Case.objects.filter(id__in=ids[i:i + 5000])).values_list("id", flat=True))
    per_case = OrderedDict()
    for cases, _ in units:
        seen = [c for c in cases if c in visible]
        if not seen:
            dd.hidden += 1
            continue
        for c in seen:
            per_case[c] = per_case.get(c, 0) + 1
    shown_ids = list(per_case)[:SHOW_LIMIT]
    dd.not_shown = len(per_case) - len(shown_ids)
    objs = Case.objects.select_related("person", "unit").in_bulk(shown_ids)
    cell = ", ".join(f"{k}={v}" for k, v in key.items())
    for cid in shown_ids:
        case = objs[cid]
        dd.shown.append(ShownCase(case, per_case[cid], person_label(user, case.person, case),
                                  not may_see_identity(user, case.person)))
        if log:
            log_read(user, "case", case.ext_id, person=case.person,
                     context=f"uppföljning: {ind.id} ({cell}; {column})")
    return dd
