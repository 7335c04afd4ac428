"""Web pages for cases: the case list, a person's file (personakt) and the registration forms.

Thin views: who may see what comes from akta.access.services, the state of a case from
akta.cases.derived, and every write goes through akta.cases.services, which validates, holds the
optimistic lock and logs the write. Opening a person's file is logged here (log_read), a search
with every person it shows (log_reads), and an attempt on a case outside the user's units as
denied (log_denied) behind the same 404 as a missing id.

Registering an aktualisering for a personnummer already in Akta in other units only tells the
user nothing about it (akta.cases.services.find_or_create_person): the answer is the same as for
a new person, and the new case shows the name given here.
"""
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from akta.access.services import (
    CASE_NAME_KEY,
    case_person_name,
    may_see_identity,
    may_write_case,
    person_label,
    unit_ids,
    visible_cases,
    visible_text,
)
from akta.audit.services import log_denied, log_read, log_reads
from akta.cases.forms import AktualiseringForm, CaseFilterForm, EventForm, ref_choice_label
from akta.cases.models import Case, Event, EventType, Person
from akta.cases.schema import FIELDS
from akta.cases.services import (
    Conflict,
    Forbidden,
    ValidationFailed,
    check_event,
    find_or_create_person,
    open_case_with_aktualisering,
    record_event,
)
from akta.cases.derived.events import effective_events, latest_corrections
from akta.cases.derived.state import case_state
from akta.cases import listing
from akta.cases.derived.status import filter_closed, mark_closed



def search_cases(qs, user, query):
    """Match personnummer (any part of the 12 digits), name or case id.

    A search never matches a protected person for a user without the explicit right, so the
    answer cannot reveal that such a person has a case here.

    On PostgreSQL the persons are matched first, through the trigram indexes of
    ``cases.0005_search_indexes``, and the cases by ``person_id = ANY(ARRAY(…))``: with every
    arm of the OR on an index, the planner takes the few matching cases from the indexes
    (BitmapOr) instead of joining every case of the units with every person (≈ 100 ms on
    ``large`` for one unit, twice, with the count) or walking the list's order until it has a
    page. The same rows as the join.
    """
    query = query.strip()
    if not query:
        return qs
    digits = re.sub(r"\D", "", query)
    # The name as the case shows it (access.services.case_person_name): a case that keeps the
    # name given at registration is not found by the name other units stored.
    by_name = (_person_matches(name__icontains=query) & ~Q(extra__has_key=CASE_NAME_KEY)) | Q(
        **{f"extra__{CASE_NAME_KEY}__icontains": query})
    cond = by_name | Q(ext_id=query)
    if len(digits) >= 6 and re.fullmatch(r"[\d\s+-]+", query):
        cond |= _person_matches(pnr_key__contains=digits)
    qs = qs.filter(cond)
    if not getattr(user, "may_view_protected", False):
        qs = qs.exclude(person__protected_identity=True)
    return qs


def _person_matches(**lookup):
    """Cases whose person matches ``lookup`` (a filter on Person)."""
    if connection.vendor != "postgresql":
        return Q(**{f"person__{k}": v for k, v in lookup.items()})
    sql, params = Person.objects.filter(**lookup).values("pk").query.sql_with_params()
    return Q(RawSQL(f'"cases_case"."person_id" = ANY(ARRAY({sql}))', params, output_field=BooleanField()))


