"""Web pages of the management system for quality work (/kvalitet/).

Thin views over akta.quality.services (create/update with optimistic lock and history),
akta.quality.workflow (the steps) and akta.quality.permissions (who may do what). Opening a
deviation or lex Sarah case that concerns a person is logged (log_read); opening a sampled
file in an egenkontroll is logged with the context "egenkontroll".
"""
import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from akta.access.services import may_see_case, may_see_identity, person_label
from akta.audit.services import log_denied, log_read
from akta.cases.derived.events import effective_events
from akta.params import BadParameter, check_year, date_param, int_param, version_param, year_param
from akta.quality import forms as f
from akta.quality import models as m
from akta.quality import permissions as perm
from akta.quality import services, statistics, workflow
from akta.quality.documents import render_document
from akta.quality.models import ivo_notification_rule_text, lex_sarah_references

PAGE_SIZE = 50


OTHER_UNIT_LABEL = "ett ärende i en enhet som du inte har behörighet till"


def display(obj, name):
    """A field's value as shown to users."""
    fld = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return "–"
    if fld.choices:
        return getattr(obj, f"get_{name}_display")()
    if fld.is_relation:
        full = getattr(value, "get_full_name", None)
        return (full() if full else "") or str(value)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def history_rows(obj, user=None):
    rows = []
    model = type(obj)
    for h in obj.history():
        changes = []
        change = perm.masked_change(user, h.change or {}) if user is not None else (h.change or {})
        for key, pair in change.items():
            try:
                fld = model._meta.get_field(key)
                label = capfirst(fld.verbose_name)
                choices = dict(fld.choices or [])
            except Exception:
                label, choices = key, {}
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            changes.append((label, _hist_value(before, choices), _hist_value(after, choices)))
        rows.append({"h": h, "changes": changes})
    return rows


def _hist_value(v, choices):
    if v in (None, "", []):
        return "–"
    if isinstance(v, str) and v in choices:
        return choices[v]
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) if all(not isinstance(x, (list, dict)) for x in v) else str(v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_hist_value(x, {})}" for k, x in v.items())
    return str(v)


# --- Registers ------------------------------------------------------------------------------


@dataclass
class Register:
    slug: str
    model: type
    title: str
    singular: str
    create_form: type
    edit_form: type
    columns: list
    detail_fields: list
    intro: str = ""
    filters: list = field(default_factory=list)
    new_label: str = ""
    extra_template: str = ""

    # permissions
    def may_list(self, user):
        return perm.may_manage(user)

    def may_create(self, user):
        return perm.may_manage(user)

    def may_edit(self, user, obj):
        return perm.may_manage(user)

    def may_step(self, user, obj):
        return perm.may_manage(user)

    def queryset(self, user):
        return self.model.objects.all()

    def create_kwargs(self, user, form):
        data = dict(form.cleaned_data)
        return data

    def form_kwargs(self, user):
        return {}


class ReportRegister(Register):
    """Deviations and lex Sarah: anyone who works may report; they see their own reports."""

    def may_list(self, user):
        return perm.may_report(user)

    def may_create(self, user):
        return perm.may_report(user)

    def may_edit(self, user, obj):
        return perm.may_handle_report(user, obj)

    def may_step(self, user, obj):
        return perm.may_handle_report(user, obj)

    def queryset(self, user):
        return perm.visible_reports(user, self.model.objects.select_related("unit", "case__person", "reporter"))

    def create_kwargs(self, user, form):
        data = dict(form.cleaned_data)
        data["case"] = data.pop("case_ext_id", None)
        data["reporter"] = user
        return data

    def form_kwargs(self, user):
        return {"user": user}


class DocumentRegister(Register):
    def may_list(self, user):
        return perm.may_read_documents(user)


REGISTERS = {}


def register(r):
    REGISTERS[r.slug] = r
    return r


