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


def equations(table, by_group=False):
    """The linear relations of a table: lists of ((row index, column), coefficient), sum = 0.

    Relations never cross groups (rows with the same key apart from sex), so ``by_group``
    returns them per group, which keeps every system small.
    """
    ind = table.indicator
    cols = table.columns
    sex_i = cols.index("sex")
    groups = {}
    for i, row in enumerate(table.rows):
        if table.key_of(row) in table.summary_keys:
            continue
        gkey = tuple(v for j, v in enumerate(row) if cols[j] in ind.key_columns and j != sex_i)
        groups.setdefault(gkey, {})[row[sex_i]] = i
    out = {}
    for gkey, by_sex in groups.items():
        eqs = out.setdefault(gkey, [])
        if TOTAL in by_sex:
            for m in ind.count_columns:
                eqs.append([((by_sex[TOTAL], m), 1)] + [((by_sex[s], m), -1) for s in SEXES if s in by_sex])
        for total, parts in ind.relations:
            for i in by_sex.values():
                eqs.append([((i, total), 1)] + [((i, p), -1) for p in parts])
    if by_group:
        return out
    return [eq for eqs in out.values() for eq in eqs]


def _rank(rows):
    """Rank of a list of dict-rows (sparse vectors) over the rationals."""
    pivots = []
    for r in rows:
        r = {k: Fraction(v) for k, v in r.items() if v}
        for pk, prow in pivots:
            if pk in r:
                f = r[pk] / prow[pk]
                for k, v in prow.items():
                    r[k] = r.get(k, 0) - f * v
                r = {k: v for k, v in r.items() if v}
        if r:
            pivots.append((next(iter(r)), r))
    return len(pivots)


def _determined(eqs, masked):
    """Masked cells fixed by the relations: cell x is determined exactly when the unit vector of
    x lies in the row space of the relations restricted to the masked cells."""
    restricted = [{cell: c for cell, c in eq if cell in masked} for eq in eqs]
    restricted = [r for r in restricted if r]
    base = _rank(restricted)
    return {cell for cell in masked
            if any(cell in r for r in restricted) and _rank(restricted + [{cell: 1}]) == base}


def determined(table, masked=None):
    """Masked cells that the published cells and the relations determine exactly."""
    masked = set(table.masked if masked is None else masked)
    out = set()
    for eqs in equations(table, by_group=True).values():
        out |= _determined(eqs, masked)
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
    for eqs in equations(table, by_group=True).values():
        cells = {cell for eq in eqs for cell, _ in eq}
        local = masked & cells
        bad = _determined(eqs, local)
        while bad:
            # Greedy complementary suppression: of the unmasked non-zero cells of this group,
            # mask the one that leaves the fewest determined cells (then the smallest value).
            candidates = [c for c in cells if c not in local and value(table, c)] or [c for c in cells if c not in local]
            if not candidates:
                break
            scored = []
            for c in candidates:
                left = _determined(eqs, local | {c})
                scored.append((len(left), value(table, c) or 0, c[0], cols.index(c[1]), c, left))
            scored.sort(key=lambda x: x[:4])
            *_, pick, bad = scored[0]
            local.add(pick)
        masked |= local
    # A max column (e.g. the longest wait) tells about the units counted in its row: masked with them.
    for i in range(len(table.rows)):
        if any((i, c) in masked for c in counts):
            masked.update((i, c) for c in ind.max_columns)
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