@login_required
@require_safe
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = visible_cases(request.user, Case.objects.all()).select_related("person", "unit")
    if data.get("area"):
        qs = qs.filter(area=data["area"])
    if data.get("status"):
        qs = filter_closed(qs, data["status"] == "avslutat")
    query = data.get("q", "").strip()
    qs = search_cases(qs, request.user, query)
    page = listing.page(qs, after=listing.parse_key(request.GET, "efter"), before=listing.parse_key(request.GET, "fore"))
    page.object_list = mark_closed(page.object_list)
    if query:
        # A search is a read of every person it shows (and leaves a trace when it finds none).
        log_reads(request.user, "case", "sökning", [c.person for c in page.object_list],
                  context=f"sökning i ärendelistan ({len(query)} tecken)")
    rows = [
        {"case": c, "person": person_label(request.user, c.person, c), "masked": not may_see_identity(request.user, c.person)}
        for c in page.object_list
    ]
    # htmx asks for the table only; a history restore (back button, cache miss) needs the full page.
    htmx = (request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")
            and not request.headers.get("HX-History-Restore-Request"))
    params = request.GET.copy()
    params.pop("efter", None)
    params.pop("fore", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query_string": params.urlencode(),
        "works_with_cases": bool(unit_ids(request.user)),
        "may_register": request.user.may_write_cases and bool(unit_ids(request.user)),
        "htmx": htmx,
    }
    response = render(request, "cases/_case_results.html" if htmx else "cases/case_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_case_or_404(user, ext_id):
    """The same 404 whether the case does not exist or belongs to another unit.

    The attempt is logged (log_denied), with the person when the case exists, so loggkontroll
    sees who tried to open whose file; the user learns nothing from it."""
    if "\x00" in ext_id or len(ext_id) > 100:
        log_denied(user, "case", ext_id, context="personakt: ogiltigt id")
        raise Http404
    case = visible_cases(user, Case.objects.all()).select_related("person", "unit").filter(ext_id=ext_id).first()
    if case is None:
        other = Case.objects.select_related("person").filter(ext_id=ext_id).first()
        log_denied(user, "case", ext_id, person=other.person if other else None,
                   context="personakt: finns inte i dina enheter" if other else "personakt: finns inte")
        raise Http404
    return case


def _events(case):
    return list(case.events.select_related("recorded_by").order_by("date", "pk"))


def _format_value(f, value):
    if f.kind == "enum":
        return f.choices.get(value, value)
    if f.kind == "bool":
        return "Ja" if value else "Nej"
    if f.kind == "amount":
        whole, _, cents = f"{value:.2f}".partition(".")
        return f"{int(whole):,}".replace(",", "\u00a0") + f",{cents} kr"
    if f.kind == "codes":
        return ", ".join(value)
    if f.kind == "date":
        return value.isoformat()
    return str(value)


def event_details(event, by_pk, show_text=None):
    """(label, value) pairs of an event's type-specific fields, in Swedish; ``show_text(text)``
    gives what the reader may see of a free text (access.services.visible_text)."""
    rows = []
    for f in FIELDS.get(event.type, []):
        if f.kind == "ref":
            target = getattr(event, f"{f.column}_id")
            if target:
                ref = by_pk.get(target)
                rows.append((f.label or f.name, ref_choice_label(ref) if ref else "–"))
            continue
        value = getattr(event, f.column, None)
        if value is None or value == "" or value == []:
            continue
        if f.kind == "text" and show_text is not None:
            value = show_text(value)
        rows.append((f.label or f.name, _format_value(f, value)))
    return rows


def build_timeline(events, show_text=None):
    """Effective events in date order, with corrections marked and voided events kept visible."""
    effective = effective_events(events)
    by_pk = {e.pk: e for e in events if not e.corrects_id}
    by_pk.update({e.effective_id: e for e in effective})
    latest = latest_corrections(events)
    items = []
    for e in effective:
        original = getattr(e, "original", None) if e.corrects_id else None
        items.append({
            "event": e,
            "key": e.effective_id,
            "details": event_details(e, by_pk, show_text),
            "corrected_at": e.recorded_at if original else None,
            "original": original,
            "original_details": event_details(original, by_pk, show_text) if original else [],
            "voided": False,
        })
    originals = {e.pk: e for e in events if not e.corrects_id}
    for target, correction in latest.items():
        if correction.voided and target in originals:
            o = originals[target]
            items.append({
                "event": o, "key": o.pk, "details": event_details(o, by_pk, show_text), "corrected_at": None,
                "original": None, "original_details": [], "voided": True, "voided_at": correction.recorded_at,
            })
    items.sort(key=lambda i: (i["event"].date, i["key"]))
    return items


def event_menu(case):
    return [
        {"type": t, "label": EventType(t).label, "url": reverse("cases:event", args=[case.ext_id, t])}
        for t in FIELDS
    ]


@login_required
@require_safe
def case_detail(request, ext_id):
    user = request.user
    case = _visible_case_or_404(user, ext_id)
    log_read(user, "case", case.ext_id, person=case.person, context="personakt")
    events = _events(case)
    state = case_state(events)
    timeline = build_timeline(events, lambda text: visible_text(user, case.person, text))
    person_cases = mark_closed(visible_cases(user, Case.objects.all()).filter(person_id=case.person_id).select_related("unit")
                               .order_by("-opened", "-pk"))
    return render(request, "cases/case_detail.html", {
        "case": case,
        "person": case.person,
        "person_label": person_label(user, case.person, case),
        "person_name": case_person_name(case),
        "identity_visible": may_see_identity(user, case.person),
        "state": state,
        "timeline": timeline,
        "person_cases": person_cases,
        "may_write": may_write_case(user, case),
        "event_menu": event_menu(case),
    })


# Which decisions a form may refer to, by the rules record_event applies (akta.cases.services).
def _allowed_decisions(etype, st):
    pending = [d.beslut for d in st.awaiting_implementation]
    interrupted = [d.beslut for d in st.interrupted]
    active = [d.beslut for d in st.active_interventions]
    return {
        EventType.VERKSTALLD: pending,
        EventType.ATERUPPTAGEN: interrupted,
        EventType.AVBROTT: active,
        EventType.INSATS_AVSLUTAD: active + pending + interrupted,
    }.get(etype)


def ref_choices(events, etype):
    """Options for each reference field: the case's effective events of the right type.

    The value is the id of the originally recorded event (corrections keep the original's place).
    """
    effective = effective_events(events)
    st = case_state(events)
    out = {}
    for f in FIELDS[etype]:
        if f.kind != "ref":
            continue
        candidates = [e for e in effective if e.type == f.ref_type]
        if f.ref_type == EventType.BESLUT:
            allowed = _allowed_decisions(etype, st)
            if allowed is not None:
                keep = {d.effective_id for d in allowed}
                candidates = [e for e in candidates if e.effective_id in keep]
        if f.ref_type == EventType.UTREDNING_INLEDD and etype in (EventType.UTREDNING_AVSLUTAD, EventType.UTREDNING_FORLANGD):
            keep = {e.effective_id for e in st.open_investigations}
            candidates = [e for e in candidates if e.effective_id in keep]
        out[f.name] = [
            ((e.original.ext_id if e.corrects_id and getattr(e, "original", None) else e.ext_id), ref_choice_label(e))
            for e in candidates
        ]
    return out


def _posted_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # treated as stale: the service answers with Conflict


@login_required
@require_http_methods(["GET", "POST"])
def event_form(request, ext_id, etype):
    user = request.user
    case = _visible_case_or_404(user, ext_id)
    if etype not in FIELDS:
        raise Http404("Okänd händelsetyp")
    if not may_write_case(user, case):
        raise PermissionDenied
    events = _events(case)
    choices = ref_choices(events, etype)
    conflict = None
    version = case.version
    if request.method == "POST":
        form = EventForm(request.POST, etype=etype, ref_choices=choices)
        form.is_valid()
        data, local_errors = form.service_data()
        version = _posted_version(request)
        try:
            if local_errors:
                check_event(case, etype, data)
                raise ValidationFailed(local_errors)
            record_event(user, case, etype, data, version)
        except ValidationFailed as e:
            form.add_service_errors({**e.errors, **local_errors})
        except Conflict as e:
            conflict = e.message
        except Forbidden:
            raise PermissionDenied from None
        else:
            messages.success(request, "Sparat")
            return redirect(reverse("cases:detail", args=[case.ext_id]) + "#tidslinje")
    else:
        form = EventForm(etype=etype, ref_choices=choices)
        log_read(user, "case", case.ext_id, person=case.person, context=f"formulär: {EventType(etype).label.lower()}")
    return render(request, "cases/event_form.html", {
        "case": case,
        "person_label": person_label(user, case.person, case),
        "form": form,
        "etype": etype,
        "etype_label": EventType(etype).label,
        "version": version,
        "conflict": conflict,
    }, status=409 if conflict else (400 if form.is_bound and form.errors else 200))


@login_required
@require_http_methods(["GET", "POST"])
def new_aktualisering(request):
    user = request.user
    if not user.may_write_cases or not unit_ids(user):
        raise PermissionDenied
    units = list(user.units.order_by("name"))
    if request.method == "POST":
        form = AktualiseringForm(request.POST, units=units)
        form.is_valid()
        d = form.cleaned_data
        unit = next((u for u in units if str(u.pk) == d.get("unit")), None)
        try:
            own = form.own_errors()  # a refused value (a name too long) is never saved as empty
            with transaction.atomic():
                case, match = _register(user, d, unit)
                if own:
                    raise ValidationFailed(own)
        except ValidationFailed as e:
            form.add_service_errors({k: v for k, v in e.errors.items() if k not in form.errors})
        else:
            messages.success(request, "Sparat")
            if match.known and not match.created:
                # Only when the user already sees a case of the person; a person known in other
                # units only is answered exactly like a new one.
                messages.info(request, "Personen fanns redan i Akta; ärendet kopplades till den befintliga personen.")
            return redirect("cases:detail", ext_id=case.ext_id)
    else:
        form = AktualiseringForm(units=units)
    return render(request, "cases/aktualisering_form.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


def _register(user, d, unit):
    """Find or create the person, then open the case; all in the caller's transaction.

    Returns (case, PersonMatch)."""
    required = {}
    for name, message in (("area", "Område: välj ett område"), ("unit", "Enhet: välj en enhet"),
                          ("date", "Datum krävs"), ("kind", "Slag krävs")):
        if not d.get(name):
            required[name] = message
    try:
        match = find_or_create_person(
            user, personnummer=d.get("personnummer") or None, birth_date=d.get("birth_date") or None,
            sex=d.get("sex") or None, name=d.get("name", "").strip(),
            protected_identity=bool(d.get("protected_identity")),
        )
    except ValidationFailed as e:
        # Also name the other missing fields, so the user can fix everything in one go.
        raise ValidationFailed({**e.errors, **required}) from None
    try:
        case = open_case_with_aktualisering(
            user, match.person, area=d.get("area", ""), unit=unit, date_received=d.get("date") or None,
            kind=d.get("kind") or None, reporter=d.get("reporter", "").strip(), person_name=match.name,
        )
    except ValidationFailed as e:
        raise ValidationFailed({**e.errors, **required}) from None
    return case, match
