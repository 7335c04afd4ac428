"""The indicator engine: one definition → one SQL aggregation → one :class:`Table`.

An :class:`Indicator` declares its dimensions, its measures and a *base* query. The base query
returns one row per counted unit (an event, an investigation, a case or a person) with the
columns ``case_id``, ``person_id``, ``sex``, one column per dimension and one 0/1 column per
flagged measure. The engine aggregates it in the database (GROUP BY dimensions and sex), adds
the ``totalt`` row of every group from its parts (never counted separately), computes derived
columns (percentages) from the aggregated numbers, and orders the rows. Drill-down runs the
same base query filtered to one cell, so a cell and the cases behind it cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from akta.cases.derived.events import (
    EVENT_FIELDS,
    corrections_exist,
    effective_events_sql,
    known_cases_sql,
)
from akta.cases.derived.sql import Dialect
from akta.law import services as law

SEXES = ("kvinna", "man", "okänt")
TOTAL = "totalt"
SEX_ORDER = (*SEXES, TOTAL)
SEX_LABELS = {"kvinna": "Kvinnor", "man": "Män", "okänt": "Okänt kön", "totalt": "Totalt"}


class ParameterError(ValueError):
    """Bad parameters for an indicator (shown to the user as is)."""


def round_half_up(value, places=0):
    q = Decimal(1).scaleb(-places)
    r = Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP)
    return int(r) if places == 0 else float(r)


@dataclass(frozen=True)
class Dim:
    """A dimension (a non-sex column that identifies a row)."""

    name: str
    label: str
    values: tuple | None = None  # a fixed domain: every value is shown, in this order
    order: tuple = ()  # preferred order of an open domain (others follow alphabetically)
    labels: dict = field(default_factory=dict)

    def label_of(self, value):
        if value in self.labels:
            return self.labels[value]
        return "(uppgift saknas)" if value in ("", None) else str(value)

    def sort_key(self, value):
        dom = self.values or self.order
        if value in dom:
            return (0, dom.index(value), "")
        return (1, 0, "" if value is None else str(value))


@dataclass(frozen=True)
class Measure:
    """A counted column: rows of the base query (``rows``) or distinct persons (``persons``),
    optionally only rows whose 0/1 column ``flag`` is 1; or (``agg="max"``) the largest value of
    the base query's column ``of`` (e.g. days waiting): not a count, so its ``totalt`` is the
    largest of the parts, and it is masked with its row's counts (disclosure)."""

    name: str
    label: str
    agg: str = "rows"
    flag: str | None = None
    unit: str = "ärenden"  # what one unit of the count is, for drill-down ("ärenden", "personer", …)
    of: str | None = None  # agg="max": the column

    def combine(self, a, b):
        return max(a, b) if self.agg == "max" else a + b


@dataclass(frozen=True)
class Derived:
    """A column computed from the aggregated measures of the same row (e.g. a percentage)."""

    name: str
    label: str
    inputs: tuple
    fn: Callable


@dataclass
class Ctx:
    """What a base query may use: the dialect, the period or date, the recording cut-off."""

    d: Dialect
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    recorded_by: dt.datetime | None = None
    until: dt.date | None = None  # no event dated later is needed (set per indicator)
    corrections: bool | None = None  # whether correction rows exist (looked up once)
    areas: tuple = ()  # area codes (v1) the table is scoped to; empty = every area (contract-v2 §2)

    def day(self, value):
        """A date of the query, as a bind parameter (in ``d.params``)."""
        return self.d.date(value)

    def eff(self, *types, since=None, until=None, fields=EVENT_FIELDS):
        """Effective events of some types, dated within [since, until] (default: up to the
        indicator's horizon), with only the ``fields`` the query needs."""
        if self.corrections is None:
            self.corrections = corrections_exist(self.recorded_by)
        return effective_events_sql(self.d, self.recorded_by, types, until or self.until, since, fields,
                                    self.corrections)

    def cases(self):
        """The cases every indicator counts (the relation ``known_cases``): the known cases, and with an
        area scope only those in the given areas. This is the one place the scope is applied:
        every base query meets its cases and persons through this relation, so a scoped table
        counts exactly the units of the unscoped one whose case is in the areas."""
        known = known_cases_sql(self.d, self.recorded_by)
        if not self.areas:
            return known
        codes = ", ".join(f"'{a}'" for a in self.areas)  # validated codes (services.normalize_areas)
        return (f"SELECT s.* FROM ({known}) s "
                f"WHERE s.area IN ({codes})")

    def with_eff(self, *types, extra="", since=None, fields=EVENT_FIELDS, materialized=True):
        """``WITH eff AS (…)`` (plus further CTEs given as ``extra``, starting with a comma).

        ``materialized``: computed once (needed when the query looks events up by id or
        scans them more than once); a single scan may let the database inline it instead.
        """
        m = "MATERIALIZED " if materialized else ""
        # known_cases (the known cases) is a plain view of cases_case: never materialized, so every
        # reference can use the primary key.
        # One CTE per line, the main SELECT on its own line (as logged and explained).
        if extra.startswith(", "):
            extra = ",\n" + extra[2:]
        return (f"WITH eff AS {m}({self.eff(*types, since=since, fields=fields)}),\n"
                f"known_cases AS NOT MATERIALIZED ({self.cases()}){extra}\n")


