"""Representations of persons, cases and events in the API.

Field names follow the exchange format (exchange-v1 §2): objects are named by their exchange id
(`id`), references by the referred object's exchange id (`person_id`, `beslut_id`, …).

A person with protected identity is masked for a user without `may_view_protected`: the
personnummer and the birth date are null, the sex is "okänt" and the name is
"Skyddad identitet". Every serializer that shows a person goes through `PersonSerializer`.
"""
import json
from decimal import Decimal

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from akta.access.models import Area, Unit
from akta.access.services import PROTECTED_LABEL, case_person_name, may_see_identity, visible_text
from akta.cases.models import Case, Event, EventType, Person, Sex
from akta.cases.schema import AKTUALISERING_KINDS, FIELDS, LEGAL_BASIS_EXAMPLES, TEXT_LIMITS

from .fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictFloatField,
    StrictIntegerField,
)

MAX_VERSION = 2**31 - 1
STATUS_CHOICES = [("open", "Öppet"), ("closed", "Avslutat")]


def max_length(model, name):
    return model._meta.get_field(name).max_length


# --- persons -------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A person, masked when protected and the user lacks the right (context["user"])."""

    id = serializers.CharField(source="ext_id", help_text="Personens id (exchange-v1).")
    personnummer = serializers.CharField(allow_null=True, help_text="Null om okänt eller skyddat.")
    birth_date = serializers.DateField(allow_null=True, help_text="Null om skyddat.")
    sex = serializers.ChoiceField(choices=Sex.choices)
    protected_identity = serializers.BooleanField()
    name = serializers.CharField(allow_blank=True)

    def to_representation(self, person):
        user = self.context.get("user")
        if may_see_identity(user, person):
            # The name as registered in the case shown (context["case"]), or as the user knows
            # the person (access.services.person_name_for): never a name only other units gave.
            case = self.context.get("person_case")
            name = case_person_name(case) if case is not None else self.context.get("person_name", person.name)
            return {
                "id": person.ext_id,
                "personnummer": person.personnummer,
                "birth_date": person.birth_date.isoformat() if person.birth_date else None,
                "sex": person.sex,
                "protected_identity": person.protected_identity,
                "name": name,
            }
        return {
            "id": person.ext_id,
            "personnummer": None,
            "birth_date": None,
            "sex": Sex.OKANT.value,
            "protected_identity": True,
            "name": PROTECTED_LABEL,
        }


class PersonDetailSerializer(PersonSerializer):
    cases = serializers.ListField(child=serializers.CharField(), help_text="Id för personens ärenden som du har åtkomst till.")

    def to_representation(self, person):
        data = super().to_representation(person)
        data["cases"] = list(self.context.get("case_ids", []))
        return data


# --- cases ---------------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    """A case as listed; `status` and `version` come from the view."""

    id = serializers.CharField(source="ext_id")
    person = PersonSerializer()
    area = serializers.ChoiceField(choices=Area.choices)
    case_type = serializers.CharField(allow_blank=True)
    opened = serializers.DateField()
    unit = serializers.CharField(source="unit.code", help_text="Enhetens kod.")
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    version = serializers.IntegerField(help_text="Ärendets version; skickas med vid registrering (optimistisk låsning).")

    def to_representation(self, case):
        return {
            "id": case.ext_id,
            "person": PersonSerializer(case.person, context={**self.context, "person_case": case}).data,
            "area": case.area,
            "case_type": case.case_type,
            "opened": case.opened.isoformat(),
            "unit": case.unit.code,
            "status": "open" if case.api_is_open else "closed",
            "version": case.version,
        }


class PendingAssessmentSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Aktualiseringens id.")
    date = serializers.DateField()
    kind = serializers.CharField()


class InvestigationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Utredningens id (händelsen utredning_inledd).")
    date = serializers.DateField()


class DecisionStateSerializer(serializers.Serializer):
    beslut_id = serializers.CharField()
    date = serializers.DateField(help_text="Beslutsdatum.")
    legal_basis = serializers.CharField()
    intervention = serializers.CharField()
    outcome = serializers.CharField()
    implemented_on = serializers.DateField(allow_null=True)
    interrupted_on = serializers.DateField(allow_null=True)


class CaseStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    opened = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    moved_on = serializers.DateField(allow_null=True)
    pending_assessments = PendingAssessmentSerializer(many=True, help_text="Aktualiseringar utan förhandsbedömning.")
    open_investigations = InvestigationSerializer(many=True)
    awaiting_implementation = DecisionStateSerializer(many=True, help_text="Gynnande beslut som inte verkställts.")
    interrupted = DecisionStateSerializer(many=True, help_text="Insatser vars verkställighet är avbruten.")
    active_interventions = DecisionStateSerializer(many=True)


class CaseDetailSerializer(CaseSerializer):
    state = CaseStateSerializer()

    def to_representation(self, case):
        data = super().to_representation(case)
        data["state"] = self.context["state"]
        return data