register(DocumentRegister(
    "styrdokument", m.Document, "Processer, rutiner, riktlinjer och mallar", "styrdokument",
    f.DocumentForm, f.DocumentForm,
    columns=[("Nummer", "number"), ("Typ", "kind"), ("Titel", "title"), ("Version", "doc_version"),
             ("Ägare", "owner"), ("Beslut", "decision_ref"), ("Nästa översyn", "next_review"), ("Status", "status")],
    detail_fields=["kind", "title", "description", "owner", "unit", "doc_version", "decision_ref", "decided_on",
                   "next_review", "status"],
    filters=["kind", "status"], new_label="Nytt styrdokument", extra_template="quality/_document_extra.html",
    intro="Ledningssystemets processer och rutiner med ägare, beslut och datum för nästa översyn.",
))
register(ReportRegister(
    "avvikelser", m.Deviation, "Avvikelser", "avvikelse", f.DeviationReportForm, f.DeviationEditForm,
    columns=[("Nummer", "number"), ("Rapporterad", "reported_on"), ("Kategori", "category"), ("Enhet", "unit"),
             ("Status", "status")],
    detail_fields=["category", "event_date", "reported_on", "unit", "reporter", "owner", "description",
                   "investigated_on", "analysis", "cause", "actions_decided_on", "actions_summary", "feedback_on",
                   "feedback", "closed_on"],
    filters=["status", "category", "unit"], new_label="Rapportera avvikelse",
    intro="Rapporterad → utredd → åtgärder beslutade → återkopplad → avslutad.",
))
register(ReportRegister(
    "lex-sarah", m.LexSarah, "Lex Sarah", "lex Sarah-ärende", f.LexSarahReportForm, f.LexSarahEditForm,
    columns=[("Nummer", "number"), ("Rapporterad", "reported_on"), ("Enhet", "unit"), ("Bedömning", "assessment"),
             ("Status", "status")],
    detail_fields=["event_date", "reported_on", "unit", "reporter", "owner", "description", "remedied_on", "remedy",
                   "investigation_started_on", "investigation", "assessed_on", "assessment", "assessment_reasoning",
                   "notified_on", "ivo_reference", "ivo_decision_on", "ivo_decision", "closed_on"],
    filters=["status", "assessment", "unit"], new_label="Rapportera enligt lex Sarah",
    extra_template="quality/_lex_sarah_extra.html",
    intro="Rapport → omedelbart avhjälpt → utredning → bedömning → vid behov anmälan till IVO → IVO:s beslut.",
))
register(Register(
    "klagomal", m.Complaint, "Klagomål och synpunkter", "klagomål eller synpunkt", f.ComplaintForm, f.ComplaintForm,
    columns=[("Nummer", "number"), ("Inkom", "received_on"), ("Slag", "kind"), ("Kanal", "channel"),
             ("Tema", "theme"), ("Besvarad", "response_on"), ("Status", "status")],
    detail_fields=["kind", "received_on", "channel", "theme", "unit", "owner", "description", "response_on",
                   "response", "closed_on"],
    filters=["status", "kind", "channel", "theme"], new_label="Registrera klagomål eller synpunkt",
))
register(Register(
    "risker", m.Risk, "Riskanalys", "risk", f.RiskForm, f.RiskForm,
    columns=[("Nummer", "number"), ("Risk", "title"), ("Sannolikhet", "likelihood"), ("Konsekvens", "consequence"),
             ("Riskvärde", "score"), ("Ägare", "owner"), ("Status", "status")],
    detail_fields=["title", "description", "unit", "process", "likelihood", "consequence", "identified_on",
                   "reviewed_on", "owner", "status"],
    filters=["status"], new_label="Ny risk", extra_template="quality/_risk_extra.html",
))
register(Register(
    "atgarder", m.Action, "Förbättringsåtgärder", "åtgärd", f.ActionForm, f.ActionForm,
    columns=[("Nummer", "number"), ("Åtgärd", "title"), ("Ansvarig", "owner"), ("Klar senast", "due_date"),
             ("Status", "status")],
    detail_fields=["title", "description", "owner", "unit", "due_date", "status", "completed_on", "effect"],
    filters=["status"], new_label="Ny åtgärd", extra_template="quality/_action_extra.html",
))
register(Register(
    "egenkontrollplaner", m.SelfInspectionPlan, "Egenkontroll", "egenkontrollplan", f.PlanForm, f.PlanForm,
    columns=[("Nummer", "number"), ("Vad", "title"), ("Hur ofta", "frequency"), ("Vem", "owner"),
             ("Akter per område", "sample_per_group"), ("Aktiv", "active")],
    detail_fields=["title", "method", "frequency", "owner", "routine", "sample_per_group", "active"],
    new_label="Ny egenkontrollplan", extra_template="quality/_plan_extra.html",
    intro="Planer för egenkontroll: vad, hur, hur ofta och vem. Slumpmässigt urval av akter från barn och unga, "
          "vuxna och ekonomiskt bistånd med sparat slumpfrö.",
))
register(Register(
    "internkontroll", m.InternalControlPlan, "Internkontroll", "internkontrollplan",
    f.InternalControlPlanForm, f.InternalControlPlanForm,
    columns=[("År", "year"), ("Beslut", "decision_ref"), ("Fastställd", "adopted_on")],
    detail_fields=["year", "decision_ref", "adopted_on"],
    new_label="Ny internkontrollplan", extra_template="quality/_internal_control_extra.html",
))
register(Register(
    "mal", m.Goal, "Mål", "mål", f.GoalForm, f.GoalForm,
    columns=[("År", "year"), ("Mål", "title"), ("Måluppfyllelse", "status")],
    detail_fields=["year", "title", "target", "result", "status"], filters=["status"], new_label="Nytt mål",
))
register(Register(
    "kontrollmoment", m.ControlPoint, "Kontrollmoment", "kontrollmoment", f.ControlPointForm, f.ControlPointForm,
    columns=[("Process/rutin", "process"), ("Frekvens", "frequency"), ("Ansvarig", "owner")],
    detail_fields=["plan", "process", "control", "frequency", "owner", "method", "risk_score"],
    extra_template="quality/_control_point_extra.html",
))
register(Register(
    "iakttagelser", m.Finding, "Iakttagelser", "iakttagelse", f.FindingForm, f.FindingForm,
    columns=[("Nummer", "number"), ("Iakttagelse", "description")],
    detail_fields=["round", "item", "description"], extra_template="quality/_finding_extra.html",
))
register(Register(
    "kontrollresultat", m.ControlResult, "Kontrollresultat", "kontrollresultat", f.ControlResultForm,
    f.ControlResultForm,
    columns=[("Nummer", "number"), ("Mättidpunkt", "period_end"), ("Utfall", "outcome")],
    detail_fields=["point", "period_end", "outcome", "checked", "deviating", "result", "reported_to_committee"],
    extra_template="quality/_finding_extra.html",
))
register(Register(
    "egenkontroller", m.SelfInspectionRound, "Genomförda egenkontroller", "egenkontroll", f.RoundCloseForm,
    f.RoundCloseForm, columns=[("Nummer", "number"), ("Plan", "plan"), ("Period till", "period_end"),
                               ("Status", "status")],
    detail_fields=["plan", "period_start", "period_end", "seed", "status", "completed_on", "summary"],
))


