"""The follow-up component's service API (what other components call).

    compute(indicator_id, year=…, | from_date=…, to_date=… | as_of=…, as_reported=None, area=None) -> Table
    compute_many({key: (indicator_id, {parameters as for compute}), …}) -> {key: Table}

Statistics always run under a fixed system scope: nothing here looks at the requesting user, so
two users with different permissions get identical numbers (DESIGN.md). Only the drill-down
(:mod:`akta.followup.drilldown`) applies the user's access rights, to what it *shows*.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from zoneinfo import ZoneInfo

from django.conf import settings

from akta import dbparallel
from akta.access.models import Area
from akta.followup.engine import Ctx, ParameterError, Table, aggregate
from akta.followup.indicators import INDICATORS, get
from akta.cases.derived.sql import Dialect

__all__ = ["INDICATORS", "ParameterError", "Table", "compute", "compute_many", "normalize_areas", "normalize_params",
           "parse_date", "parse_datetime"]

TZ = ZoneInfo(settings.TIME_ZONE)


def parse_date(value, name="datum"):
    if isinstance(value, dt.datetime):
        raise ParameterError(f"{name}: ange ett datum, inte en tidpunkt")
    if isinstance(value, dt.date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise ParameterError(f"{name}: ogiltigt datum {value!r} (ska vara ÅÅÅÅ-MM-DD)") from None
    if not 1950 <= d.year <= 2200:  # the bounds of `_year`; later dates cannot be computed with
        raise ParameterError(f"{name}: {value} ligger utanför åren 1950–2200")
    return d


def parse_datetime(value, name="as_reported"):
    """A recording cut-off. A date alone means the end of that day (Swedish time)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=TZ)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59, 999999), tzinfo=TZ)
    if not isinstance(value, str):
        raise ParameterError(f"{name}: ogiltig tidpunkt {value!r}")
    try:
        if len(value) == 10:
            return parse_datetime(dt.date.fromisoformat(value))
        v = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ParameterError(f"{name}: ogiltig tidpunkt {value!r} (ska vara ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTHH:MM[:SS][±HH:MM])") from None
    return v if v.tzinfo else v.replace(tzinfo=TZ)


def _year(value):
    try:
        y = int(value)
    except (TypeError, ValueError):
        raise ParameterError(f"år: ogiltigt år {value!r} (ska vara ÅÅÅÅ)") from None
    if not 1950 <= y <= 2200 or (isinstance(value, str) and not value.strip().isdigit()):
        raise ParameterError(f"år: ogiltigt år {value!r} (ska vara ÅÅÅÅ)")
    return y


def normalize_areas(value) -> list:
    """The area scope (contract-v2 §2): one v1 area code or several (``--area`` repeated);
    ``None``/empty = every area. Returned deduplicated, in the order of the v1 areas, so the same
    scope always gives the same parameters (and saved-report hash)."""
    if value in (None, ""):
        return []
    codes = [value] if isinstance(value, str) else list(value)
    known = list(Area.values)
    for code in codes:
        if not isinstance(code, str) or code not in known:
            raise ParameterError(f"--area: okänt område {code!r}; välj bland: {', '.join(known)}")
    return [a for a in known if a in codes]


def normalize_params(indicator_id, year=None, from_date=None, to_date=None, as_of=None, as_reported=None,
                     area=None):
    """Check the parameters against the indicator's kind and return them as a JSON-able dict
    (``area``: the list of area codes, present only when the table is scoped)."""
    ind = get(indicator_id)
    out = {}
    if ind.period == "as_of":
        if from_date or to_date:
            raise ParameterError(f"{ind.id} gäller en dag: ange --as-of ÅÅÅÅ-MM-DD (eller --year ÅÅÅÅ för årets sista dag), inte --from/--to")
        if year not in (None, "") and as_of not in (None, ""):
            raise ParameterError("ange antingen --year eller --as-of, inte båda")
        if as_of not in (None, ""):
            out["as_of"] = parse_date(as_of, "as_of").isoformat()
        elif year not in (None, ""):
            out["as_of"] = dt.date(_year(year), 12, 31).isoformat()
        else:
            raise ParameterError(f"{ind.id} gäller en dag: ange --as-of ÅÅÅÅ-MM-DD")
    else:
        if as_of not in (None, ""):
            raise ParameterError(f"{ind.id} gäller en period: ange --year ÅÅÅÅ eller --from och --to, inte --as-of")
        if year not in (None, "") and (from_date or to_date):
            raise ParameterError("ange antingen --year eller --from/--to, inte båda")
        if year not in (None, ""):
            y = _year(year)
            out["from"], out["to"] = dt.date(y, 1, 1).isoformat(), dt.date(y, 12, 31).isoformat()
            out["year"] = y
        elif ind.period == "year_only":
            raise ParameterError(f"{ind.id} avser ett kalenderår: ange --year ÅÅÅÅ")
        elif from_date or to_date:
            if not (from_date and to_date):
                raise ParameterError("ange både --from och --to")
            f, t = parse_date(from_date, "from"), parse_date(to_date, "to")
            if t < f:
                raise ParameterError(f"--to ({t}) ligger före --from ({f})")
            out["from"], out["to"] = f.isoformat(), t.isoformat()
        else:
            raise ParameterError(f"{ind.id} gäller en period: ange --year ÅÅÅÅ eller --from och --to")
    if as_reported not in (None, ""):
        out["as_reported"] = parse_datetime(as_reported).isoformat()
    areas = normalize_areas(area)
    if areas:
        out["area"] = areas
    return out


