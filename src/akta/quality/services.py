"""Writing to the quality registers: create, update with an optimistic lock, history.

Every change of a register row goes through `create` or `update` here. `update` takes the
version the user saw; if the row has moved on, `Conflict` is raised and nothing is saved.
Each change appends one QualityHistory row with {field: [before, after]}, so nothing is
overwritten silently. Dates are checked for order (`check_dates`).
"""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from akta.audit.services import log_write
from akta.params import BadParameter, version_param
from akta.quality.models import Complaint, Deviation, LexSarah, QualityHistory


class Conflict(Exception):
    message = ("Posten har ändrats av någon annan sedan du öppnade den. Ladda om sidan och "
               "försök igen; inget har sparats.")

    def __str__(self):
        return self.message


class QualityError(Exception):
    """A refused change. `errors` maps field names to Swedish messages."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = {"__all__": errors}
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# The order in which the dates of a register row must follow each other.
DATE_CHAINS = {
    Deviation: ["event_date", "reported_on", "investigated_on", "actions_decided_on", "feedback_on", "closed_on"],
    LexSarah: ["event_date", "reported_on", "remedied_on", "investigation_started_on", "assessed_on",
               "notified_on", "ivo_decision_on", "closed_on"],
    Complaint: ["received_on", "response_on", "closed_on"],
}


def _label(model, name):
    return str(capfirst(model._meta.get_field(name).verbose_name))


def check_dates(obj, today=None):
    """Dates not in the future and each step on or after the one before."""
    today = today or timezone.localdate()
    chain = DATE_CHAINS.get(type(obj))
    errors = {}
    if not chain:
        return
    previous = None
    for name in chain:
        value = getattr(obj, name)
        if value is None:
            continue
        if value > today:
            errors[name] = f"{_label(type(obj), name)}: {value} ligger i framtiden"
        elif previous and value < getattr(obj, previous):
            errors[name] = (f"{_label(type(obj), name)}: {value} är före "
                            f"{_label(type(obj), previous).lower()} {getattr(obj, previous)}")
        previous = name
    if errors:
        raise QualityError(errors)


def _value(obj, field):
    value = getattr(obj, field.name)
    if value is None:
        return None
    if field.is_relation:
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, bool, str)):
        return value
    return str(value)


def _tracked_fields(obj):
    skip = {"id", "version", "created_at", "created_by", "updated_at", "culled_case_ref"}
    return [f for f in obj._meta.concrete_fields if f.name not in skip]


def snapshot(obj):
    return {f.name: _value(obj, f) for f in _tracked_fields(obj)}


def record(obj, user, action, change, version=None):
    return QualityHistory.objects.create(
        entity=obj.ENTITY, entity_id=obj.pk, user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "system", action=action,
        version=obj.version if version is None else version, change=change,
    )


def _log_person(obj, user):
    person = getattr(obj, "person", None)
    if person is not None and getattr(user, "pk", None):
        log_write(user, obj.ENTITY, obj.number, person=person, context="kvalitet")


def _number_date(obj):
    for name in ("reported_on", "received_on", "identified_on", "period_end", "decided_on"):
        value = getattr(obj, name, None)
        if value:
            return value
    year = getattr(obj, "year", None)
    if year:
        return dt.date(year, 1, 1)
    rnd = getattr(obj, "round", None)
    if rnd is not None:
        return rnd.period_end
    if getattr(obj, "due_date", None):
        return obj.due_date
    plan = getattr(obj, "plan", None)
    if plan is not None and getattr(plan, "year", None):
        return dt.date(plan.year, 1, 1)
    return timezone.localdate()


def _assign_number(obj):
    year = _number_date(obj).year
    prefix = f"{obj.NUMBER_PREFIX}-{year}-"
    existing = type(obj).objects.filter(number__startswith=prefix).values_list("number", flat=True)
    used = [int(n.rsplit("-", 1)[1]) for n in existing if n.rsplit("-", 1)[1].isdigit()]
    obj.number = f"{prefix}{(max(used) + 1 if used else 1):04d}"


def create(model, user, **fields):
    """Create one register row, numbered, date-checked and recorded in the history."""
    m2m = {k: fields.pop(k) for k in list(fields) if isinstance(model._meta.get_field(k), models.ManyToManyField)}
    obj = model(**fields)
    obj.created_by = user if getattr(user, "pk", None) else None
    check_dates(obj)
    _full_clean(obj)
    for attempt in range(5):
        try:
            with transaction.atomic():
                if hasattr(obj, "number") and obj.NUMBER_PREFIX:
                    _assign_number(obj)
                obj.save()
                for name, values in m2m.items():
                    getattr(obj, name).set(values)
                change = {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "")}
                for name, values in m2m.items():
                    change[name] = [[], sorted(str(v) for v in getattr(obj, name).all())]
                record(obj, user, "skapad", change)
                _log_person(obj, user)
            return obj
        except IntegrityError:
            if attempt == 4:
                raise
            obj.pk = None
            obj._state.adding = True
    return obj


def _full_clean(obj):
    exclude = ["number", "created_by", "version"]
    try:
        obj.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as e:
        raise QualityError({k: (f"{_label(type(obj), k)}: " if k != "__all__" else "") + "; ".join(v)
                            for k, v in e.message_dict.items()}) from None


def update(obj, user, expected_version, fields, action="ändrad", m2m=None):
    """Change `fields` of `obj` if its version is still `expected_version`.

    Raises Conflict if someone else saved in between, QualityError if dates or values are
    invalid. Returns the saved object (version incremented) and records the change.
    """
    model = type(obj)
    m2m = m2m or {}
    try:
        expected_version = version_param(expected_version)
    except BadParameter as e:
        raise QualityError({"version": e.message}) from None
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if expected_version != current.version:
            raise Conflict()
        before = snapshot(current)
        m2m_before = {k: sorted(str(v) for v in getattr(current, k).all()) for k in m2m}
        for name, value in fields.items():
            setattr(current, name, value)
        check_dates(current)
        _full_clean(current)
        after = snapshot(current)
        change = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        for name, values in m2m.items():
            getattr(current, name).set(values)
            new = sorted(str(v) for v in getattr(current, name).all())
            if new != m2m_before[name]:
                change[name] = [m2m_before[name], new]
        if not change:
            return current
        # The conditional update is the lock on databases without row locks (SQLite).
        updated = model.objects.filter(pk=current.pk, version=current.version).update(version=current.version + 1)
        if updated != 1:
            raise Conflict()
        current.version += 1
        current.save()
        record(current, user, action, change)
        _log_person(current, user)
    return current


# --- Egenkontroll ---------------------------------------------------------------------------


def start_round(plan, user, period_start, period_end, seed=None):
    """Create an egenkontroll of `plan` and draw its stratified sample with a recorded seed."""
    from akta.quality import sampling
    from akta.quality.models import SampledCase, SelfInspectionRound

    if period_end < period_start:
        raise QualityError({"period_end": "Period till: är före period från"})
    if period_end > timezone.localdate():
        raise QualityError({"period_end": "Period till: ligger i framtiden"})
    seed = sampling.new_seed() if seed in (None, "") else int(seed)
    with transaction.atomic():
        rnd = create(SelfInspectionRound, user, plan=plan, period_start=period_start, period_end=period_end,
                     seed=seed, sample_per_group=plan.sample_per_group)
        drawn = sampling.draw(seed, period_start, period_end, plan.sample_per_group, recorded_by=rnd.created_at)
        rows = []
        for group, (picked, size) in drawn.items():
            rows += [SampledCase(round=rnd, case_id=pk, case_ref=ext, group=group, position=i)
                     for i, (ext, pk) in enumerate(picked, start=1)]
        SampledCase.objects.bulk_create(rows)
        rnd.population = {g: size for g, (_p, size) in drawn.items()}
        rnd.save(update_fields=["population"])
        record(rnd, user, "urval draget", {
            "seed": [None, seed],
            "urval": [None, {g: [ext for ext, _pk in picked] for g, (picked, _s) in drawn.items()}],
            "urvalsram": [None, rnd.population],
        })
    return rnd


def redraw(rnd):
    """The sample the round's seed gives now, for checking reproducibility."""
    from akta.quality import sampling

    drawn = sampling.draw(rnd.seed, rnd.period_start, rnd.period_end, rnd.sample_per_group,
                          recorded_by=rnd.created_at)
    return {g: [ext for ext, _pk in picked] for g, (picked, _s) in drawn.items()}


