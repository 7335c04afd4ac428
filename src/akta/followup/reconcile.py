"""Reconciliation (avstämning): a table stated elsewhere (last year's report, Kolada, a
spreadsheet) compared cell by cell with the computed table.

The stated table is a CSV with the indicator's own columns (a header row; comma or semicolon;
decimal comma accepted; blank cells are "not stated"). Every difference is listed as (cell,
stated, computed, difference). Stated ``totalt`` rows are also checked against the stated
parts (kvinna + man + okänt): Akta never takes a total as input, it derives it, and says so when
a stated total disagrees with its own parts.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from akta.followup.engine import SEXES, TOTAL, Table
from akta.spreadsheet import unneutralise


class ReconcileError(ValueError):
    pass


@dataclass
class Difference:
    key: tuple
    column: str
    stated: object
    computed: object

    @property
    def diff(self):
        if isinstance(self.stated, (int, float)) and isinstance(self.computed, (int, float)):
            d = self.stated - self.computed
            return round(d, 4) if isinstance(d, float) else d
        return None


@dataclass
class TotalProblem:
    key: tuple
    column: str
    stated_total: object
    sum_of_parts: object


@dataclass
class Reconciliation:
    table: Table
    key_columns: tuple
    differences: list = field(default_factory=list)
    total_problems: list = field(default_factory=list)
    rows_compared: int = 0

    @property
    def ok(self):
        return not self.differences and not self.total_problems


def _number(text):
    t = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if t in ("", ".."):
        return None
    t = t.replace(",", ".").rstrip("%")
    try:
        f = float(t)
    except ValueError:
        raise ReconcileError(f"inte ett tal: {text!r}") from None
    return int(f) if f.is_integer() and "." not in t else f


def parse_csv(data, indicator):
    """Stated records from CSV text/bytes with the indicator's columns."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReconcileError("filen är inte UTF-8") from None
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise ReconcileError("filen är tom")
    first = data.splitlines()[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(data), delimiter=delim)
    header = [h.strip() for h in next(reader)]
    keys = indicator.key_columns
    missing = [k for k in keys if k not in header]
    if missing:
        raise ReconcileError(f"kolumner saknas: {', '.join(missing)} (förväntade {', '.join(indicator.column_names)})")
    unknown = [h for h in header if h not in indicator.column_names]
    if unknown:
        raise ReconcileError(f"okända kolumner: {', '.join(unknown)} (förväntade {', '.join(indicator.column_names)})")
    records, errors = [], []
    for no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            errors.append(f"rad {no}: {len(row)} fält, rubriken har {len(header)}")
            continue
        rec = {}
        for h, v in zip(header, row):
            if h in keys:
                rec[h] = unneutralise(v.strip())
            else:
                try:
                    rec[h] = _number(v)
                except ReconcileError as e:
                    errors.append(f"rad {no}, kolumn {h}: {e}")
        if rec.get("sex") not in (*SEXES, TOTAL):
            errors.append(f"rad {no}: okänt kön {rec.get('sex')!r} (kvinna, man, okänt eller totalt)")
        records.append(rec)
    if errors:
        raise ReconcileError("; ".join(errors))
    return records


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def compare_records(indicator, stated, table: Table) -> Reconciliation:
    keys = indicator.key_columns
    result = Reconciliation(table, keys)
    computed = {table.key_of(r): dict(zip(table.columns, r)) for r in table.rows}
    masked = {table.key_of(table.rows[i]) + (c,) for i, c in table.masked}
    stated_by_key = {}
    for rec in stated:
        stated_by_key[tuple(rec.get(k, "") for k in keys)] = rec
    stated_cols = set()
    for rec in stated:
        stated_cols.update(c for c in rec if c not in keys)
    value_cols = [c for c in table.columns if c not in keys and c in stated_cols]
    counts = set(indicator.count_columns)
    for key in sorted(set(stated_by_key) | set(computed), key=lambda k: [str(x) for x in k]):
        s, c = stated_by_key.get(key), computed.get(key)
        result.rows_compared += 1
        for col in value_cols:
            if key + (col,) in masked:
                continue  # a masked computed cell cannot be compared
            sv = None if s is None else s.get(col)
            if c is not None:
                cv = c.get(col)
            else:
                cv = 0 if col in counts else None  # a row the computed table lacks counts zero
            if s is not None and sv is None:
                continue  # the cell is not stated
            if s is None and not cv:
                continue  # nothing stated, nothing computed
            if not _same(sv, cv):
                result.differences.append(Difference(key, col, sv, cv))
    # Stated totals against their own stated parts.
    sex_i = keys.index("sex")
    count_cols = [c for c in indicator.count_columns if c in stated_cols]
    groups = {}
    for key, rec in stated_by_key.items():
        g = key[:sex_i] + key[sex_i + 1:]
        if g and g[-1] in ("mean_days", "median_days"):
            continue
        groups.setdefault(g, {})[key[sex_i]] = rec
    for g, by_sex in groups.items():
        tot = by_sex.get(TOTAL)
        if not tot:
            continue
        for col in count_cols:
            t = tot.get(col)
            parts = [by_sex[s].get(col) for s in SEXES if s in by_sex and by_sex[s].get(col) is not None]
            if t is None or not parts:
                continue
            if not _same(t, sum(parts)):
                result.total_problems.append(TotalProblem(g[:sex_i] + (TOTAL,) + g[sex_i:], col, t, sum(parts)))
    return result


def reconcile(data, table: Table) -> Reconciliation:
    return compare_records(table.indicator, parse_csv(data, table.indicator), table)