def compute(indicator_id, year=None, from_date=None, to_date=None, as_of=None, as_reported=None, area=None,
            **extra) -> Table:
    """One indicator as a :class:`Table` (columns, rows, indicator metadata, parameters).

    Parameters as for ``akta stats``: ``year`` or ``from_date``/``to_date`` for a period,
    ``as_of`` for a day; ``as_reported`` (datetime or ISO text) restricts to rows recorded by
    then; ``area`` (a v1 area code or a list of them) counts only cases in those areas.
    Raises :class:`ParameterError` for bad input. ``mask`` (int threshold) applies
    disclosure control (:mod:`akta.followup.disclosure`).
    """
    return compute_normalized(*_request(indicator_id, year, from_date, to_date, as_of, as_reported, area, **extra))


def _request(indicator_id, year=None, from_date=None, to_date=None, as_of=None, as_reported=None, area=None,
             **extra):
    """``compute``'s parameters checked: (indicator id, normalized parameters, mask)."""
    if "from" in extra:
        from_date = extra.pop("from")
    if "to" in extra:
        to_date = extra.pop("to")
    mask = extra.pop("mask", None)
    if extra:
        raise ParameterError(f"okända parametrar: {', '.join(sorted(extra))}")
    ind = get(indicator_id)
    return ind.id, normalize_params(indicator_id, year, from_date, to_date, as_of, as_reported, area), mask


WORKERS = int(os.environ.get("AKTA_FOLLOWUP_WORKERS", "2"))


def compute_many(requests) -> dict:
    """Several indicators: ``{key: (indicator_id, params)}`` -> ``{key: Table}``, where
    ``params`` are :func:`compute`'s keyword arguments; the tables are those ``compute`` returns.

    Every request is checked before any is computed (a :class:`ParameterError` names the first
    bad one). On PostgreSQL, outside a transaction, they run on ``WORKERS`` parallel
    connections (``AKTA_FOLLOWUP_WORKERS``, default 2; :mod:`akta.dbparallel`), the slowest
    first (``Indicator.cost``) so that the workers finish together; otherwise one after the
    other.
    """
    checked = {key: _request(ind_id, **params) for key, (ind_id, params) in dict(requests).items()}
    keys = sorted(checked, key=lambda k: -get(checked[k][0]).cost)
    # The workers keep the cores busy: parallel plans within a query would only compete with
    # them (and repeat their hashed subqueries in every process).
    tables = dbparallel.run([functools.partial(compute_normalized, *checked[k]) for k in keys], WORKERS,
                            prepare=lambda cur: cur.execute("SET max_parallel_workers_per_gather = 0"))
    found = dict(zip(keys, tables))
    return {key: found[key] for key in checked}


def compute_normalized(indicator_id, params, mask=None) -> Table:
    ind = get(indicator_id)
    ctx = ctx_for(params)
    table = aggregate(ind, ctx, dict(params))
    if mask:
        from akta.followup.disclosure import suppress

        suppress(table, int(mask))
        table.params["mask"] = int(mask)
    return table


def ctx_for(params) -> Ctx:
    ctx = Ctx(Dialect())
    if "from" in params:
        ctx.start = dt.date.fromisoformat(params["from"])
        ctx.end = dt.date.fromisoformat(params["to"])
    if "as_of" in params:
        ctx.as_of = dt.date.fromisoformat(params["as_of"])
    if params.get("as_reported"):
        ctx.recorded_by = dt.datetime.fromisoformat(params["as_reported"])
    ctx.areas = tuple(normalize_areas(params.get("area")))
    return ctx
