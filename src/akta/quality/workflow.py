"""The workflows of deviations, lex Sarah and complaints: which step may follow which.

A step names the status it leads to, the date that records it and the fields it requires.
`next_steps(obj)` answers what may be done now; `take_step` refuses a skipped step, a missing
field or a date before the previous step's (the date chain in akta.quality.services).
"""
from dataclasses import dataclass, field

from akta.cases.schema import parse_date
from akta.quality import services
from akta.quality.models import (
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Deviation,
    DeviationStatus,
    LexSarah,
    LexSarahStatus,
)


@dataclass(frozen=True)
class Step:
    to: str
    label: str
    date_field: str
    required: tuple = ()
    optional: tuple = ()
    choices: dict = field(default_factory=dict)

    @property
    def fields(self):
        return (self.date_field, *self.required, *self.optional)


DEVIATION_STEPS = {
    DeviationStatus.RAPPORTERAD: [Step(DeviationStatus.UTREDD, "Registrera utredning", "investigated_on",
                                       ("analysis", "cause"), ("owner",))],
    DeviationStatus.UTREDD: [Step(DeviationStatus.ATGARDER, "Besluta åtgärder", "actions_decided_on",
                                  ("actions_summary",))],
    DeviationStatus.ATGARDER: [Step(DeviationStatus.ATERKOPPLAD, "Återkoppla till rapportören", "feedback_on",
                                    ("feedback",))],
    DeviationStatus.ATERKOPPLAD: [Step(DeviationStatus.AVSLUTAD, "Avsluta avvikelsen", "closed_on")],
}

LEX_SARAH_STEPS = {
    LexSarahStatus.RAPPORTERAD: [Step(LexSarahStatus.AVHJALPT, "Registrera omedelbara åtgärder", "remedied_on",
                                      ("remedy",), ("owner",))],
    LexSarahStatus.AVHJALPT: [Step(LexSarahStatus.UTREDS, "Inled utredning", "investigation_started_on",
                                   (), ("investigation",))],
    LexSarahStatus.UTREDS: [Step(LexSarahStatus.BEDOMD, "Registrera bedömning", "assessed_on",
                                 ("investigation", "assessment", "assessment_reasoning"))],
    LexSarahStatus.BEDOMD: [
        Step(LexSarahStatus.ANMALD, "Registrera anmälan till IVO", "notified_on", (), ("ivo_reference",)),
        Step(LexSarahStatus.AVSLUTAD, "Avsluta lex Sarah-ärendet", "closed_on"),
    ],
    LexSarahStatus.ANMALD: [Step(LexSarahStatus.IVO_BESLUT, "Registrera IVO:s beslut", "ivo_decision_on",
                                 ("ivo_decision",), ("ivo_reference",))],
    LexSarahStatus.IVO_BESLUT: [Step(LexSarahStatus.AVSLUTAD, "Avsluta lex Sarah-ärendet", "closed_on")],
}

COMPLAINT_STEPS = {
    ComplaintStatus.MOTTAGEN: [
        Step(ComplaintStatus.BESVARAD, "Registrera svar", "response_on", ("response",), ("owner",)),
        Step(ComplaintStatus.AVSLUTAD, "Avsluta (beröm, inget svar behövs)", "closed_on"),
    ],
    ComplaintStatus.BESVARAD: [Step(ComplaintStatus.AVSLUTAD, "Avsluta", "closed_on")],
}

WORKFLOWS = {Deviation: DEVIATION_STEPS, LexSarah: LEX_SARAH_STEPS, Complaint: COMPLAINT_STEPS}


def _allowed(obj, step):
    """Conditional steps: lex Sarah after the assessment, complaints without an answer."""
    if isinstance(obj, LexSarah) and obj.status == LexSarahStatus.BEDOMD:
        if step.to == LexSarahStatus.ANMALD:
            return obj.requires_notification
        if step.to == LexSarahStatus.AVSLUTAD:
            return not obj.requires_notification
    if isinstance(obj, Complaint) and obj.status == ComplaintStatus.MOTTAGEN and step.to == ComplaintStatus.AVSLUTAD:
        return obj.kind == ComplaintKind.BEROM
    return True


def next_steps(obj):
    return [s for s in WORKFLOWS[type(obj)].get(obj.status, []) if _allowed(obj, s)]


def take_step(obj, to, data, user, expected_version):
    """Move `obj` to status `to` with the step's fields from `data` (strings or values)."""
    steps = {s.to: s for s in next_steps(obj)}
    status_labels = dict(type(obj)._meta.get_field("status").choices)
    if to not in steps:
        possible = ", ".join(str(status_labels[s]).lower() for s in steps) or "inget (ärendet är avslutat)"
        raise services.QualityError({"status": (
            f"Steget till \"{status_labels.get(to, to)}\" kan inte tas från status "
            f"\"{status_labels[obj.status]}\"; nästa möjliga steg: {possible}.")})
    step = steps[to]
    model = type(obj)
    errors = {}
    values = {}
    raw = data.get(step.date_field)
    if raw in (None, ""):
        errors[step.date_field] = f"{services._label(model, step.date_field)}: saknas"
    else:
        try:
            values[step.date_field] = parse_date(raw)
        except ValueError as e:
            errors[step.date_field] = f"{services._label(model, step.date_field)}: {e}"
    for name in step.required + step.optional:
        value = data.get(name)
        f = model._meta.get_field(name)
        if f.is_relation:
            if value in (None, ""):
                if name in step.required:
                    errors[name] = f"{services._label(model, name)}: saknas"
                continue
            values[name] = value
            continue
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if name in step.required and not value:
            errors[name] = f"{services._label(model, name)}: saknas"
            continue
        if f.choices and value and value not in dict(f.choices):
            errors[name] = f"{services._label(model, name)}: okänt värde {value!r}"
            continue
        if value:
            values[name] = value
    if errors:
        raise services.QualityError(errors)
    values["status"] = to
    return services.update(obj, user, expected_version, values, action=f"steg: {step.label}")