def _register(slug):
    r = REGISTERS.get(slug)
    if r is None:
        raise Http404
    return r


def _cell(obj, attr):
    if attr == "score":
        return f"{obj.score} ({obj.level})"
    return display(obj, attr)


@login_required
def index(request):
    user = request.user
    if not perm.may_use(user):
        raise PermissionDenied
    today = timezone.localdate()
    ctx = {"may_manage": perm.may_manage(user), "may_report": perm.may_report(user),
           "may_read_reports": perm.may_read_reports(user), "year": today.year}
    if perm.may_manage(user):
        ctx.update({
            "reviews_due": m.Document.objects.filter(status=m.DocumentStatus.GALLANDE,
                                                     next_review__lte=today + dt.timedelta(days=60)).count(),
            "open_deviations": perm.visible_reports(user, m.Deviation.objects.exclude(
                status=m.DeviationStatus.AVSLUTAD)).count(),
            "open_lex_sarah": perm.visible_reports(user, m.LexSarah.objects.exclude(
                status=m.LexSarahStatus.AVSLUTAD)).count(),
            "open_complaints": m.Complaint.objects.exclude(status=m.ComplaintStatus.AVSLUTAD).count(),
            "overdue_actions": m.Action.objects.filter(status__in=[m.ActionStatus.PLANERAD, m.ActionStatus.PAGAR],
                                                       due_date__lt=today).count(),
            "notifications_due": [ls for ls in m.LexSarah.objects.filter(status=m.LexSarahStatus.BEDOMD)
                                  if ls.requires_notification],
        })
    if perm.may_report(user):
        ctx["my_deviations"] = m.Deviation.objects.filter(reporter=user)[:10]
        ctx["my_lex_sarah"] = m.LexSarah.objects.filter(reporter=user)[:10]
    return render(request, "quality/index.html", ctx)