def state_representation(case, st, ext):
    """The derived state (akta.cases.derived.state.CaseState) with exchange ids; `ext` maps pk -> ext id."""

    def iso(d):
        return d.isoformat() if d else None

    def decision(d):
        b = d.beslut
        return {
            "beslut_id": ext[b.effective_id],
            "date": b.date.isoformat(),
            "legal_basis": b.legal_basis,
            "intervention": b.intervention,
            "outcome": b.outcome,
            "implemented_on": iso(d.implemented),
            "interrupted_on": iso(d.interrupted),
        }

    return {
        "status": "open" if st.is_open else "closed",
        "opened": case.opened.isoformat(),
        "closed_on": iso(st.closed_on),
        "moved_on": iso(st.moved_on),
        "pending_assessments": [
            {"id": ext[e.effective_id], "date": e.date.isoformat(), "kind": e.kind} for e in st.pending_assessments
        ],
        "open_investigations": [{"id": ext[e.effective_id], "date": e.date.isoformat()} for e in st.open_investigations],
        "awaiting_implementation": [decision(d) for d in st.awaiting_implementation],
        "interrupted": [decision(d) for d in st.interrupted],
        "active_interventions": [decision(d) for d in st.active_interventions],
    }


# --- events --------------------------------------------------------------------------------

TYPE_FIELDS = {f.name: f for fs in FIELDS.values() for f in fs}


def _json_value(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


class EventSerializer(serializers.Serializer):
    """An event of the effective timeline, as an exchange-v1 record.

    Only the fields of the event's type are present (exchange-v1 §2); references are ids.
    A correction in force carries its own `id` and `corrects` = the id of the corrected event,
    which other events refer to.
    """

    id = serializers.CharField()
    case_id = serializers.CharField()
    type = serializers.ChoiceField(choices=EventType.choices)
    date = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    corrects = serializers.CharField(allow_null=True, help_text="Id för händelsen som den här rättelsen ersätter.")
    # Type fields (present only for the types that have them).
    kind = serializers.CharField(required=False, allow_null=True)
    reporter = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False, allow_null=True)
    aktualisering_id = serializers.CharField(required=False, allow_null=True)
    utredning_id = serializers.CharField(required=False, allow_null=True)
    beslut_id = serializers.CharField(required=False, allow_null=True)
    outcome = serializers.CharField(required=False, allow_null=True)
    legal_basis = serializers.CharField(required=False, allow_null=True)
    intervention = serializers.CharField(required=False, allow_null=True)
    amount_sek = serializers.FloatField(required=False, allow_null=True)
    until = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    accepted = serializers.BooleanField(required=False, allow_null=True)

    def to_representation(self, event):
        ext = self.context["ext"]
        rec = {
            "id": event.ext_id,
            "case_id": self.context["case"].ext_id,
            "type": event.type,
            "date": event.date.isoformat(),
        }
        for fdef in FIELDS[event.type]:
            if fdef.kind == "ref":
                rec[fdef.name] = ext.get(getattr(event, fdef.column + "_id"))
            else:
                value = _json_value(getattr(event, fdef.column))
                if fdef.kind == "text":
                    value = visible_text(self.context["request"].user, self.context["case"].person, value)
                rec[fdef.name] = value
        rec["recorded_at"] = event.recorded_at.isoformat()
        rec["corrects"] = ext.get(event.corrects_id)
        return rec


class RecordedEventSerializer(EventSerializer):
    case_version = serializers.IntegerField(help_text="Ärendets nya version.")

    def to_representation(self, event):
        data = super().to_representation(event)
        data["case_version"] = self.context["case"].version
        return data


# Request bodies for POST /api/cases/{id}/events/: one serializer per event type, declared from
# akta.cases.schema.FIELDS. They document the request in the OpenAPI schema and check its shape
# (akta.cases.api.views.check_event_request: types, lengths, value sets, strictly, so that what
# is documented is what is accepted); the domain rules stay with akta.cases.services.record_event.

STR_MAX = {"reason": max_length(Event, "reason"), "reporter": max_length(Event, "reporter")}
AMOUNT_MAX = 9_999_999_999.99


def _type_field(etype):
    # Wrapped in allOf so that drf-spectacular's enum post-processing leaves these one-value
    # discriminators inline instead of making fifteen "TypeEnum" components.
    @extend_schema_field({"allOf": [{"type": "string", "enum": [etype.value]}], "description": etype.label})
    class TypeField(StrictCharField):
        pass

    return TypeField(label="Händelsetyp")


