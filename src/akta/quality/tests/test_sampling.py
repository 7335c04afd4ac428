"""Egenkontroll sampling: stratified by area group, reproducible from the recorded seed."""
import datetime as dt

import pytest
from django.utils import timezone

from akta.access.models import Unit
from akta.cases.models import Case, Event, Person
from akta.quality import models as m
from akta.quality import sampling, services

AREAS = {"barn_och_unga": 14, "vuxna_missbruk": 5, "vuxna_ovrigt": 4, "vald_i_nara_relation": 3,
         "ekonomiskt_bistand": 9, "familjeratt": 6}
PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))


@pytest.fixture
def many_cases(imported):
    """Cases in every area, opened in the period; plus some that are outside it."""
    person = Person.objects.get(ext_id="P1")
    units = {u.area: u for u in Unit.objects.exclude(area="")}
    fallback = Unit.objects.first()
    rows = []
    for area, n in AREAS.items():
        for i in range(n):
            rows.append(Case(ext_id=f"S-{area}-{i:02}", person=person, area=area, unit=units.get(area, fallback),
                             opened=dt.date(2024, 1 + i % 6, 1)))
    rows.append(Case(ext_id="S-late", person=person, area="barn_och_unga", unit=fallback, opened=dt.date(2024, 8, 1)))
    rows.append(Case(ext_id="S-quiet", person=person, area="barn_och_unga", unit=fallback, opened=dt.date(2023, 3, 1)))
    rows.append(Case(ext_id="S-active", person=person, area="barn_och_unga", unit=fallback, opened=dt.date(2023, 3, 1)))
    Case.objects.bulk_create(rows)
    Event.objects.create(ext_id="S-ev", case=Case.objects.get(ext_id="S-active"), type="overvagande",
                         date=dt.date(2024, 2, 1), recorded_at=timezone.now())


def group_of(case):
    return next(g for g, areas in m.AREA_GROUPS.items() if case.area in areas)


def test_frame_is_the_cases_open_in_the_period(many_cases):
    frame = {ext for ext, _pk in sampling.frame(m.AreaGroup.BARN_OCH_UNGA, *PERIOD)}
    assert "S-late" not in frame and "S-quiet" not in frame and "S-active" in frame
    assert {"C1", "C4"} <= frame  # the imported barn_och_unga cases of 2024
    vuxna = {ext for ext, _pk in sampling.frame(m.AreaGroup.VUXNA, *PERIOD)}
    assert len([e for e in vuxna if e.startswith("S-")]) == 5 + 4 + 3
    assert not any("familjeratt" in e for e in vuxna)


def test_sample_is_stratified_by_area_group(many_cases, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="halvar", owner=ku,
                           sample_per_group=6)
    rnd = services.start_round(plan, ku, *PERIOD, seed=4242)
    sampled = list(rnd.sampled.select_related("case"))
    per_group = {}
    for s in sampled:
        assert group_of(s.case) == s.group
        assert s.case.area != "familjeratt"
        per_group.setdefault(s.group, []).append(s.case.ext_id)
    assert {g: len(v) for g, v in per_group.items()} == {"barn_och_unga": 6, "vuxna": 6, "ekonomiskt_bistand": 6}
    assert rnd.population == {g: len(sampling.frame(g, *PERIOD)) for g in sampling.GROUP_ORDER}
    assert rnd.seed == 4242


def test_same_seed_gives_the_same_sample(many_cases, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="halvar", owner=ku,
                           sample_per_group=4)
    first = services.start_round(plan, ku, *PERIOD, seed=7)
    second = services.start_round(plan, ku, *PERIOD, seed=7)
    other = services.start_round(plan, ku, *PERIOD, seed=8)

    def drawn(rnd):
        return {g: [s.case.ext_id for s in rnd.sampled.filter(group=g).order_by("position")] for g in sampling.GROUP_ORDER}

    assert drawn(first) == drawn(second) == services.redraw(first)
    assert drawn(other) != drawn(first)
    history = first.history().get(action="urval draget").change
    assert history["seed"] == [None, 7] and history["urval"][1] == drawn(first)


def test_a_group_smaller_than_the_sample_is_taken_whole(imported, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="ar", owner=ku,
                           sample_per_group=10)
    rnd = services.start_round(plan, ku, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=1)
    got = {s.case.ext_id for s in rnd.sampled.select_related("case")}
    assert got == {"C1", "C2", "C3", "C4"}  # C5 is familjerätt


def test_new_seed_is_recorded_when_none_is_given(imported, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="ar", owner=ku)
    rnd = services.start_round(plan, ku, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert rnd.seed > 0 and services.redraw(rnd)["barn_och_unga"] == [
        s.case.ext_id for s in rnd.sampled.filter(group="barn_och_unga").select_related("case")]


def test_period_must_be_in_order_and_past(imported, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="ar", owner=ku)
    with pytest.raises(services.QualityError):
        services.start_round(plan, ku, dt.date(2024, 6, 1), dt.date(2024, 1, 1))
    with pytest.raises(services.QualityError):
        services.start_round(plan, ku, dt.date(2024, 6, 1), timezone.localdate() + dt.timedelta(days=10))


def test_answers_are_aggregated_per_item_and_group(imported, ku):
    plan = services.create(m.SelfInspectionPlan, ku, title="Akter", method="Stickprov", frequency="ar", owner=ku)
    item = m.ChecklistItem.objects.create(plan=plan, position=1, text="Utredningsplan finns")
    rnd = services.start_round(plan, ku, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=3)
    answers = {"C1": "ja", "C4": "nej", "C2": "ja", "C3": "ej_aktuellt"}
    for s in rnd.sampled.select_related("case"):
        services.answer_item(s, item, answers[s.case.ext_id], "", ku)
    services.answer_item(rnd.sampled.get(case__ext_id="C4"), item, "ja", "rättat", ku)  # a changed answer
    [res] = services.round_results(rnd)
    assert res["groups"]["barn_och_unga"] == {"ja": 2, "nej": 0, "ej_aktuellt": 0, "share": 100}
    assert res["groups"]["vuxna"]["share"] is None
    assert res["total"] == {"ja": 3, "nej": 0, "ej_aktuellt": 1, "share": 100}
    assert rnd.history().filter(action="kontrollfråga besvarad").count() == 5