def answer_item(sampled, item, answer, comment, user):
    """Record (or change) the answer to one checklist item for one sampled file."""
    from akta.quality.models import Answer, CheckAnswer

    if answer not in Answer.values:
        raise QualityError({"answer": f"Svar: okänt värde {answer!r}"})
    if item.plan_id != sampled.round.plan_id:
        raise QualityError({"item": "Kontrollfrågan hör inte till egenkontrollens plan"})
    with transaction.atomic():
        existing = CheckAnswer.objects.filter(sampled=sampled, item=item).first()
        before = [existing.answer, existing.comment] if existing else None
        if existing:
            if [answer, comment] == before:
                return existing
            existing.answer, existing.comment, existing.answered_by = answer, comment, user
            existing.save()
        else:
            existing = CheckAnswer.objects.create(sampled=sampled, item=item, answer=answer, comment=comment,
                                                  answered_by=user)
        record(sampled.round, user, "kontrollfråga besvarad",
               {f"{sampled.case_ref}: {item.text}": [before, [answer, comment]]})
    return existing


def round_results(rnd):
    """Per checklist item and area group: counts of ja / nej / ej aktuellt and share ja.

    Aggregated in the database. Share = ja / (ja + nej), None when nothing was answered.
    """
    from django.db.models import Count

    from akta.quality.models import CheckAnswer

    rows = (CheckAnswer.objects.filter(sampled__round=rnd)
            .values("item_id", "sampled__group", "answer").annotate(n=Count("id")))
    counts = {}
    for r in rows:
        key = (r["item_id"], r["sampled__group"])
        counts.setdefault(key, {"ja": 0, "nej": 0, "ej_aktuellt": 0})[r["answer"]] = r["n"]
    result = []
    for item in rnd.plan.items.all():
        per_group = {}
        total = {"ja": 0, "nej": 0, "ej_aktuellt": 0}
        for group in ("barn_och_unga", "vuxna", "ekonomiskt_bistand"):
            c = counts.get((item.pk, group), {"ja": 0, "nej": 0, "ej_aktuellt": 0})
            per_group[group] = dict(c, share=share(c["ja"], c["ja"] + c["nej"]))
            for k in total:
                total[k] += c[k]
        total["share"] = share(total["ja"], total["ja"] + total["nej"])
        result.append({"item": item, "groups": per_group, "total": total})
    return result


def share(part, whole):
    return round(100 * part / whole) if whole else None
