"""Writing to the case history from the web and the API.

Each write checks the same field rules as the importer (akta.cases.schema), the same
reference and order rules, holds an optimistic lock on the case (`expected_version`), appends
one event and logs the write. Errors name the field in Swedish.
"""
import uuid
from datetime import date

from django.db import transaction
from django.db.models import F as DbF
from django.utils import timezone

from akta.access.models import Area, Unit
from akta.access.services import CASE_NAME_KEY, may_write_case, visible_cases
from akta.audit.services import log_write
from akta.cases.models import Case, Event, EventType, Person, Sex
from akta.cases.schema import FIELDS, check_personnummer, parse_date, validate_field
from akta.cases.derived.assignment import assignment
from akta.cases.derived.events import effective_events
from akta.cases.derived.state import case_state


class ValidationFailed(Exception):
    """`errors` maps a field name to a Swedish message that names the field."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Conflict(Exception):
    message = "Ärendet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och försök igen; inget har sparats."


class Forbidden(Exception):
    pass


def new_ext_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:16]}"  # 64 random bits


def _label(fdef):
    return fdef.label or fdef.name


def _msg(label, msg):
    return f"{label}{msg}" if msg.startswith(":") else f"{label} {msg}"


def check_event(case, etype, data):
    """Validate one event for `case`. Returns the model keyword arguments or raises ValidationFailed."""
    errors = {}
    if not isinstance(etype, str) or etype not in FIELDS:
        raise ValidationFailed({"type": f"Händelsetyp: okänd typ {etype!r}"})
    rec = {"refs": []}
    try:
        when = parse_date(data.get("date"))
    except ValueError as e:
        errors["date"] = f"Datum: {e}"
        when = None
    if when and when < case.opened:
        errors["date"] = f"Datum: {when} är före ärendets öppnande {case.opened}"
    if when and when > timezone.localdate():
        errors["date"] = f"Datum: {when} ligger i framtiden"
    for fdef in FIELDS[etype]:
        value = data.get(fdef.name)
        if value == "" and fdef.kind not in ("str", "text"):
            value = None
        msg = validate_field(fdef, value, rec)
        if msg:
            errors[fdef.name] = _msg(_label(fdef), msg)
    kwargs = {f.column: rec.get(f.column) for f in FIELDS[etype] if f.kind != "ref"}
    events = list(case.events.all())
    by_ext = {e.ext_id: e for e in events}
    for fdef, target in rec["refs"]:
        ev = by_ext.get(target)
        if ev is None or ev.type != fdef.ref_type:
            errors[fdef.name] = f"{_label(fdef)}: det finns ingen sådan händelse i ärendet"
        elif when and ev.date > when:
            errors[fdef.name] = f"{_label(fdef)}: är daterad {ev.date}, efter den här händelsen ({when})"
        else:
            kwargs[fdef.column] = ev
    if etype == EventType.UTREDNING_FORLANGD and kwargs.get("until") and when and kwargs["until"] <= when:
        errors["until"] = f"Förlängd till: måste vara efter {when}"
    if not errors:
        _check_order(etype, kwargs, events, errors)
    if errors:
        raise ValidationFailed(errors)
    kwargs["date"] = when
    return kwargs


def _check_order(etype, kwargs, events, errors):
    """The order rules of the importer, against the case's current state."""
    st = case_state(events)
    beslut = kwargs.get("beslut")
    if beslut is not None:
        pending = {d.beslut.effective_id for d in st.awaiting_implementation}
        interrupted = {d.beslut.effective_id for d in st.interrupted}
        active = {d.beslut.effective_id for d in st.active_interventions}
        if etype == EventType.VERKSTALLD and beslut.pk not in pending:
            errors["beslut_id"] = "Beslut: beslutet är redan verkställt, avslutat eller inte ett bifall"
        if etype == EventType.ATERUPPTAGEN and beslut.pk not in interrupted:
            errors["beslut_id"] = "Beslut: verkställigheten är inte avbruten"
        if etype == EventType.AVBROTT and beslut.pk not in active:
            errors["beslut_id"] = "Beslut: insatsen pågår inte (bara en verkställd insats kan avbrytas)"
        if etype == EventType.INSATS_AVSLUTAD and beslut.pk not in active | pending | interrupted:
            errors["beslut_id"] = "Beslut: insatsen är redan avslutad eller inte beviljad"
    utredning = kwargs.get("utredning")
    if utredning is not None and etype in (EventType.UTREDNING_AVSLUTAD, EventType.UTREDNING_FORLANGD):
        if utredning.pk not in {e.effective_id for e in st.open_investigations}:
            errors["utredning_id"] = "Utredning: utredningen är redan avslutad"
    if etype == EventType.ARENDE_AVSLUTAT and st.closed_on:
        errors["date"] = f"Datum: ärendet avslutades redan {st.closed_on}"


def record_event(user, case, etype, data, expected_version):
    """Append one event to `case` for `user`, or raise Forbidden, ValidationFailed or Conflict."""
    if not may_write_case(user, case):
        raise Forbidden()
    kwargs = check_event(case, etype, data)
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, version=expected_version).update(version=DbF("version") + 1)
        if not updated:
            raise Conflict()
        event = Event.objects.create(
            ext_id=new_ext_id("E"), case=case, type=etype, recorded_at=timezone.now(), recorded_by=user, **kwargs
        )
        log_write(user, "event", event.ext_id, person=case.person, context=f"registrerade {event.get_type_display().lower()} i ärende {case.ext_id}")
        if etype == EventType.TILLDELAD:
            _link_caseworker(case)
    case.version = expected_version + 1
    return event


