"""The case list's pages: newest first by (opened, id), one page after or before a position
(keyset pagination: the same cost for the thousandth page as for the first), and the number of
cases, estimated by PostgreSQL's planner when it is large (an exact count of 230 000 cases costs
more than the page itself).
"""
import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q

from akta.params import BadParameter

PAGE_SIZE = 50
# Below this many cases (by the planner's estimate) the count is exact.
EXACT_BELOW = 10_000
_KEY_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.([0-9]{1,18})")


@dataclass
class Page:
    object_list: list
    count: int
    estimated: bool = False
    next_key: str = ""
    previous_key: str = ""
    rows: list = field(default_factory=list)

    @property
    def has_next(self):
        return bool(self.next_key)

    @property
    def has_previous(self):
        return bool(self.previous_key)


def key_of(case):
    return f"{case.opened.isoformat()}.{case.pk}"


def parse_key(source, name):
    """(opened, id) from ``?efter=`` / ``?fore=``, None when absent; a malformed one is a 400."""
    value = source.get(name) or ""
    if not value:
        return None
    m = _KEY_RE.fullmatch(value)
    try:
        if not m:
            raise ValueError
        return dt.date.fromisoformat(m.group(1)), int(m.group(2))
    except ValueError:
        raise BadParameter(name, "Sida", "ogiltig position i listan; börja om från första sidan") from None


def count(qs):
    """(number of rows, estimated?): the planner's estimate on PostgreSQL when it is large."""
    if connection.vendor == "postgresql":
        try:
            sql, params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. a user without units: nothing to count
            return 0, False
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate >= EXACT_BELOW:
            return estimate, True
    return qs.order_by().count(), False


def page(qs, after=None, before=None, size=PAGE_SIZE):
    """The page of ``qs`` (cases) after the position ``after`` or before ``before``, newest first."""
    if before is not None:
        o, pk = before
        rows = list(qs.filter(Q(opened__gt=o) | Q(opened=o, pk__gt=pk)).order_by("opened", "pk")[:size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        previous_key = key_of(rows[0]) if more and rows else ""
        next_key = key_of(rows[-1]) if rows else ""
    else:
        if after is not None:
            o, pk = after
            qs_after = qs.filter(Q(opened__lt=o) | Q(opened=o, pk__lt=pk))
        else:
            qs_after = qs
        rows = list(qs_after.order_by("-opened", "-pk")[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        next_key = key_of(rows[-1]) if more else ""
        previous_key = key_of(rows[0]) if after is not None and rows else ""
    if after is None and before is None and not next_key:
        n, estimated = len(rows), False  # the whole list is on this page: no count to ask for
    else:
        n, estimated = count(qs)
    return Page(rows, n, estimated, next_key, previous_key)
