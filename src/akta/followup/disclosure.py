"""Disclosure control (röjandeskydd) for published tables.

Internal use: off (threshold None). Published output: threshold 10 (seed 004 masks counts
under 10). Rules:

1. **Primary suppression**: a count cell with 0 < value < threshold is masked (0 is shown:
   it tells nothing about a person).
2. **Complementary suppression**: the published table holds linear relations — every
   ``totalt`` is the sum of kvinna + man + okänt, and some indicators have column relations
   (``utredningar_open``: total = within_4m + over_4m). A masked cell must not be recoverable
   from them. While some masked cell is determined by the published cells (exactly: it lies in
   the row space of the relations restricted to the masked cells — which covers every chain of
   subtractions), the smallest unmasked non-zero cell of a relation containing it is masked too.
3. **Derived cells** (percentages) are masked when any input is masked; summary rows
   (mean/median days) when they rest on fewer than ``threshold`` units.

Masked cells are written as ``..`` in CSV/XLSX/HTML and as null in JSON.
"""
from __future__ import annotations

from fractions import Fraction

from akta.followup.engine import SEXES, TOTAL

PUBLISH_THRESHOLD = 10


def equations(table):
    """The linear relations of a table: lists of ((row index, column), coefficient), sum = 0."""
    ind = table.indicator
    cols = table.columns
    sex_i = cols.index("sex")
    groups = {}
    for i, row in enumerate(table.rows):
        if table.key_of(row) in table.summary_keys:
            continue
        gkey = tuple(v for j, v in enumerate(row) if cols[j] in ind.key_columns and j != sex_i)
        groups.setdefault(gkey, {})[row[sex_i]] = i
    eqs = []
    for by_sex in groups.values():
        if TOTAL not in by_sex:
            continue
        for m in ind.count_columns:
            eq = [((by_sex[TOTAL], m), 1)] + [((by_sex[s], m), -1) for s in SEXES if s in by_sex]
            eqs.append(eq)
        for total, parts in ind.relations:
            for i in by_sex.values():
                eqs.append([((i, total), 1)] + [((i, p), -1) for p in parts])
    return eqs


def _rank(rows):
    """Rank of a list of dict-rows (sparse vectors) over the rationals."""
    rows = [dict(r) for r in rows if r]
    rank = 0
    pivots_done = []
    while rows:
        r = rows.pop()
        r = {k: v for k, v in r.items() if v}
        for pk, prow in pivots_done:
            if pk in r:
                f = Fraction(r[pk], prow[pk])
                for k, v in prow.items():
                    r[k] = r.get(k, 0) - f * v
                r = {k: v for k, v in r.items() if v}
        if r:
            pk = next(iter(r))
            pivots_done.append((pk, r))
            rank += 1
    return rank


def determined(table, masked=None, eqs=None):
    """Masked cells that the published cells and the relations determine exactly."""
    masked = set(table.masked if masked is None else masked)
    eqs = equations(table) if eqs is None else eqs
    # Restrict each relation to its masked cells (the published ones are constants).
    restricted = [{cell: Fraction(c) for cell, c in eq if cell in masked} for eq in eqs]
    restricted = [r for r in restricted if r]
    base = _rank(restricted)
    out = set()
    for cell in masked:
        relevant = [r for r in restricted if cell in r]
        if not relevant:
            continue
        if _rank(restricted + [{cell: Fraction(1)}]) == base:
            out.add(cell)
    return out


def value(table, cell):
    i, col = cell
    return table.rows[i][table.columns.index(col)]


def suppress(table, threshold=PUBLISH_THRESHOLD):
    """Mask small cells of ``table`` in place (``table.masked``) with complementary suppression."""
    ind = table.indicator
    cols = table.columns
    counts = set(ind.count_columns)
    masked = set()
    summary_rows = set()
    for i, row in enumerate(table.rows):
        if table.key_of(row) in table.summary_keys:
            summary_rows.add(i)
            continue
        for c in counts:
            v = row[cols.index(c)]
            if isinstance(v, int) and 0 < v < threshold:
                masked.add((i, c))
    eqs = equations(table)
    while True:
        bad = determined(table, masked, eqs)
        if not bad:
            break
        cell = sorted(bad, key=lambda x: (x[0], cols.index(x[1])))[0]
        candidates = set()
        for eq in eqs:
            cells = [c for c, _ in eq]
            if cell in cells:
                candidates.update(c for c in cells if c not in masked and value(table, c))
        if not candidates:  # cannot happen with non-negative counts (a total covers its parts)
            for eq in eqs:
                if cell in [c for c, _ in eq]:
                    candidates.update(c for c, _ in eq if c not in masked)
        if not candidates:
            break
        pick = min(candidates, key=lambda x: (value(table, x) or 0, x[1] == "totalt", x[0], cols.index(x[1])))
        masked.add(pick)
    # Derived columns follow their inputs.
    for i in range(len(table.rows)):
        for x in ind.derived:
            if any((i, inp) in masked for inp in x.inputs):
                masked.add((i, x.name))
    # Summary rows (e.g. mean/median days) rest on the units of their sex.
    if summary_rows:
        sex_i = cols.index("sex")
        n_by_sex = {}
        for i, row in enumerate(table.rows):
            if i in summary_rows:
                continue
            for c in counts:
                n_by_sex[row[sex_i]] = n_by_sex.get(row[sex_i], 0) + (row[cols.index(c)] or 0)
        for i in summary_rows:
            if n_by_sex.get(table.rows[i][sex_i], 0) < threshold:
                for c in table.indicator.value_columns:
                    masked.add((i, c))
    table.masked = masked
    return table


def published_rows(table):
    """Rows with masked cells replaced by None (what JSON output carries)."""
    cols = table.columns
    out = []
    for i, row in enumerate(table.rows):
        out.append([None if (i, c) in table.masked else v for c, v in zip(cols, row)])
    return out
