"""Worklists (bevakningar) for people: my cases, my units, the whole committee.

A worklist is :func:`akta.deadlines.engine.compute` for today – the same computation as
``akta deadlines`` – narrowed to the cases a user may see (:func:`akta.access.services.visible_cases`)
and sorted into sections:

* **Försenade** – due before today;
* **Förfaller denna vecka** – due from today to Sunday;
* **Varning** – due after this week but within the rule's warning days
  (:class:`~akta.deadlines.models.WarningSetting`, default 7);
* **Senare** – the rest.

Snapshots. Every deadline depends only on its own case's events, so a unit's deadlines are
the municipality's narrowed to the unit's cases. Each process keeps one snapshot for today: the
whole municipality's deadlines (~2.7 s to compute on ``large``; one unit alone took ~1 s, even
a unit of a hundred deadlines, so 24 units cost 24 s) with the event high-water mark (the
largest event id), indexed by unit; every unit set's list is read from it. The case history is
append-only, so when new events arrive only their cases are recomputed, with the Python
reference (:func:`akta.deadlines.engine.compute` ``method="python"``, the same answer as the
SQL path: 10–40 ms for a few hundred cases where the SQL path's fixed cost is 0.1–0.7 s), and
merged in; a change of the committee's own rules, a kronpärm culling or the culling of cases
(``cases.CaseRemoval``) rebuilds the snapshot, as does a new day or an age of 30 minutes. Who handles a case is read
fresh on every request, and every case shown or exported is checked against the user's
units again (a case moved to another unit without an event stays counted in the old unit's
numbers for at most 30 minutes, but is never shown there).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict

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

_MAX_SNAPSHOTS = 4  # as-of dates (one is today)
_MAX_AGE = 30 * 60  # seconds: a case moved between units without an event shows within this time
_INCREMENTAL_LIMIT = 2000  # changed cases; beyond this a full recomputation is as cheap
_PYTHON_LIMIT = 500  # changed cases recomputed by the Python reference; more go through SQL
_LOOKBACK = 200  # ids: an insert that commits after a later one is still picked up
_snapshots: OrderedDict = OrderedDict()
_lock = threading.Lock()
_build_lock = threading.Lock()


class _Snapshot:
    """Every deadline of the municipality as of one day, by unit, with the events it has seen."""

    def __init__(self, high_water, stamp, built, seen, deadlines=None, by_unit=None):
        self.high_water, self.stamp, self.built = high_water, stamp, built
        # Ids of the events in (high_water - _LOOKBACK, high_water] that are in the snapshot.
        self.seen = seen
        self._all = deadlines
        if by_unit is None:
            by_unit = {}
            for d in deadlines:
                by_unit.setdefault(d.case.unit_id, []).append(d)
        self.by_unit = by_unit  # unit pk -> that unit's deadlines, sorted (engine.ORDER)
        self.case_units = {d.case.pk: d.case.unit_id for part in by_unit.values() for d in part}

    @property
    def deadlines(self):
        """All of them, sorted: merged from the units' lists when first asked for."""
        if self._all is None:
            merged = [d for part in self.by_unit.values() for d in part]
            merged.sort(key=engine.ORDER)
            self._all = merged
        return self._all

    def updated(self, high_water, seen, changed, fresh):
        """A new snapshot: the deadlines of the ``changed`` cases replaced by ``fresh``; only
        the lists of the units concerned are rebuilt."""
        units = {self.case_units[pk] for pk in changed if pk in self.case_units}
        units |= {d.case.unit_id for d in fresh}
        by_unit = dict(self.by_unit)
        for u in units:
            part = [d for d in by_unit.get(u, ()) if d.case.pk not in changed]
            part += [d for d in fresh if d.case.unit_id == u]
            part.sort(key=engine.ORDER)
            if part:
                by_unit[u] = part
            else:
                by_unit.pop(u, None)
        return _Snapshot(high_water, self.stamp, self.built, seen, by_unit=by_unit)


def _stamp():
    local = LocalDeadlineRule.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    culled = KronparmGallring.objects.aggregate(n=Count("id"), m=Max("id"))
    removed = CaseRemoval.objects.aggregate(m=Max("id"))["m"]  # culled personakter (akta.records)
    return (local["n"], local["m"], culled["n"], culled["m"], removed)


def clear_snapshots():
    with _lock:
        _snapshots.clear()


def deadlines_for(unit_set, as_of):
    """All deadlines (statutory and local) of the cases in ``unit_set`` (None = all) as of
    ``as_of``, sorted (engine.ORDER): the municipality's snapshot narrowed to the units."""
    snap = _municipality(as_of)
    if unit_set is None:
        return snap.deadlines
    units = set(unit_set)
    if len(units) == 1:
        return list(snap.by_unit.get(next(iter(units)), ()))
    return [d for d in snap.deadlines if d.case.unit_id in units]


def _recent(high_water, since):
    """(id, case pk) of the events with since < id <= high_water."""
    return list(Event.objects.filter(id__gt=max(0, since), id__lte=high_water).values_list("id", "case_id"))


def _municipality(as_of):
    """The snapshot of every deadline as of ``as_of``, brought up to date with new events.

    An event id is taken before its transaction commits, so an event may become visible after
    one with a larger id: the ids of the last ``_LOOKBACK`` that the snapshot has seen are kept,
    and the cases of the others in that window are recomputed (each event once), also when no
    event with a larger id has come since."""
    high_water = Event.objects.aggregate(m=Max("id"))["m"] or 0
    stamp = _stamp()
    with _lock:
        snap = _snapshots.get(as_of)
    if snap is not None and snap.stamp == stamp and time.monotonic() - snap.built < _MAX_AGE:
        recent = _recent(high_water, snap.high_water - _LOOKBACK)  # ≤ 200 ids and the new ones: one index range
        new = [(i, c) for i, c in recent if i not in snap.seen]
        if not new:
            return snap
        changed = {c for _, c in new}
        if len(changed) <= _INCREMENTAL_LIMIT:
            fresh = engine.compute(as_of, case_pks=changed, include_local=True,
                                   method="python" if len(changed) <= _PYTHON_LIMIT else "auto")
            seen = frozenset(i for i, _ in recent if i > high_water - _LOOKBACK)
            return _store(as_of, snap.updated(high_water, seen, changed, fresh))
    # A full computation takes seconds: one thread of the process does it, the others wait for
    # its snapshot instead of computing the same again.
    with _build_lock:
        with _lock:
            built = _snapshots.get(as_of)
        if built is not None and built is not snap and built.stamp == stamp and built.high_water >= high_water:
            return built
        # The events seen are read before the computation: one committed in between is
        # computed again at the next call, never missed.
        seen = frozenset(i for i, _ in _recent(high_water, high_water - _LOOKBACK))
        deadlines = engine.compute(as_of, include_local=True)
        return _store(as_of, _Snapshot(high_water, stamp, time.monotonic(), seen, deadlines=deadlines))


def _store(key, snap):
    with _lock:
        _snapshots[key] = snap
        _snapshots.move_to_end(key)
        while len(_snapshots) > _MAX_SNAPSHOTS:
            _snapshots.popitem(last=False)
    return snap


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
    deadlines = deadlines_for(my_units, today)  # the cases of these units only
    wanted = set(my_units)
    if unit_code:
        wanted &= {u.pk for u in units if u.code == unit_code}
        deadlines = [d for d in deadlines if d.case.unit_id in wanted]
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