LAW_PLACEHOLDER = re.compile(r"\{law:([A-Za-z0-9_.]+)\}")


def period_of(params) -> tuple:
    """(first day, last day) a table's parameters cover (one day for an as-of table)."""
    if params.get("as_of"):
        d = dt.date.fromisoformat(params["as_of"])
        return d, d
    if params.get("from"):
        return dt.date.fromisoformat(params["from"]), dt.date.fromisoformat(params["to"])
    today = dt.date.today()
    return today, today


def law_text(key, start, end):
    """The law data's text of ``key`` for the period (both texts when it changes within it)."""
    try:
        return law.reference_in_period(key, start, end)
    except law.LawDataMissing:
        return f"(lagrum {key} saknas i lagdata för {start.isoformat()}–{end.isoformat()})"


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str  # Swedish text; legal references as {law:KEY} (rendered by definition_text)
    law_refs: tuple  # the "Källa": keys into the law data (akta/law/data/references.toml)
    period: str  # "year" (a period: --year or --from/--to), "as_of", "year_only" (--year only)
    dims: tuple
    measures: tuple
    base: Callable  # Ctx -> SQL text
    derived: tuple = ()
    columns: tuple | None = None  # column order; default: dims, sex, measures, derived
    relations: tuple = ()  # (total, (parts…)) that hold within one row, for disclosure control
    # Summary rows (e.g. mean/median): ``summary_sql(ctx)`` selects (part, *dims, sex, *measures)
    # rows over the base relation ``b`` in the same statement; ``summary(table, rows)`` turns
    # them (and the table) into records.
    summary_sql: Callable | None = None
    summary: Callable | None = None
    notes: str = ""
    spec: bool = False  # one of the v1 indicators of exchange-v1 §4
    horizon: Callable | None = None  # Ctx -> the last event date needed (default: as-of / end)
    cost: int = 1  # run time on the large synthetic municipality in tenths of a second: compute_many starts the costly first
    sources: str = ""  # the "Källa" that is not law (the spec, seeds, Kolada ids), plain text
    # Index lookups by id pay off (the decision clocks' anti-join survivors): PostgreSQL keeps its
    # nested loops for this indicator (run_sql turns them off for the others).
    nested_loops: bool = False

    def __post_init__(self):
        if isinstance(self.law_refs, str) or not all(isinstance(k, str) for k in self.law_refs):
            raise TypeError(f"{self.id}: law_refs are keys into the law data (a tuple), not a citation text; "
                            "other sources go in `sources`")
        unknown = [k for k in (*self.law_refs, *LAW_PLACEHOLDER.findall(self.definition)) if k not in law.reference_keys()]
        if unknown:
            raise ValueError(f"{self.id}: unknown legal reference keys {unknown}")

    def definition_text(self, start: dt.date | None = None, end: dt.date | None = None) -> str:
        """The definition with its legal references rendered from the law data for the period
        (default: today)."""
        start = start or dt.date.today()
        end = end or start
        return LAW_PLACEHOLDER.sub(lambda m: law_text(m.group(1), start, end), self.definition)

    def reference_text(self, start: dt.date | None = None, end: dt.date | None = None) -> str:
        """The "Källa": the legal references in force in the period (both texts for a period
        that spans a change, e.g. 2025-07-01), then the other sources."""
        start = start or dt.date.today()
        end = end or start
        parts = [law_text(k, start, end) for k in self.law_refs]
        if self.sources:
            parts.append(self.sources)
        return "; ".join(parts)

    def prepare(self, ctx: Ctx) -> Ctx:
        """Set the horizon of events the base query needs (an optimisation only)."""
        ctx.until = self.horizon(ctx) if self.horizon else (ctx.as_of or ctx.end)
        return ctx

    @property
    def dim_names(self):
        return tuple(d.name for d in self.dims)

    @property
    def column_names(self):
        if self.columns:
            return self.columns
        return (*self.dim_names, "sex", *(m.name for m in self.measures), *(x.name for x in self.derived))

    @property
    def key_columns(self):
        """Columns that identify a row (dimensions and sex)."""
        return tuple(c for c in self.column_names if c in self.dim_names or c == "sex")

    @property
    def value_columns(self):
        return tuple(c for c in self.column_names if c not in self.key_columns)

    @property
    def count_columns(self):
        return tuple(m.name for m in self.measures if m.agg != "max")

    @property
    def max_columns(self):
        return tuple(m.name for m in self.measures if m.agg == "max")

    def measure(self, name):
        for m in self.measures:
            if m.name == name:
                return m
        return None

    def column_label(self, name):
        if name == "sex":
            return "Kön"
        for x in (*self.dims, *self.measures, *self.derived):
            if x.name == name:
                return x.label
        return name