@extend_schema_field({"type": "string", "enum": LEGAL_BASIS_EXAMPLES})
class LegalBasisField(StrictCharField):
    """One of the legal_basis codes of exchange-v1 §2 (the same set as schema.LEGAL_BASIS_RE)."""

    default_error_messages = {"unknown": "Okänt lagrum {input}."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in LEGAL_BASIS_EXAMPLES:
            self.fail("unknown", input=json.dumps(value, ensure_ascii=False))
        return value


class AmountField(StrictFloatField):
    """Kronor with at most two decimals (the column is numeric(12, 2): nothing is rounded away)."""

    default_error_messages = {"decimals": "Högst två decimaler."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if Decimal(str(data)).as_tuple().exponent < -2:
            self.fail("decimals")
        return value


def _request_field(fdef):
    kind = fdef.kind
    opt = {"required": fdef.required, "label": fdef.label or fdef.name, "help_text": fdef.label or fdef.name}
    if not fdef.required:
        opt["allow_null"] = True
    if kind == "enum":
        return StrictChoiceField(choices=list(fdef.choices.items()), **opt)
    if kind == "legal_basis":
        return LegalBasisField(**opt)
    if kind in ("str", "text"):
        return StrictCharField(max_length=STR_MAX.get(fdef.name, TEXT_LIMITS.get(fdef.column, 500)), allow_blank=True, **opt)
    if kind == "codes":
        return serializers.ListField(child=StrictCharField(max_length=100), **opt)
    if kind == "bool":
        return StrictBooleanField(**opt)
    if kind == "date":
        return StrictDateField(**opt)
    if kind == "amount":
        opt["help_text"] = f"{opt['label']}, högst två decimaler"
        return AmountField(min_value=0, max_value=AMOUNT_MAX, **opt)
    if kind == "ref":
        opt["help_text"] = f"{opt['label']}: id för en händelse i ärendet"
        return StrictCharField(max_length=max_length(Event, "ext_id"), **opt)
    raise ValueError(kind)


def _event_request_serializer(etype):
    attrs = {
        "type": _type_field(etype),
        "date": StrictDateField(label="Datum", help_text="Händelsens datum."),
        "version": StrictIntegerField(
            min_value=1, max_value=MAX_VERSION, label="Version",
            help_text="Ärendets version när du läste det (optimistisk låsning).",
        ),
    }
    for fdef in FIELDS[etype]:
        attrs[fdef.name] = _request_field(fdef)
    name = "".join(part.capitalize() for part in etype.value.split("_")) + "Event"
    attrs["__doc__"] = f"{etype.label}."
    return type(name, (serializers.Serializer,), attrs)


EVENT_REQUEST_SERIALIZERS = {etype.value: _event_request_serializer(etype) for etype in FIELDS}

EventRequestSerializer = PolymorphicProxySerializer(
    component_name="NewEvent",
    serializers=EVENT_REQUEST_SERIALIZERS,
    resource_type_field_name="type",
)


# --- opening a case ------------------------------------------------------------------------


class CaseCreateSerializer(serializers.Serializer):
    """Register an aktualisering as a new case.

    The person is given either by `person_id` (a person in one of your cases) or by
    `personnummer` (found or registered), or, for a person without personnummer, by
    `birth_date` (and optionally `sex`, `name`).
    """

    person_id = StrictCharField(required=False, max_length=max_length(Person, "ext_id"), label="Person",
                                help_text="Id för en person i något av dina ärenden.")
    personnummer = StrictCharField(required=False, max_length=13, label="Personnummer",
                                   help_text="ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN.")
    birth_date = StrictDateField(required=False, label="Födelsedatum", help_text="För en person utan personnummer.")
    sex = StrictChoiceField(choices=Sex.choices, required=False, label="Kön")
    name = StrictCharField(required=False, allow_blank=True, max_length=max_length(Person, "name"), label="Namn")
    protected_identity = StrictBooleanField(required=False, default=False, label="Skyddad identitet")
    area = StrictChoiceField(choices=Area.choices, label="Område")
    unit = StrictCharField(max_length=max_length(Unit, "code"), label="Enhet", help_text="Koden för en av dina enheter.")
    case_type = StrictCharField(required=False, allow_blank=True, max_length=max_length(Case, "case_type"), label="Ärendetyp")
    date = StrictDateField(label="Datum", help_text="Datum då aktualiseringen kom in.")
    kind = StrictChoiceField(choices=list(AKTUALISERING_KINDS.items()), label="Slag")
    reporter = StrictCharField(required=False, allow_blank=True, max_length=max_length(Event, "reporter"), label="Anmälare/sökande")

    def validate(self, attrs):
        given = [k for k in ("person_id", "personnummer", "birth_date") if attrs.get(k)]
        if "person_id" in given and len(given) > 1:
            raise serializers.ValidationError({"person_id": ["Person: ange antingen person_id eller personnummer/födelsedatum, inte båda"]})
        if not given:
            raise serializers.ValidationError({"personnummer": ["Personnummer: ange person_id, personnummer eller födelsedatum"]})
        return attrs


# --- errors (for the schema) ---------------------------------------------------------------


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Fältnamn → lista av felmeddelanden (svenska).",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
