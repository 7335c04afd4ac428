"""Worklists (bevakningar) for people: my cases, my units, the whole committee.

A worklist is :func:`akta.deadlines.engine.compute` for today – the same computation as
``akta deadlines`` – narrowed to the cases a user may see (:func:`akta.access.services.visible_cases`)
and sorted into sections:

* **Försenade** – due before today;
* **Förfaller denna vecka** – due from today to Sunday;
* **Varning** – due after this week but within the rule's warning days
  (:class:`~akta.deadlines.models.WarningSetting`, default 7);
* **Senare** – the rest.

Snapshots. Computing a large unit's deadlines reads its whole history (~1 s on the ``large``
municipality), so each unit set's result for today is kept in memory with the event
high-water mark (the largest event id). The case history is append-only and every deadline
depends only on its own case's events, so when new events arrive only their cases are
recomputed and merged in; a change of the committee's own rules, a kronpärm culling or the
culling of cases (``cases.CaseRemoval``) rebuilds the snapshot, as does a new day or an age
of 30 minutes. Who handles a case is read fresh on every request, and every case shown or
exported is checked against the user's units again (a case moved to another unit without an event stays counted in the old unit's
numbers for at most 30 minutes, but is never shown there).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Count, Max

from akta.access.models import Role
from akta.access.services import may_see_identity, person_label, unit_ids
from akta.cases.models import Case, CaseRemoval, Event
from akta.deadlines import engine
from akta.deadlines.models import (
    DEFAULT_WARNING_DAYS,
    KronparmGallring,
    LocalDeadlineRule,
    WarningSetting,
)

SECTIONS = (
    ("forsenade", "Försenade"),
    ("vecka", "Förfaller denna vecka"),
    ("varning", "Varning"),
    ("senare", "Senare"),
)
SECTION_LABELS = dict(SECTIONS)
COMMITTEE_ROLES = {Role.ENHETSCHEF, Role.KVALITETSUTVECKLARE, Role.NAMNDSEKRETERARE, Role.SYSTEMFORVALTARE}
SETTINGS_ROLES = {Role.ENHETSCHEF, Role.SYSTEMFORVALTARE}

_MAX_SNAPSHOTS = 32
_MAX_AGE = 30 * 60  # seconds: a case moved between units without an event shows within this time
_INCREMENTAL_LIMIT = 2000  # changed cases; beyond this a full recomputation is as cheap
_LOOKBACK = 200  # ids: an insert that commits after a later one is still picked up
_snapshots: OrderedDict = OrderedDict()
_lock = threading.Lock()


@dataclass
class _Snapshot:
    high_water: int
    stamp: tuple
    built: float
    deadlines: list


def _stamp():
    local = LocalDeadlineRule.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    culled = KronparmGallring.objects.aggregate(n=Count("id"), m=Max("id"))
    removed = CaseRemoval.objects.aggregate(m=Max("id"))["m"]  # culled personakter (akta.records)
    return (local["n"], local["m"], culled["n"], culled["m"], removed)


def clear_snapshots():
    with _lock:
        _snapshots.clear()


def deadlines_for(unit_set, as_of):
    """All deadlines (statutory and local) of the cases in ``unit_set`` (None = all) as of ``as_of``."""
    key = (None if unit_set is None else tuple(sorted(unit_set)), as_of)
    high_water = Event.objects.aggregate(m=Max("id"))["m"] or 0
    stamp = _stamp()
    with _lock:
        snap = _snapshots.get(key)
    units = None if unit_set is None else list(unit_set)
    if snap is not None and snap.stamp == stamp and time.monotonic() - snap.built < _MAX_AGE:
        if snap.high_water == high_water:
            return snap.deadlines
        changed = set(Event.objects.filter(id__gt=max(0, snap.high_water - _LOOKBACK), id__lte=high_water)
                      .values_list("case_id", flat=True))
        if len(changed) <= _INCREMENTAL_LIMIT:
            fresh = engine.compute(as_of, unit_ids=units, case_pks=changed, include_local=True)
            merged = [d for d in snap.deadlines if d.case.pk not in changed] + fresh
            merged.sort(key=engine.ORDER)
            _store(key, _Snapshot(high_water, stamp, snap.built, merged))
            return merged
    deadlines = engine.compute(as_of, unit_ids=units, include_local=True)
    _store(key, _Snapshot(high_water, stamp, time.monotonic(), deadlines))
    return deadlines


def _store(key, snap):
    with _lock:
        _snapshots[key] = snap
        _snapshots.move_to_end(key)
        while len(_snapshots) > _MAX_SNAPSHOTS:
            _snapshots.popitem(last=False)


def week_end(today):
    return today + dt.timedelta(days=6 - today.weekday())


def warning_days():
    return WarningSetting.days_by_rule()


def section_of(d, today, warn):
    if d.due < today:
        return "forsenade"
    if d.due <= week_end(today):
        return "vecka"
    if d.due <= today + dt.timedelta(days=warn.get(d.rule, DEFAULT_WARNING_DAYS)):
        return "varning"
    return "senare"


def user_deadlines(user, scope, today, *, unit_code=None):
    """(deadlines, units) for ``user``: ``scope`` "mina" (cases the user handles) or "enhet"
    (cases of the user's units, optionally one unit).

    The unit of a case is taken from the snapshot (at most ``_MAX_AGE`` old); whether the user
    may still see each case that is *shown* is checked again by :func:`person_labels`. Who
    handles a case is read fresh.
    """
    from akta.access.models import Unit

    my_units = unit_ids(user)
    units = list(Unit.objects.filter(pk__in=my_units).order_by("name"))
    if not my_units:
        return [], units
    wanted = set(my_units)
    if unit_code:
        wanted &= {u.pk for u in units if u.code == unit_code}
    deadlines = [d for d in deadlines_for(my_units, today) if d.case.unit_id in wanted]
    if scope == "mina":
        mine = set(Case.objects.filter(caseworker=user, unit_id__in=wanted).values_list("pk", flat=True))
        deadlines = [d for d in deadlines if d.case.pk in mine]
    return deadlines, units


def person_labels(user, deadlines):
    """Per case pk the person's name and personnummer – or "Skyddad identitet" without the
    explicit right – for the cases the user may see now (others are left out)."""
    visible = set(unit_ids(user))
    pks = {d.case.pk for d in deadlines}
    labels = {}
    for case in Case.objects.filter(pk__in=pks).select_related("person"):
        if case.unit_id not in visible:
            continue
        labels[case.pk] = (person_label(user, case.person, case), not may_see_identity(user, case.person))
    return labels


def committee_counts(today):
    """Counts per rule and per unit by section, for the whole committee. No personal data."""
    from akta.access.models import Unit

    warn = warning_days()
    deadlines = deadlines_for(None, today)
    by_rule, by_unit = {}, {}
    titles = {}
    for d in deadlines:
        s = section_of(d, today, warn)
        titles[d.rule] = (d.title, d.legal_reference, d.kind)
        by_rule.setdefault(d.rule, dict.fromkeys(SECTION_LABELS, 0))[s] += 1
        by_unit.setdefault(d.case.unit_id, dict.fromkeys(SECTION_LABELS, 0))[s] += 1
    names = dict(Unit.objects.values_list("pk", "name"))
    rules = [{"rule": r, "title": titles[r][0], "reference": titles[r][1], "kind": titles[r][2], **c,
              "total": sum(c.values())} for r, c in sorted(by_rule.items(), key=lambda kv: titles[kv[0]][0])]
    units = [{"unit": names.get(u, "–"), **c, "total": sum(c.values())}
             for u, c in sorted(by_unit.items(), key=lambda kv: names.get(kv[0], ""))]
    totals = {k: sum(r[k] for r in rules) for k in SECTION_LABELS}
    totals["total"] = sum(totals.values())
    return rules, units, totals
