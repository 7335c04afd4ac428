"""Stratified random sampling of case files for egenkontroll, reproducible from a seed.

The frame of each area group is the cases of its areas that were open at some time in the
period: opened on or before its end, and either opened within it or with an event dated
within it, counting only what had been recorded when the sample was drawn. The frame is
sorted by case id in Python (code-point order, the same on SQLite and PostgreSQL), and a
`random.Random` seeded with the recorded seed and the group picks the files. Drawing again
with the same seed, period and recording time gives the same files.
"""
import random
import secrets

from django.db.models import Exists, OuterRef, Q

from akta.cases.models import Case, Event
from akta.quality.models import AREA_GROUPS, AreaGroup

GROUP_ORDER = [AreaGroup.BARN_OCH_UNGA, AreaGroup.VUXNA, AreaGroup.EKONOMISKT_BISTAND]


def new_seed():
    return secrets.randbelow(2**31 - 1) + 1


def frame(group, period_start, period_end, recorded_by=None):
    """(ext_id, pk) of the cases of `group` open during the period, sorted by ext_id."""
    events = Event.objects.filter(case_id=OuterRef("pk"), date__gte=period_start, date__lte=period_end)
    if recorded_by is not None:
        events = events.filter(recorded_at__lte=recorded_by)
    qs = Case.objects.filter(area__in=[str(a) for a in AREA_GROUPS[group]], opened__lte=period_end)
    qs = qs.filter(Q(opened__gte=period_start) | Exists(events))
    return sorted(qs.values_list("ext_id", "pk"))


def draw(seed, period_start, period_end, per_group, recorded_by=None):
    """{group: ([(ext_id, pk), …] sampled in draw order, frame size)} for each area group."""
    result = {}
    for group in GROUP_ORDER:
        candidates = frame(group, period_start, period_end, recorded_by)
        rng = random.Random(f"akta-egenkontroll:{seed}:{group.value}")
        picked = rng.sample(candidates, min(per_group, len(candidates)))
        result[group.value] = (picked, len(candidates))
    return result