def _link_caseworker(case):
    """``Case.caseworker``: the Akta user the case is assigned to now (derived.assignment), kept
    for the lists "Mina ärenden" and the caseworker's worklist."""
    from akta.access.models import User

    worker, _ = assignment(case, effective_events(list(case.events.all())))
    case.caseworker = User.objects.filter(username=worker).first() if worker else None
    Case.objects.filter(pk=case.pk).update(caseworker=case.caseworker)


def _lock_personnummer(key):
    """Serialise registrations of the same personnummer until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on the twelve digits, so two registrations of
    a new personnummer at the same moment cannot both create a person. SQLite writes one
    transaction at a time, so its write lock does the same.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key)])


class PersonMatch:
    """The person a registration is for, and what the registering user may be told about it.

    `known` is true only when the user already sees a case of the person (then "the person was
    already in Akta" tells them nothing new). A person matched in other units only is
    `known = False`: the user is told exactly what a new person would give. `name` is the name
    the new case shows (the one typed, for a person matched elsewhere).
    """

    def __init__(self, person, *, created, known, name=None):
        self.person, self.created, self.known, self.name = person, created, known, name

    def __iter__(self):  # (person, created), as before
        return iter((self.person, self.created))


def find_or_create_person(user, *, personnummer=None, birth_date=None, sex=None, name="", protected_identity=False):
    """Look up a person by personnummer, or register a new one. Validates like the importer.

    Must run inside the caller's transaction (the case is opened in the same one): the person is
    matched under a lock on the personnummer, so one personnummer is one person.

    A person known in two units stays one person (one row, one `pnr_key`: statistics, deadlines
    and a user with access to both units see one person), but neither caseworker is told about the
    other unit: a match the user cannot see (no case in their units) answers exactly like a new
    person — no stored name, no "already in Akta", no case count. Only the protected-identity flag
    crosses, in both directions, because whoever handles a case must know it: a protected person
    makes the new case protected, and a registration that says "protected" protects the person.
    Returns a PersonMatch (iterable as (person, created)).
    """
    errors = {}
    key = born = derived_sex = None
    if personnummer:
        try:
            born, derived_sex, key = check_personnummer(personnummer.strip())
        except ValueError as e:
            errors["personnummer"] = f"Personnummer: {e}"
    elif not birth_date:
        errors["personnummer"] = "Personnummer: ange personnummer eller födelsedatum"
    if birth_date and not born:
        try:
            born = parse_date(birth_date)
        except ValueError as e:
            errors["birth_date"] = f"Födelsedatum: {e}"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        if key:
            _lock_personnummer(key)
            existing = Person.objects.filter(pnr_key=key).order_by("pk").first()
            if existing:
                visible = list(visible_cases(user, Case.objects.all()).filter(person=existing).only("extra").order_by("opened", "pk"))
                # The stored name may be shown only to a user who already sees a case that shows it;
                # a user whose cases of the person all keep their own name gets that name again.
                sees_stored = any(CASE_NAME_KEY not in (c.extra or {}) for c in visible)
                earlier = next((c.extra[CASE_NAME_KEY] for c in visible if (c.extra or {}).get(CASE_NAME_KEY)), "")
                if protected_identity and not existing.protected_identity:
                    Person.objects.filter(pk=existing.pk).update(protected_identity=True)
                    existing.protected_identity = True
                    log_write(user, "person", existing.ext_id, person=existing, context="markerade skyddad identitet")
                return PersonMatch(existing, created=False, known=bool(visible),
                                   name=None if sees_stored else (name or earlier))
        person = Person.objects.create(
            ext_id=new_ext_id("P"), personnummer=personnummer.strip() if personnummer else None, pnr_key=key,
            birth_date=born, sex=derived_sex or sex or Sex.OKANT, name=name, protected_identity=protected_identity,
        )
        log_write(user, "person", person.ext_id, person=person, context="registrerade person")
    return PersonMatch(person, created=True, known=True)


def open_case_with_aktualisering(user, person, *, area, unit, date_received, kind, reporter="", case_type="",
                                 person_name=None):
    """Register an aktualisering (anmälan, ansökan, …) as a new case of `unit`.

    `person_name` (from a PersonMatch of a person known only elsewhere) is kept with the case, so
    the case shows the name given here, not the one stored by other units.
    """
    errors = {}
    if area not in Area.values:
        errors["area"] = "Område: välj ett område"
    if not isinstance(unit, Unit) or not user.units.filter(pk=unit.pk).exists() or not user.may_write_cases:
        errors["unit"] = "Enhet: du kan bara registrera ärenden i dina egna enheter"
    try:
        received = parse_date(date_received)
    except ValueError as e:
        errors["date"] = f"Datum: {e}"
        received = None
    if received and received > date.today():
        errors["date"] = f"Datum: {received} ligger i framtiden"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        extra = {CASE_NAME_KEY: person_name} if person_name is not None else {}
        case = Case.objects.create(ext_id=new_ext_id("C"), person=person, area=area, unit=unit, opened=received,
                                   case_type=case_type, extra=extra)
        log_write(user, "case", case.ext_id, person=person, context="öppnade ärende")
        record_event(user, case, EventType.AKTUALISERING, {"date": received.isoformat(), "kind": kind, "reporter": reporter or None}, case.version)
    return case