@login_required
def register_list(request, slug):
    r = _register(slug)
    user = request.user
    if not r.may_list(user):
        raise PermissionDenied
    qs = r.queryset(user)
    active_filters = []
    for name in r.filters:
        fld = r.model._meta.get_field(name)
        value = request.GET.get(name, "")
        if fld.is_relation:
            options = [(str(u.pk), str(u)) for u in fld.related_model.objects.all()]
            int_param(request.GET, name, capfirst(fld.verbose_name), minimum=1)
        else:
            options = [(str(k), str(v)) for k, v in fld.choices]
        if value:
            qs = qs.filter(**{f"{name}_id" if fld.is_relation else name: value})
        active_filters.append({"name": name, "label": capfirst(fld.verbose_name), "options": options,
                               "value": value})
    year = year_param(request.GET, "ar")
    date_field = next((n for n in ("reported_on", "received_on", "identified_on") if hasattr(r.model, n)), None)
    if year and date_field:
        qs = qs.filter(**{f"{date_field}__year": year})
    year = str(year or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = [{"obj": o, "cells": [_cell(o, a) for _l, a in r.columns]} for o in page.object_list]
    params = request.GET.copy()
    params.pop("sida", None)
    return render(request, "quality/register_list.html", {
        "r": r, "page": page, "rows": rows, "filters": active_filters, "year": year, "has_year": bool(date_field),
        "may_create": r.may_create(user) and r.create_form is not None and slug not in NO_GENERIC_CREATE,
        "query_string": params.urlencode(),
    })


# Rows created from their parent's page, not from the register list.
NO_GENERIC_CREATE = {"kontrollmoment", "iakttagelser", "kontrollresultat", "egenkontroller"}


def _render_form(request, r, form, obj=None, title=""):
    return render(request, "quality/register_form.html", {"r": r, "form": form, "obj": obj, "title": title})


@login_required
def register_create(request, slug):
    r = _register(slug)
    user = request.user
    if not r.may_create(user) or slug in NO_GENERIC_CREATE:
        raise PermissionDenied
    initial = {}
    if slug == "atgarder":
        for key in ("deviations", "lex_sarah", "complaints", "risks", "findings", "control_results"):
            if request.GET.get(key):
                initial[key] = [request.GET[key]]
    if slug == "mal":
        initial["year"] = timezone.localdate().year
    form = r.create_form(request.POST or None, initial=initial, **r.form_kwargs(user))
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.create(r.model, user, **r.create_kwargs(user, form))
        except services.QualityError as e:
            form.add_service_errors(e.errors)
        else:
            messages.success(request, f"{capfirst(r.singular)} {getattr(obj, 'number', '')} har registrerats.")
            return redirect("quality:detail", slug=slug, pk=obj.pk)
    return _render_form(request, r, form, title=r.new_label or f"Ny {r.singular}")


def _get_visible(r, user, pk):
    """The row, or the same 404 whether it is missing or not the user's; a deviation or lex Sarah
    case outside the user's reach is logged as a denied attempt (with its person, if any)."""
    obj = r.queryset(user).filter(pk=pk).first()
    if obj is None:
        if r.model in (m.Deviation, m.LexSarah):
            other = r.model.objects.select_related("case__person").filter(pk=pk).first()
            log_denied(user, r.model.ENTITY, other.number if other else pk,
                       person=other.person if other else None, context="kvalitet: finns inte bland dina rapporter")
        raise Http404
    return obj


@login_required
def register_detail(request, slug, pk):
    r = _register(slug)
    user = request.user
    if not r.may_list(user):
        raise PermissionDenied
    obj = _get_visible(r, user, pk)
    person = getattr(obj, "person", None) if isinstance(obj, (m.Deviation, m.LexSarah)) else None
    case_visible = person is not None and may_see_case(user, obj.case)
    if person is not None:
        log_read(user, obj.ENTITY, obj.number, person=person, context="kvalitet")
    steps = []
    if r.model in workflow.WORKFLOWS and r.may_step(user, obj):
        steps = [{"step": s, "form": f.step_form(r.model, s)} for s in workflow.next_steps(obj)]
    ctx = {
        "r": r, "obj": obj, "fields": [(capfirst(obj._meta.get_field(n).verbose_name), display(obj, n))
                                       for n in r.detail_fields],
        # Name, personnummer and case id only when the user may open the case (the case pages'
        # own policy function); otherwise only that the report concerns a case elsewhere.
        "person": (person_label(user, person, obj.case) if case_visible else OTHER_UNIT_LABEL)
        if person is not None else None,
        "case": obj.case if person is not None and case_visible else None,
        "steps": steps, "may_edit": r.may_edit(user, obj), "may_manage": perm.may_manage(user),
        "history": history_rows(obj, user) if perm.may_manage(user) or r.may_edit(user, obj) else [],
        "actions": obj.actions.all() if hasattr(obj, "actions") else None,
        "action_link": ACTION_LINKS.get(slug),
    }
    ctx.update(_extra_context(r, obj, user))
    return render(request, "quality/register_detail.html", ctx)


ACTION_LINKS = {"avvikelser": "deviations", "lex-sarah": "lex_sarah", "klagomal": "complaints", "risker": "risks",
                "iakttagelser": "findings", "kontrollresultat": "control_results"}


def _extra_context(r, obj, user):
    if isinstance(obj, m.LexSarah):
        on = obj.reported_on
        return {"law_text": lex_sarah_references(on),
                "rule_text": ivo_notification_rule_text(obj.assessed_on or on),
                "days": [("Händelse → rapport", obj.days_event_to_report),
                         ("Rapport → bedömning", obj.days_report_to_assessment),
                         ("Bedömning → anmälan till IVO", obj.days_assessment_to_notification)]}
    if isinstance(obj, m.Document):
        return {"files": obj.files.all(), "file_form": f.DocumentFileForm()}
    if isinstance(obj, m.SelfInspectionPlan):
        return {"items": obj.items.select_related("routine"), "item_form": f.ChecklistItemForm(),
                "rounds": obj.rounds.all(), "round_form": f.RoundForm(initial=_default_period())}
    if isinstance(obj, m.InternalControlPlan):
        return {"points": obj.points.select_related("owner").prefetch_related("results"),
                "point_form": f.ControlPointForm()}
    if isinstance(obj, m.ControlPoint):
        return {"results": obj.results.all(), "result_form": f.ControlResultForm()}
    return {}


def _default_period():
    today = timezone.localdate()
    q_start_month = 3 * ((today.month - 1) // 3) + 1
    end = dt.date(today.year, q_start_month, 1) - dt.timedelta(days=1)
    start = dt.date(end.year, end.month - 2, 1)
    return {"period_start": start, "period_end": end}


@login_required
def register_edit(request, slug, pk):
    r = _register(slug)
    user = request.user
    obj = _get_visible(r, user, pk) if r.may_list(user) else None
    if obj is None or not r.may_edit(user, obj):
        raise PermissionDenied
    if request.method == "POST":
        version_param(request.POST.get("version"))  # a malformed version is a 400 naming the field
    form = r.edit_form(request.POST or None, instance=obj, **r.form_kwargs(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if "case_ext_id" in data:
            data["case"] = data.pop("case_ext_id")
        m2m = {k: data.pop(k) for k in list(data) if k in {x.name for x in r.model._meta.many_to_many}}
        # The form mutated `obj`; reload so the service compares against the stored row.
        fresh = r.model.objects.get(pk=obj.pk)
        try:
            services.update(fresh, user, request.POST.get("version"), data, m2m=m2m)
        except services.Conflict as e:
            messages.error(request, e.message)
            form = r.edit_form(instance=r.model.objects.get(pk=obj.pk), **r.form_kwargs(user))
            return _render_form(request, r, form, r.model.objects.get(pk=obj.pk), title=f"Ändra {r.singular}")
        except services.QualityError as e:
            form.add_service_errors(e.errors)
        else:
            messages.success(request, "Ändringarna har sparats.")
            return redirect("quality:detail", slug=slug, pk=obj.pk)
    return _render_form(request, r, form, r.model.objects.get(pk=obj.pk), title=f"Ändra {r.singular}")


@login_required
@require_POST
def take_step(request, slug, pk, to):
    r = _register(slug)
    user = request.user
    if r.model not in workflow.WORKFLOWS or not r.may_list(user):
        raise PermissionDenied
    obj = _get_visible(r, user, pk)
    if not r.may_step(user, obj):
        raise PermissionDenied
    version_param(request.POST.get("version"))  # a malformed version is a 400 naming the field
    # The step's fields come prefixed by the step (one form per possible step on the page);
    # workflow.take_step validates them and refuses a step that may not follow.
    prefix = f"steg-{to}-"
    data = {k[len(prefix):]: v for k, v in request.POST.items() if k.startswith(prefix)}
    try:
        if data.get("owner"):
            data["owner"] = f.people().filter(pk=int_param(data, "owner", "Ansvarig", minimum=1)).first()
        workflow.take_step(obj, to, data, user, request.POST.get("version"))
    except services.Conflict as e:
        messages.error(request, e.message)
    except services.QualityError as e:
        for msg in e.errors.values():
            messages.error(request, msg)
    except BadParameter as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Steget har registrerats.")
    return redirect("quality:detail", slug=slug, pk=pk)


# --- Documents: files and the review worklist ----------------------------------------------


@login_required
@require_POST
def document_upload(request, pk):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    doc = get_object_or_404(m.Document, pk=pk)
    form = f.DocumentFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for _a, msg in form.error_summary():
            messages.error(request, msg)
        return redirect("quality:detail", slug="styrdokument", pk=pk)
    upload = form.cleaned_data["file"]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        number = (doc.files.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        df = m.DocumentFile(document=doc, number=number, original_name=upload.name[:200],
                            content_type=f.ALLOWED_UPLOADS[upload.name.lower()[upload.name.rfind("."):]],
                            size=upload.size, sha256=digest.hexdigest(), doc_version=doc.doc_version,
                            uploaded_by=request.user)
        df.file.save(upload.name, upload, save=False)
        df.save()
        services.record(doc, request.user, "fil bifogad",
                        {"fil": [None, f"v{number} {df.original_name} ({df.sha256[:12]})"]})
    messages.success(request, f"Filversion {number} har sparats.")
    return redirect("quality:detail", slug="styrdokument", pk=pk)


@login_required
def document_download(request, pk, number):
    if not perm.may_read_documents(request.user):
        raise PermissionDenied
    # document__pk, not document_id: the primary key's lookup answers "none" for an id no row can
    # have (99999999999999999999), where the raw column overflowed the database's integer.
    df = get_object_or_404(m.DocumentFile, document__pk=pk, number=number)
    return FileResponse(df.file.open("rb"), as_attachment=True, filename=df.original_name,
                        content_type=df.content_type)


@login_required
def review_worklist(request):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=int_param(request.GET, "dagar", "Dagar", minimum=0, maximum=3650, default=90))
    docs = (m.Document.objects.filter(status=m.DocumentStatus.GALLANDE)
            .filter(Q(next_review__lte=horizon) | Q(next_review__isnull=True))
            .select_related("owner").order_by("next_review", "title"))
    rows = [{"doc": d, "overdue": d.next_review is not None and d.next_review < today,
             "days": (d.next_review - today).days if d.next_review else None,
             "overdue_days": (today - d.next_review).days if d.next_review else None} for d in docs]
    return render(request, "quality/review_worklist.html", {"rows": rows, "horizon": horizon, "today": today})


# --- Statistics and the risk matrix --------------------------------------------------------


@login_required
def deviation_statistics(request):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    year = _year(request)
    qs = perm.visible_reports(request.user, m.Deviation.objects.all())
    return render(request, "quality/deviation_statistics.html", {
        "year": year, "by_category": statistics.deviations_by(qs, "category", year),
        "by_unit": statistics.deviations_by(qs, "unit", year),
        "by_status": statistics.deviations_by(qs, "status", year),
    })


def _year(request):
    return year_param(request.GET, "ar", default=timezone.localdate().year)


@login_required
def risk_matrix(request):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    include_closed = request.GET.get("alla") == "1"
    qs = m.Risk.objects.all()
    if not include_closed:
        qs = qs.exclude(status=m.RiskStatus.INAKTUELL)
    matrix = statistics.risk_matrix(qs)
    return render(request, "quality/risk_matrix.html", {"matrix": matrix, "include_closed": include_closed,
                                                        "risks": qs.order_by("-likelihood", "-consequence")})


# --- Lex Sarah: the IVO notification document ----------------------------------------------


@login_required
def ivo_notification(request, pk, fmt):
    ls = get_object_or_404(perm.visible_reports(request.user, m.LexSarah.objects.all()), pk=pk)
    if not perm.may_handle_report(request.user, ls):
        raise PermissionDenied
    if not ls.requires_notification or not ls.assessed_on:
        raise Http404("Ingen anmälan till IVO krävs enligt bedömningen.")
    from akta.quality.reports import ivo_notification_document

    if ls.person is not None:
        log_read(request.user, ls.ENTITY, ls.number, person=ls.person, context="anmälan till IVO")
    doc = ivo_notification_document(ls, show_case=ls.case_id is not None and may_see_case(request.user, ls.case))
    return _document_response(doc, fmt, f"anmalan-ivo-{ls.number}")


def _document_response(doc, fmt, basename):
    if fmt not in ("docx", "pdf"):
        raise Http404
    data = render_document(doc, fmt)
    ctype = mimetypes.types_map.get(f".{fmt}", "application/octet-stream")
    if fmt == "docx":
        ctype = f.ALLOWED_UPLOADS[".docx"]
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    return response


# --- Egenkontroll: checklist, sample, sampled files, findings ------------------------------


@login_required
@require_POST
def plan_add_item(request, pk):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    plan = get_object_or_404(m.SelfInspectionPlan, pk=pk)
    form = f.ChecklistItemForm(request.POST)
    if form.is_valid():
        position = plan.items.count() + 1
        item = m.ChecklistItem.objects.create(plan=plan, position=position, **form.cleaned_data)
        services.record(plan, request.user, "kontrollfråga tillagd", {"checklista": [None, item.text]})
        messages.success(request, "Kontrollfrågan har lagts till.")
    else:
        for _a, msg in form.error_summary():
            messages.error(request, msg)
    return redirect("quality:detail", slug="egenkontrollplaner", pk=pk)


@login_required
@require_POST
def start_round(request, pk):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    plan = get_object_or_404(m.SelfInspectionPlan, pk=pk)
    form = f.RoundForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.start_round(plan, request.user, d["period_start"], d["period_end"], d.get("seed"))
        except services.QualityError as e:
            for msg in e.errors.values():
                messages.error(request, msg)
        else:
            messages.success(request, f"Urvalet är draget (slumpfrö {rnd.seed}).")
            return redirect("quality:round", pk=rnd.pk)
    else:
        for _a, msg in form.error_summary():
            messages.error(request, msg)
    return redirect("quality:detail", slug="egenkontrollplaner", pk=pk)


def _round_for(user, pk):
    if not perm.may_manage(user):
        raise PermissionDenied
    return get_object_or_404(m.SelfInspectionRound.objects.select_related("plan"), pk=pk)


def _may_open_sampled(user, sampled):
    from akta.access.models import Role

    if sampled.case_id is None:  # culled (SoL 12 kap.): nothing left to open
        return False
    if user.role == Role.KVALITETSUTVECKLARE:
        return True
    return user.units.filter(pk=sampled.case.unit_id).exists()


@login_required
def round_detail(request, pk):
    rnd = _round_for(request.user, pk)
    sampled = list(rnd.sampled.select_related("case__person", "case__unit").annotate(n_answers=Count("answers")))
    n_items = rnd.plan.items.filter(active=True).count()
    groups = []
    for value, label in m.AreaGroup.choices:
        rows = [{"s": s, "person": person_label(request.user, s.case.person, s.case) if s.case_id else "Gallrat",
                 "done": s.n_answers >= n_items,
                 "may_open": _may_open_sampled(request.user, s)} for s in sampled if s.group == value]
        groups.append({"label": label, "rows": rows, "frame": rnd.population.get(value, 0)})
    return render(request, "quality/round_detail.html", {
        "rnd": rnd, "groups": groups, "results": services.round_results(rnd), "findings": rnd.findings.all(),
        "finding_form": f.FindingForm(round=rnd), "close_form": f.RoundCloseForm(instance=rnd),
        "history": history_rows(rnd), "group_labels": dict(m.AreaGroup.choices),
    })


@login_required
def sampled_file(request, pk, sid):
    rnd = _round_for(request.user, pk)
    sampled = get_object_or_404(rnd.sampled.select_related("case__person", "case__unit"), pk=sid, case__isnull=False)
    if not _may_open_sampled(request.user, sampled):
        raise PermissionDenied
    case = sampled.case
    items = list(rnd.plan.items.filter(active=True).select_related("routine"))
    if request.method == "POST":
        if rnd.status == m.RoundStatus.KLAR:
            messages.error(request, "Egenkontrollen är avslutad; svaren kan inte ändras.")
            return redirect("quality:sampled", pk=pk, sid=sid)
        errors = []
        for item in items:
            answer = request.POST.get(f"svar-{item.pk}", "")
            comment = request.POST.get(f"kommentar-{item.pk}", "").strip()[:500]
            if not answer:
                continue
            try:
                services.answer_item(sampled, item, answer, comment, request.user)
            except services.QualityError as e:
                errors += list(e.errors.values())
        for msg in errors:
            messages.error(request, msg)
        if not errors:
            messages.success(request, "Granskningen har sparats.")
        nxt = rnd.sampled.filter(group=sampled.group, position__gt=sampled.position).first() or \
            rnd.sampled.exclude(pk=sampled.pk).filter(answers__isnull=True).first()
        if request.POST.get("nasta") and nxt is not None:
            return redirect("quality:sampled", pk=pk, sid=nxt.pk)
        return redirect("quality:sampled", pk=pk, sid=sid)
    log_read(request.user, "case", case.ext_id, person=case.person, context="egenkontroll")
    events = effective_events(list(case.events.select_related("recorded_by").order_by("date", "pk")))
    for e in events:
        e.quality_details = _event_details(e)
    answers = {a.item_id: a for a in sampled.answers.all()}
    return render(request, "quality/sampled_file.html", {
        "rnd": rnd, "sampled": sampled, "case": case, "person": person_label(request.user, case.person, case),
        "masked": not may_see_identity(request.user, case.person), "events": events,
        "items": [{"item": i, "answer": answers.get(i.pk)} for i in items], "answer_choices": m.Answer.choices,
        "group_label": dict(m.AreaGroup.choices)[sampled.group],
    })


def _event_details(event):
    """The coded fields of an event in words (the reviewer checks them against the routines)."""
    from akta.cases.schema import FIELDS

    out = []
    for fdef in FIELDS.get(event.type, []):
        if fdef.kind != "enum":
            continue
        value = getattr(event, fdef.column, None)
        if value:
            out.append(fdef.choices.get(value, value))
    return ", ".join(out)


@login_required
@require_POST
def add_finding(request, pk):
    rnd = _round_for(request.user, pk)
    form = f.FindingForm(request.POST, round=rnd)
    if form.is_valid():
        finding = services.create(m.Finding, request.user, round=rnd, **form.cleaned_data)
        messages.success(request, f"Iakttagelse {finding.number} har registrerats. Lägg till en åtgärd vid behov.")
    else:
        for _a, msg in form.error_summary():
            messages.error(request, msg)
    return redirect("quality:round", pk=pk)


@login_required
@require_POST
def close_round(request, pk):
    rnd = _round_for(request.user, pk)
    version_param(request.POST.get("version"))  # a malformed version is a 400 naming the field
    form = f.RoundCloseForm(request.POST, instance=m.SelfInspectionRound.objects.get(pk=rnd.pk))
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["status"] = m.RoundStatus.KLAR
        if not data.get("completed_on"):
            data["completed_on"] = timezone.localdate()
        try:
            services.update(rnd, request.user, request.POST.get("version"), data, action="avslutad")
        except (services.Conflict, services.QualityError) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Egenkontrollen är avslutad.")
    return redirect("quality:round", pk=pk)


# --- Internal control -----------------------------------------------------------------------


@login_required
@require_POST
def add_control_point(request, pk):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    plan = get_object_or_404(m.InternalControlPlan, pk=pk)
    form = f.ControlPointForm(request.POST)
    if form.is_valid():
        services.create(m.ControlPoint, request.user, plan=plan, **form.cleaned_data)
        messages.success(request, "Kontrollmomentet har lagts till.")
    else:
        for _a, msg in form.error_summary():
            messages.error(request, msg)
    return redirect("quality:detail", slug="internkontroll", pk=pk)


@login_required
@require_POST
def add_control_result(request, pk):
    if not perm.may_manage(request.user):
        raise PermissionDenied
    point = get_object_or_404(m.ControlPoint, pk=pk)
    form = f.ControlResultForm(request.POST)
    if form.is_valid():
        try:
            services.create(m.ControlResult, request.user, point=point, **form.cleaned_data)
        except services.QualityError as e:
            for msg in e.errors.values():
                messages.error(request, msg)
        else:
            messages.success(request, "Resultatet har registrerats.")
    else:
        for _a, msg in form.error_summary():
            messages.error(request, msg)
    return redirect("quality:detail", slug="kontrollmoment", pk=pk)


# --- Reports --------------------------------------------------------------------------------


@login_required
def reports(request):
    if not perm.may_read_reports(request.user):
        raise PermissionDenied
    year = _year(request)
    from akta.quality.reports import SECTIONS

    sections = {s.key: s for s in m.ReportSection.objects.filter(year=year)}
    return render(request, "quality/reports.html", {
        "year": year, "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
        "sections": [{"key": s.key, "title": s.title, "narrative": s.narrative,
                      "text": sections[s.key].text if s.key in sections else ""} for s in SECTIONS],
        "quarters": [1, 2, 3, 4], "may_manage": perm.may_manage(request.user),
        "ic_plan": m.InternalControlPlan.objects.filter(year=year).first(),
    })


@login_required
def edit_section(request, year, key):
    check_year(year)
    if not perm.may_manage(request.user):
        raise PermissionDenied
    from akta.quality.reports import SECTIONS

    spec = next((s for s in SECTIONS if s.key == key and s.narrative), None)
    if spec is None:
        raise Http404
    section = m.ReportSection.objects.filter(year=year, key=key).first()
    form = f.SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            if section is None:
                services.create(m.ReportSection, request.user, year=year, key=key, text=form.cleaned_data["text"])
            else:
                services.update(m.ReportSection.objects.get(pk=section.pk), request.user,
                                request.POST.get("version"), {"text": form.cleaned_data["text"]})
        except services.Conflict as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Avsnittet \"{spec.title}\" har sparats.")
            return redirect(reverse("quality:reports") + f"?ar={year}#avsnitt-{key}")
    return render(request, "quality/section_form.html", {
        "form": form, "spec": spec, "year": year, "section": section,
        "history": history_rows(section) if section else [],
    })


@login_required
def annual_report(request, year, fmt):
    check_year(year)
    if not perm.may_read_reports(request.user):
        raise PermissionDenied
    from akta.quality.reports import annual_report as build

    return _document_response(build(year), fmt, f"kvalitetsberattelse-{year}")


@login_required
def quarterly_report(request, year, quarter, fmt):
    check_year(year)
    if not perm.may_read_reports(request.user) or quarter not in (1, 2, 3, 4):
        raise PermissionDenied if quarter in (1, 2, 3, 4) else Http404
    from akta.quality.reports import quarterly_report as build

    return _document_response(build(year, quarter), fmt, f"lex-sarah-och-avvikelser-{year}-kv{quarter}")


@login_required
def internal_control_report(request, year, fmt):
    check_year(year)
    if not perm.may_read_reports(request.user):
        raise PermissionDenied
    from akta.quality.reports import internal_control_report as build

    until = date_param(request.GET, "till", "Till och med")
    return _document_response(build(year, until=until), fmt, f"internkontroll-{year}")