@dataclass
class Table:
    indicator: Indicator
    params: dict
    columns: list
    rows: list
    masked: set = field(default_factory=set)  # (row index, column name)
    summary_keys: set = field(default_factory=set)  # key tuples of summary rows

    def as_dict(self):
        """The exchange-v1 §4 JSON document; masked cells (disclosure control) are null."""
        rows = [[None if (i, c) in self.masked else v for c, v in zip(self.columns, r)]
                for i, r in enumerate(self.rows)]
        return {"indicator": self.indicator.id, "columns": list(self.columns), "rows": rows}

    def to_json(self, **kw):
        return json.dumps(self.as_dict(), ensure_ascii=False, **kw)

    @property
    def period(self):
        """(first day, last day) the table covers."""
        return period_of(self.params)

    @property
    def definition_text(self):
        return self.indicator.definition_text(*self.period)

    @property
    def reference_text(self):
        return self.indicator.reference_text(*self.period)

    @property
    def areas(self):
        """The area codes the table is scoped to (empty: every area)."""
        return tuple(self.params.get("area") or ())

    @property
    def content_hash(self):
        """SHA-256 of the table (the exchange-v1 §4 document) and, for a table scoped to areas,
        of the areas too, so two scopes that happen to give the same numbers differ."""
        doc = self.as_dict()
        if self.areas:
            doc["area"] = list(self.areas)
        canon = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canon.encode()).hexdigest()

    def key_of(self, row):
        return tuple(row[self.columns.index(c)] for c in self.indicator.key_columns)

    def cell(self, key, column):
        ki = self.index()
        i = ki.get(tuple(key))
        return None if i is None else self.rows[i][self.columns.index(column)]

    def index(self):
        return {self.key_of(r): i for i, r in enumerate(self.rows)}

    def records(self):
        return [dict(zip(self.columns, r)) for r in self.rows]


def _agg_expr(m: Measure):
    if m.agg == "max":
        return f"MAX({m.of})"
    if m.agg == "persons":
        inner = "person_id" if not m.flag else f"CASE WHEN {m.flag} = 1 THEN person_id END"
        return f"COUNT(DISTINCT {inner})"
    if m.flag:
        return f"SUM(CASE WHEN {m.flag} = 1 THEN 1 ELSE 0 END)"
    return "COUNT(*)"


# Settings of every statistics query on PostgreSQL (see run_sql).
PG_SETTINGS = (("enable_nestloop", "off"), ("work_mem", "'64MB'"), ("jit", "off"))


def run_sql(sql, params=None, nested_loops=False):
    """Run one statistics query. On PostgreSQL, nested-loop joins are switched off for it: the
    planner cannot estimate the size of the effective-events relation (a CTE) and would
    otherwise loop over it row by row; these queries aggregate whole relations, where hash
    joins are right; sorts/hashes get 64 MB of work memory instead of spilling to disk; and
    JIT compilation is off (it cost 0.1–0.2 s a query, more than it saved: the time goes to
    reading rows, not to evaluating expressions).
    ``params``: the named bind parameters (a statement built with a Dialect: its ``params``).
    The settings are local to the query's transaction (or savepoint) and are restored afterwards.
    ``nested_loops``: keep them for a query whose few survivors are best looked up by id."""
    pg = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cur:
        if pg:
            for name, value in PG_SETTINGS:
                if name == "enable_nestloop" and nested_loops:
                    continue
                cur.execute(f"SET LOCAL {name} = {value}")
        try:
            cur.execute(sql, params or {})
            return cur.fetchall()
        finally:
            if pg:
                for name, _ in PG_SETTINGS:
                    cur.execute(f"SET LOCAL {name} TO DEFAULT")


