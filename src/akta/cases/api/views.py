"""REST API for cases, their events and persons, with the permissions of the web pages.

- Every query of cases goes through `akta.access.services.visible_cases`: a case outside the
  user's units is a 404 (its existence is not revealed), and so is a person without a visible case.
- A protected person is masked (see serializers.PersonSerializer) in details and lists, and
  filters never match on a masked person's hidden attributes.
- Every retrieve of a case, its timeline or a person is logged as a read (`log_read`), a list
  or filter search with every person it returns (`log_reads`), and an id outside the user's
  units as a denied attempt (`log_denied`), behind the same 404 as a missing id.
- The body is parsed by `akta.api_parsers.StrictJSONParser` (no lone surrogates, no deep nesting).
- Writes go through `akta.cases.services` (the same validation, optimistic locking and write log
  as the web forms).
"""
import re

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from akta.access.models import Area, Unit
from akta.access.services import person_name_for, visible_cases
from akta.audit.services import log_denied, log_read, log_reads
from akta.cases import services
from akta.cases.models import Case, Event, EventType, Person
from akta.cases.derived.events import effective_events
from akta.cases.derived.state import case_state
from akta.cases.derived.status import filter_closed, mark_closed

from .fields import StrictChoiceField, labelled_errors
from akta.api_pagination import StrictLimitOffsetPagination
from akta.api_parsers import StrictJSONParser
from .permissions import MayWriteCases
from .serializers import (
    EVENT_REQUEST_SERIALIZERS,
    STATUS_CHOICES,
    VALIDATION_ERROR_SCHEMA,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    DetailSerializer,
    EventRequestSerializer,
    EventSerializer,
    PersonDetailSerializer,
    RecordedEventSerializer,
    max_length,
    state_representation,
)

EXT_ID_MAX = max_length(Case, "ext_id")
PNR_FILTER_RE = re.compile(r"[0-9]{8}-?[0-9]{4}")

R400 = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Ogiltig begäran; felen per fält.")
R403 = OpenApiResponse(DetailSerializer, description="Inte inloggad, eller rollen saknar behörighet.")
R404 = OpenApiResponse(DetailSerializer, description="Finns inte, eller hör inte till dina enheter.")
R409 = OpenApiResponse(DetailSerializer, description="Ärendet har ändrats sedan `version` lästes; inget sparades.")


def api_exception_handler(exc, context):
    """DRF's handler, with a malformed body reported in the same shape as other 400s."""
    if isinstance(exc, ParseError):
        exc = ValidationError({"non_field_errors": [str(exc.detail)]})
    return exception_handler(exc, context)


def field_errors(errors):
    """{field: message} from akta.cases.services.ValidationFailed → {field: [message]}."""
    return {name: [msg] for name, msg in errors.items()}


class ApiView(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, MayWriteCases]
    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]
    lookup_field = "ext_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def get_exception_handler(self):
        return api_exception_handler

    denied_type = "case"

    def get_object(self):
        ext_id = self.kwargs[self.lookup_url_kwarg]
        # An id that cannot exist is not sent to the database (PostgreSQL refuses NUL).
        if "\x00" in ext_id or len(ext_id) > EXT_ID_MAX:
            log_denied(self.request.user, self.denied_type, ext_id, context="api: ogiltigt id")
            raise Http404
        try:
            return super().get_object()
        except Http404:
            # The same 404 as for a missing id; the attempt is logged (with the person if the id exists).
            log_denied(self.request.user, self.denied_type, ext_id, person=self.denied_person(ext_id),
                       context="api: finns inte i dina enheter")
            raise

    def denied_person(self, ext_id):
        case = Case.objects.select_related("person").filter(ext_id=ext_id).first()
        return case.person if case else None


# --- cases ---------------------------------------------------------------------------------


class CaseFilterSerializer(serializers.Serializer):
    area = StrictChoiceField(choices=Area.choices, required=False, label="Område", help_text="Verksamhetsområde.")
    status = StrictChoiceField(choices=STATUS_CHOICES, required=False, label="Status", help_text="open = öppet, closed = avslutat.")
    person = serializers.CharField(required=False, max_length=EXT_ID_MAX, label="Person", help_text="Personens id.")
    personnummer = serializers.CharField(
        required=False, max_length=13, label="Personnummer",
        help_text="ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN. Hittar inte personer med skyddad identitet utan behörighet.",
    )

    def validate_personnummer(self, value):
        if not PNR_FILTER_RE.fullmatch(value):
            raise serializers.ValidationError("ska vara ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN")
        return value.replace("-", "")


