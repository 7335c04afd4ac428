"""The REST API of the quality registers (mounted by the project at /api/kvalitet/).

The same rules as the web pages (akta.quality.permissions) and the same services: a change
needs the `version` the client last read (409 Conflict otherwise), every change is recorded
in the history, workflow steps go through POST …/{id}/steg/, nothing is deleted. Reading a
deviation or lex Sarah case that concerns a person is logged.
"""
from functools import cache

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from akta.access.models import Role, User
from akta.access.services import may_see_case
from akta.api_parsers import StrictJSONParser
from akta.audit.services import log_denied, log_read
from akta.cases.models import Case
from akta.params import BadParameter, parse_int
from akta.quality import models as m
from akta.quality import permissions as perm
from akta.quality import services, workflow

BASE_READ_ONLY = ("id", "number", "version", "created_at", "updated_at")


class QualityPermission(BasePermission):
    message = "Din roll har inte behörighet till detta i kvalitetsledningssystemet."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return view.may_read(user)
        if getattr(view, "action", None) == "create":
            return view.may_create(user)
        return view.may_write(user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return view.may_write_object(request.user, obj)


class UserField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return User.objects.filter(is_active=True).exclude(role=Role.SYSTEMFORVALTARE)


class ReportUnitField(serializers.PrimaryKeyRelatedField):
    """The unit of a deviation or lex Sarah report: only the units the web form offers the user
    (permissions.report_units), so the API refuses what the form refuses."""

    default_error_messages = {
        "does_not_exist": "Enhet: du kan bara rapportera i dina egna enheter ({pk_value} finns inte bland dem)",
        "incorrect_type": "Enhet: ange enhetens id (ett heltal)",
    }

    def get_queryset(self):
        from akta.access.models import Unit

        return perm.report_units(self.context["request"].user, Unit.objects.all())


class CaseField(serializers.SlugRelatedField):
    """A case by its id, only among the cases the user may see (kvalitetsutvecklare: all)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="ext_id", **kwargs)

    def get_queryset(self):
        return perm.case_link_queryset(self.context["request"].user)

    def to_representation(self, value):
        # The case id only for a case the user may open, as on the page (access.services).
        user = self.context["request"].user if "request" in self.context else None
        return super().to_representation(value) if user is not None and may_see_case(user, value) else None


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
def _get_next_steps(self, obj):
    """The statuses the row may move to next (POST …/steg/ with "to")."""
    return [s.to for s in workflow.next_steps(obj)]


@cache
def serializer_for(model, extra_read_only=(), fields="__all__"):
    workflow_fields = set()
    for steps in workflow.WORKFLOWS.get(model, {}).values():
        for s in steps:
            workflow_fields.update(s.fields)
    read_only = set(BASE_READ_ONLY) | set(extra_read_only) | (workflow_fields - {"owner", "ivo_reference"})
    if any(f.name == "status" for f in model._meta.fields) and model in workflow.WORKFLOWS:
        read_only.add("status")
    overrides = {}
    for f in model._meta.fields:
        if f.is_relation and f.related_model is User and f.name not in read_only:
            overrides[f.name] = UserField(required=not f.null, allow_null=f.null)
        if f.is_relation and f.related_model is Case:
            overrides[f.name] = CaseField(required=False, allow_null=True)
        if f.name == "unit" and model in (m.Deviation, m.LexSarah):
            overrides[f.name] = ReportUnitField()
    if fields == "__all__":  # a culled case's id is never shown (quality/signals.py)
        fields = [f.name for f in (*model._meta.fields, *model._meta.many_to_many) if f.name != "culled_case_ref"]
        if model in workflow.WORKFLOWS:
            fields.append("next_steps")
    meta = type("Meta", (), {"model": model, "fields": fields, "read_only_fields": sorted(
        n for n in read_only if n not in overrides)})
    attrs = {"Meta": meta, **overrides}
    if model in workflow.WORKFLOWS:
        attrs["next_steps"] = serializers.SerializerMethodField()
        attrs["get_next_steps"] = _get_next_steps
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


class StepSerializer(serializers.Serializer):
    to = serializers.CharField(help_text="Status som steget leder till, t.ex. \"utredd\".")
    version = serializers.IntegerField(help_text="Den version av posten som klienten senast läste.")


class RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """List, read, create and change (with `version`); never delete."""

    permission_classes = [QualityPermission]
    parser_classes = [StrictJSONParser]
    model = None
    extra_read_only = ()

    def may_read(self, user):
        return perm.may_manage(user)

    def may_create(self, user):
        return perm.may_manage(user)

    def may_write(self, user):
        return perm.may_manage(user)

    def may_write_object(self, user, obj):
        return perm.may_manage(user)

    def get_queryset(self):
        return self.model.objects.all().order_by("pk")

    def get_serializer_class(self):
        if getattr(self, "action", None) == "steg":
            return StepSerializer
        return serializer_for(self.model, self.extra_read_only)

    def creation_defaults(self, user):
        return {}

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.update(self.creation_defaults(request.user))
        try:
            obj = services.create(self.model, request.user, **data)
        except services.QualityError as e:
            return Response(e.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        version = request.data.get("version")
        if version in (None, ""):
            return Response({"version": "Ange den version du senast läste (optimistisk låsning)."},
                            status=status.HTTP_400_BAD_REQUEST)
        ser = self.get_serializer(obj, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        m2m_names = {f.name for f in self.model._meta.many_to_many}
        m2m = {k: data.pop(k) for k in list(data) if k in m2m_names}
        try:
            obj = services.update(self.model.objects.get(pk=obj.pk), request.user, version, data, m2m=m2m)
        except services.Conflict as e:
            return Response({"detail": e.message}, status=status.HTTP_409_CONFLICT)
        except services.QualityError as e:
            return Response(e.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(obj).data)

    @extend_schema(responses={200: None}, request=None)
    @action(detail=True, methods=["get"])
    def historik(self, request, pk=None, format=None):  # format: the router's .json suffix
        obj = self.get_object()
        return Response([{"at": h.at, "user": h.username, "action": h.action, "version": h.version,
                          "change": perm.masked_change(request.user, h.change)} for h in obj.history()])


class WorkflowMixin:
    """POST …/{id}/steg/ {"to": status, "version": n, fields of the step}."""

    @action(detail=True, methods=["post"])
    def steg(self, request, pk=None, format=None):
        obj = self.get_object()
        ser = StepSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = {k: v for k, v in request.data.items() if k not in ("to", "version")}
        if data.get("owner") not in (None, ""):
            try:
                owner_pk = parse_int(data["owner"], "owner", "Ansvarig", minimum=1)
            except BadParameter as e:
                return Response({"owner": [e.message]}, status=status.HTTP_400_BAD_REQUEST)
            data["owner"] = UserField().get_queryset().filter(pk=owner_pk).first()
            if data["owner"] is None:
                return Response({"owner": ["Ansvarig: okänd användare"]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                obj = workflow.take_step(obj, ser.validated_data["to"], data, request.user, ser.validated_data["version"])
        except services.Conflict as e:
            return Response({"detail": e.message}, status=status.HTTP_409_CONFLICT)
        except services.QualityError as e:
            return Response(e.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(serializer_for(self.model, self.extra_read_only)(obj, context=self.get_serializer_context()).data)


class ReportViewSet(WorkflowMixin, RegisterViewSet):
    """Deviations and lex Sarah: reporters create and see their own; managers handle."""

    def may_read(self, user):
        return perm.may_report(user)

    def may_create(self, user):
        return perm.may_report(user)

    def may_write(self, user):
        return perm.may_report(user)

    def may_write_object(self, user, obj):
        return perm.may_handle_report(user, obj)

    def get_queryset(self):
        return perm.visible_reports(self.request.user, self.model.objects.select_related("case__person")).order_by("pk")

    def creation_defaults(self, user):
        return {"reporter": user}

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # The same 404 as for a missing id; the attempt is logged (with the person, if any).
            pk = self.kwargs.get("pk")
            other = self.model.objects.select_related("case__person").filter(pk=pk).first() \
                if str(pk).isdigit() and len(str(pk)) < 12 else None
            log_denied(self.request.user, self.model.ENTITY, other.number if other else pk,
                       person=other.person if other else None, context="kvalitet api: finns inte bland dina rapporter")
            raise

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        if obj.person is not None:
            log_read(request.user, obj.ENTITY, obj.number, person=obj.person, context="kvalitet api")
        return Response(self.get_serializer(obj).data)



class ComplaintViewSet(WorkflowMixin, RegisterViewSet):
    model = m.Complaint


class DeviationViewSet(ReportViewSet):
    model = m.Deviation
    extra_read_only = ("reporter",)


class LexSarahViewSet(ReportViewSet):
    model = m.LexSarah
    extra_read_only = ("reporter",)


class DocumentViewSet(RegisterViewSet):
    model = m.Document

    def may_read(self, user):
        return perm.may_read_documents(user)


class RiskViewSet(RegisterViewSet):
    model = m.Risk


class ActionViewSet(RegisterViewSet):
    model = m.Action


class GoalViewSet(RegisterViewSet):
    model = m.Goal


class InternalControlPlanViewSet(RegisterViewSet):
    model = m.InternalControlPlan


class ControlPointViewSet(RegisterViewSet):
    model = m.ControlPoint


class ControlResultViewSet(RegisterViewSet):
    model = m.ControlResult


class SelfInspectionPlanViewSet(RegisterViewSet):
    model = m.SelfInspectionPlan


class SelfInspectionRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Egenkontroller (read only here: the sample is drawn on the web page)."""

    permission_classes = [QualityPermission]
    may_read = may_create = may_write = may_write_object = staticmethod(lambda *a: perm.may_manage(a[0]))

    class RoundSerializer(serializers.ModelSerializer):
        sample = serializers.SerializerMethodField()

        class Meta:
            model = m.SelfInspectionRound
            fields = ["id", "number", "plan", "period_start", "period_end", "seed", "sample_per_group", "population",
                      "status", "completed_on", "summary", "version", "sample"]

        @extend_schema_field(OpenApiTypes.OBJECT)
        def get_sample(self, obj):
            out = {}
            for s in obj.sampled.order_by("group", "position"):
                out.setdefault(s.group, []).append(s.case_ref)
            return out

    serializer_class = RoundSerializer

    def get_queryset(self):
        return m.SelfInspectionRound.objects.all().order_by("pk")


router = DefaultRouter()
router.register("styrdokument", DocumentViewSet, basename="quality-document")
router.register("avvikelser", DeviationViewSet, basename="quality-deviation")
router.register("lex-sarah", LexSarahViewSet, basename="quality-lexsarah")
router.register("klagomal", ComplaintViewSet, basename="quality-complaint")
router.register("risker", RiskViewSet, basename="quality-risk")
router.register("atgarder", ActionViewSet, basename="quality-action")
router.register("mal", GoalViewSet, basename="quality-goal")
router.register("egenkontrollplaner", SelfInspectionPlanViewSet, basename="quality-plan")
router.register("egenkontroller", SelfInspectionRoundViewSet, basename="quality-round")
router.register("internkontrollplaner", InternalControlPlanViewSet, basename="quality-icplan")
router.register("kontrollmoment", ControlPointViewSet, basename="quality-controlpoint")
router.register("kontrollresultat", ControlResultViewSet, basename="quality-controlresult")