def _norm(value):
    """Dimension values as plain JSON values (SQLite returns text, PostgreSQL typed values)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def aggregate(ind: Indicator, ctx: Ctx, params: dict) -> Table:
    dims = ind.dim_names
    sel_dims = "".join(f"{n}, " for n in dims)
    aggs = ", ".join(_agg_expr(m) for m in ind.measures)
    group = ", ".join((*dims, "sex"))
    ind.prepare(ctx)
    if ind.summary_sql:
        sql = (f"WITH b AS MATERIALIZED ({ind.base(ctx)}) SELECT 'a' AS part, {sel_dims}sex, {aggs} FROM b "
               f"GROUP BY {group} UNION ALL {ind.summary_sql(ctx)}")
        result = run_sql(sql, ctx.d.params, nested_loops=ind.nested_loops)
        summary_rows = [r[1:] for r in result if r[0] != "a"]
        result = [r[1:] for r in result if r[0] == "a"]
    else:
        sql = f"SELECT {sel_dims}sex, {aggs} FROM ({ind.base(ctx)}) b GROUP BY {group}"
        result = run_sql(sql, ctx.d.params, nested_loops=ind.nested_loops)
    found = {}
    for row in result:
        key = tuple(_norm(v) for v in row[:len(dims)])
        sex = row[len(dims)] or "okänt"
        vals = [int(v or 0) for v in row[len(dims) + 1:]]
        acc = found.setdefault(key, {})
        prev = acc.get(sex)
        acc[sex] = vals if prev is None else [m.combine(a, b) for m, a, b in zip(ind.measures, prev, vals)]
    # Complete the fixed domains: every observed combination of open dimensions gets every
    # value of the fixed ones; a table without open dimensions always has its rows.
    open_idx = [i for i, dm in enumerate(ind.dims) if dm.values is None]
    fixed_idx = [i for i, dm in enumerate(ind.dims) if dm.values is not None]
    if fixed_idx:
        open_keys = {tuple(k[i] for i in open_idx) for k in found} if open_idx else {()}
        import itertools

        for ok in open_keys:
            for combo in itertools.product(*(ind.dims[i].values for i in fixed_idx)):
                key = [None] * len(dims)
                for i, v in zip(open_idx, ok):
                    key[i] = v
                for i, v in zip(fixed_idx, combo):
                    key[i] = v
                found.setdefault(tuple(key), {})
    elif not dims:
        found.setdefault((), {})
    zero = [0] * len(ind.measures)
    measure_names = [m.name for m in ind.measures]
    records = []
    for key, by_sex in found.items():
        parts = {s: by_sex.get(s, zero) for s in SEXES}
        # totalt from the parts (the largest part for a max measure)
        parts[TOTAL] = [functools.reduce(m.combine, (parts[s][i] for s in SEXES)) for i, m in enumerate(ind.measures)]
        for sex in SEX_ORDER:
            rec = dict(zip(dims, key))
            rec["sex"] = sex
            rec.update(zip(measure_names, parts[sex]))
            for x in ind.derived:
                rec[x.name] = x.fn(*(rec[i] for i in x.inputs))
            records.append(rec)
    columns = list(ind.column_names)
    table = Table(ind, params, columns, [[rec[c] for c in columns] for rec in records])
    if ind.summary:
        extra = ind.summary(table, summary_rows)
        for rec in extra:
            table.rows.append([rec.get(c) for c in columns])
            table.summary_keys.add(table.key_of(table.rows[-1]))
    sort_table(table)
    return table


def sort_table(table: Table):
    ind = table.indicator
    dims = {d.name: d for d in ind.dims}

    def key(row):
        out = []
        for c in ind.key_columns:
            v = row[table.columns.index(c)]
            if c == "sex":
                out.append((0, SEX_ORDER.index(v) if v in SEX_ORDER else 9, ""))
            else:
                out.append(dims[c].sort_key(v))
        return out

    table.rows.sort(key=key)