def check_event_request(data):
    """The shape of a new event, as documented in the schema; returns {field: [message]}.

    Types, lengths and value sets are checked here by the type's request serializer (strict:
    no coercion), so no malformed value reaches the database. The domain rules (references,
    dates, order) are akta.cases.services.check_event's.
    """
    etype = data.get("type")
    if not isinstance(etype, str) or etype not in EVENT_REQUEST_SERIALIZERS:
        known = ", ".join(sorted(EVENT_REQUEST_SERIALIZERS))
        return {"type": [f"Händelsetyp: okänd eller saknas (en av {known})"]}
    body = EVENT_REQUEST_SERIALIZERS[etype](data=data)
    if body.is_valid():
        return {}
    return labelled_errors(body)


@extend_schema_view(
    list=extend_schema(
        summary="Ärenden i dina enheter",
        parameters=[CaseFilterSerializer],
        responses={200: CaseSerializer(many=True), 400: R400, 403: R403},
    ),
    retrieve=extend_schema(
        summary="Ett ärende med dess aktuella läge",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Ärendets id.")],
        responses={200: CaseDetailSerializer, 403: R403, 404: R404},
    ),
    create=extend_schema(
        summary="Registrera en aktualisering som ett nytt ärende",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, 400: R400, 403: R403},
    ),
)
class CaseViewSet(ApiView):
    pagination_class = StrictLimitOffsetPagination
    serializer_class = CaseSerializer

    def get_queryset(self):
        return visible_cases(self.request.user, Case.objects.all()).select_related("person", "unit").order_by("-opened", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def list(self, request):
        # A plain dict, so an empty value (`?status=`) is refused rather than read as absent.
        filters = CaseFilterSerializer(data=request.query_params.dict())
        if not filters.is_valid():
            return Response(labelled_errors(filters), status=status.HTTP_400_BAD_REQUEST)
        f = filters.validated_data
        qs = self.get_queryset()
        if "area" in f:
            qs = qs.filter(area=f["area"])
        if "person" in f:
            qs = qs.filter(person__ext_id=f["person"])
        if "personnummer" in f:
            qs = qs.filter(person__pnr_key=f["personnummer"])
            if not request.user.may_view_protected:
                # A protected person's personnummer is hidden, so it must not be searchable either.
                qs = qs.filter(person__protected_identity=False)
        if "status" in f:
            qs = filter_closed(qs, f["status"] == "closed")
        page = self.paginate_queryset(qs)
        for c in mark_closed(page):
            c.api_is_open = not c.closed
        # Every person returned is a read (a list, or a search when filtered).
        what = f"sökning ({', '.join(sorted(f))})" if f else "lista"
        log_reads(request.user, "case", "api-lista", [c.person for c in page], context=f"api: ärenden, {what}")
        return self.get_paginated_response(CaseSerializer(page, many=True, context=self.get_serializer_context()).data)

    def _detail(self, case, events, code=status.HTTP_200_OK):
        st = case_state(events)
        case.api_is_open = st.is_open
        ext = {e.pk: e.ext_id for e in events}
        context = {**self.get_serializer_context(), "state": state_representation(case, st, ext)}
        return Response(CaseDetailSerializer(case, context=context).data, status=code)

    def retrieve(self, request, id=None):
        case = self.get_object()
        log_read(request.user, "case", case.ext_id, person=case.person, context="api")
        return self._detail(case, list(case.events.all()))

    def create(self, request):
        body = CaseCreateSerializer(data=request.data)
        if not body.is_valid():
            return Response(labelled_errors(body), status=status.HTTP_400_BAD_REQUEST)
        d = body.validated_data
        user = request.user
        try:
            with transaction.atomic():
                person_name = None
                if d.get("person_id"):
                    person = Person.objects.filter(
                        ext_id=d["person_id"], id__in=visible_cases(user, Case.objects.all()).values("person_id")
                    ).first()
                    if person is None:
                        raise services.ValidationFailed({"person_id": "Person: det finns ingen sådan person i dina ärenden"})
                else:
                    # Matched inside this transaction; a person known only in other units is
                    # answered like a new one (services.find_or_create_person).
                    match = services.find_or_create_person(
                        user, personnummer=d.get("personnummer"), birth_date=d.get("birth_date"), sex=d.get("sex"),
                        name=d.get("name", ""), protected_identity=d.get("protected_identity", False),
                    )
                    person, person_name = match.person, match.name
                case = services.open_case_with_aktualisering(
                    user, person, area=d["area"], unit=Unit.objects.filter(code=d["unit"]).first(),
                    date_received=d["date"].isoformat(), kind=d["kind"], reporter=d.get("reporter", ""),
                    case_type=d.get("case_type", ""), person_name=person_name,
                )
        except services.ValidationFailed as e:
            return Response(field_errors(e.errors), status=status.HTTP_400_BAD_REQUEST)
        except services.Forbidden:
            return Response({"detail": MayWriteCases.message}, status=status.HTTP_403_FORBIDDEN)
        case = self.get_queryset().get(pk=case.pk)
        return self._detail(case, list(case.events.all()), code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ärendets tidslinje (gällande händelser, rättelser tillämpade)",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Ärendets id.")],
        responses={200: EventSerializer(many=True), 403: R403, 404: R404},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, id=None):
        case = self.get_object()
        log_read(request.user, "case", case.ext_id, person=case.person, context="api: tidslinje")
        events = list(case.events.all())
        ext = {e.pk: e.ext_id for e in events}
        context = {**self.get_serializer_context(), "case": case, "ext": ext}
        return Response(EventSerializer(effective_events(events), many=True, context=context).data)

    @extend_schema(
        summary="Registrera en händelse i ärendet",
        description=(
            "Kroppen är en händelse i exchange-v1-form (`type`, `date` och typens fält, referenser som id) "
            "plus `version`: ärendets version när du läste det. Har ärendet ändrats sedan dess blir svaret 409 "
            "och inget sparas."
        ),
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Ärendets id.")],
        request=EventRequestSerializer,
        responses={201: RecordedEventSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    )
    @events.mapping.post
    def record_event(self, request, id=None):
        case = self.get_object()
        data = request.data
        if not isinstance(data, dict):
            return Response({"non_field_errors": ["Kroppen ska vara ett JSON-objekt."]}, status=status.HTTP_400_BAD_REQUEST)
        errors = check_event_request(data)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            event = services.record_event(request.user, case, data["type"], data, data["version"])
        except services.Forbidden:
            return Response({"detail": MayWriteCases.message}, status=status.HTTP_403_FORBIDDEN)
        except services.ValidationFailed as e:
            return Response(field_errors(e.errors), status=status.HTTP_400_BAD_REQUEST)
        except services.Conflict:
            return Response({"detail": services.Conflict.message}, status=status.HTTP_409_CONFLICT)
        ext = dict(case.events.values_list("pk", "ext_id"))
        context = {**self.get_serializer_context(), "case": case, "ext": ext}
        return Response(RecordedEventSerializer(event, context=context).data, status=status.HTTP_201_CREATED)


# --- persons -------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="En person (maskerad vid skyddad identitet utan behörighet)",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Personens id.")],
        responses={200: PersonDetailSerializer, 403: R403, 404: R404},
    ),
)
class PersonViewSet(ApiView):
    serializer_class = PersonDetailSerializer
    denied_type = "person"

    def denied_person(self, ext_id):
        return Person.objects.filter(ext_id=ext_id).first()

    def get_queryset(self):
        return Person.objects.filter(id__in=visible_cases(self.request.user, Case.objects.all()).values("person_id"))

    def retrieve(self, request, id=None):
        person = self.get_object()
        case_ids = visible_cases(request.user, Case.objects.all()).filter(person=person).order_by("opened", "id").values_list("ext_id", flat=True)
        log_read(request.user, "person", person.ext_id, person=person, context="api")
        context = {**self.get_serializer_context(), "user": request.user, "case_ids": list(case_ids),
                   "person_name": person_name_for(request.user, person)}
        return Response(PersonDetailSerializer(person, context=context).data)
