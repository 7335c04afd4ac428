"""Pages of the deadlines component (Swedish): worklists, the committee's overview, settings
and the quarterly report of non-implemented decisions with reconciliation.

Thin views: the deadlines come from :mod:`akta.deadlines.worklist` (the same computation as
``akta deadlines``), the report from :mod:`akta.deadlines.evb`. Only cases the user may see are
listed; protected persons are shown as "Skyddad identitet" without the explicit right; a CSV
export of personal data is logged.
"""
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from akta.access.models import Unit
from akta.access.services import PROTECTED_LABEL, may_report_to_ivo, may_see_case, may_see_protected, unit_ids
from akta.audit.services import log_reads
from akta.cases.models import Case, Sex
from akta.cases.schema import INTERVENTIONS
from akta.deadlines import evb, reports
from akta.deadlines import subjects as S
from akta.deadlines.forms import (
    CullingForm,
    LocalRuleForm,
    StatedTotalForm,
    WorklistFilterForm,
)
from akta.deadlines.models import (
    DEFAULT_WARNING_DAYS,
    KronparmGallring,
    LocalDeadlineRule,
    StatedTotal,
    WarningSetting,
)
from akta.deadlines.worklist import (
    COMMITTEE_ROLES,
    SECTION_LABELS,
    SETTINGS_ROLES,
    committee_counts,
    person_labels,
    section_of,
    user_deadlines,
    warning_days,
    week_end,
)
from akta.law import services as law
from akta.spreadsheet import csv_dictwriter, csv_writer
from akta.params import int_param, quarter_param

SECTION_ROWS = 25
PAGE_SIZE = 100
DEFAULT_SECTIONS = ("forsenade", "vecka", "varning")


def _case_url_template():
    try:
        return reverse("cases:detail", args=["__ID__"])
    except NoReverseMatch:
        return None


def rule_choices(today):
    out = []
    for rid in S.LAW_RULES:
        try:
            out.append((rid, law.rule(rid, today).title))
        except law.LawDataMissing:
            continue
    local = {r.code: f"{r.title} (lokal)" for r in LocalDeadlineRule.objects.order_by("valid_from")}
    return out + sorted(local.items(), key=lambda c: c[1])


def _nav(request, current):
    user = request.user
    return {
        "current": current,
        "show_lists": bool(unit_ids(user)),
        "show_committee": user.role in COMMITTEE_ROLES,
        "show_settings": bool(unit_ids(user)) or user.role in COMMITTEE_ROLES,
    }


@login_required
def index(request):
    if unit_ids(request.user):
        return redirect("deadlines:mine")
    if request.user.role in COMMITTEE_ROLES:
        return redirect("deadlines:committee")
    raise PermissionDenied


def _rows(request, deadlines, today, warn, labels=None):
    labels = person_labels(request.user, deadlines) if labels is None else labels
    url = _case_url_template()
    rows = []
    for d in deadlines:
        if d.case.pk not in labels:
            continue  # no longer in the user's units
        label, masked = labels[d.case.pk]
        days = (d.due - today).days
        if days < 0:
            status = f"Försenad {-days} {'dag' if days == -1 else 'dagar'}"
        elif days == 0:
            status = "Förfaller i dag"
        else:
            status = f"Om {days} {'dag' if days == 1 else 'dagar'}"
        rows.append({
            "d": d, "section": section_of(d, today, warn), "status": status, "person": label, "masked": masked,
            "case_url": url.replace("__ID__", d.case.ext_id) if url else None,
            "warn": 0 <= days <= warn.get(d.rule, DEFAULT_WARNING_DAYS),
        })
    return rows


def _worklist(request, scope):
    today = timezone.localdate()
    nav = _nav(request, scope)
    if not unit_ids(request.user):
        return render(request, "deadlines/worklist.html", {"nav": nav, "no_cases": True, "scope": scope})
    form = WorklistFilterForm(request.GET or None, rules=rule_choices(today),
                              units=Unit.objects.filter(pk__in=unit_ids(request.user)).order_by("name"))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    deadlines, _units = user_deadlines(request.user, scope, today, unit_code=data.get("enhet") or None)
    culling = 0
    if data.get("regel"):
        deadlines = [d for d in deadlines if d.rule == data["regel"]]
    else:
        # Culling of the kronpärm is a registry task, done in bulk per unit: counted apart.
        listed, rest = S.LISTED_FROM_DUE, []
        for d in deadlines:
            if d.rule not in listed:
                rest.append(d)
        culling, deadlines = len(deadlines) - len(rest), rest
    warn = warning_days()
    status = data.get("status") or ""
    by_section = {key: [] for key in SECTION_LABELS}  # each in due order
    for d in deadlines:
        by_section[section_of(d, today, warn)].append(d)
    counts = {key: len(items) for key, items in by_section.items()}
    wanted = DEFAULT_SECTIONS if status == "" else (tuple(SECTION_LABELS) if status == "alla" else (status,))
    if len(wanted) == len(SECTION_LABELS):
        selected = deadlines
    else:  # försenade < vecka < varning by due date, so the concatenation keeps the due order
        selected = [d for key in SECTION_LABELS if key in wanted for d in by_section[key]]

    if request.GET.get("format") == "csv":
        return _csv(request, scope, _rows(request, selected, today, warn))

    params = request.GET.copy()
    params.pop("sida", None)
    context = {"nav": nav, "scope": scope, "form": form, "today": today, "week_end": week_end(today),
               "counts": counts, "status": status, "query_string": params.urlencode(), "culling": culling,
               "title": "Mina bevakningar" if scope == "mina" else "Bevakningar i min enhet"}
    if status == "":
        sections = []
        # The persons of every section's first rows in one query.
        labels = person_labels(request.user, [d for key in DEFAULT_SECTIONS for d in by_section[key][:SECTION_ROWS]])
        for key in DEFAULT_SECTIONS:
            items = by_section[key]
            sections.append({"key": key, "label": SECTION_LABELS[key], "count": len(items),
                             "rows": _rows(request, items[:SECTION_ROWS], today, warn, labels)})
        context["sections"] = sections
    else:
        page = Paginator(selected, PAGE_SIZE).get_page(request.GET.get("sida"))
        context["page"] = page
        context["rows"] = _rows(request, list(page.object_list), today, warn)
        context["list_label"] = "Alla bevakningar" if status == "alla" else SECTION_LABELS[status]
    return render(request, "deadlines/worklist.html", context)


def _csv(request, scope, rows):
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\r\n")
    w.writerow(["Förfaller", "Status", "Regel", "Lagrum eller beslut", "Ärende", "Person", "Enhet", "Startdatum",
                "Regel-id", "Ämne-id"])
    for r in rows:
        d = r["d"]
        w.writerow([d.due.isoformat(), r["status"], d.title, d.legal_reference, d.case.ext_id, r["person"],
                    d.unit_code, d.start.isoformat(), d.rule, d.subject_id])
    # Every person in the file is logged, so `akta auditlog person ID` finds the export.
    from akta.cases.models import Person

    persons = Person.objects.filter(cases__pk__in={r["d"].case.pk for r in rows}).only("pk", "protected_identity")
    log_reads(request.user, "bevakningar", scope, persons.distinct(),
              context=f"export av {len(rows)} bevakningar (CSV)")
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bevakningar-{scope}-{timezone.localdate()}.csv"'
    return response


@login_required
def mine(request):
    return _worklist(request, "mina")


@login_required
def unit(request):
    return _worklist(request, "enhet")


@login_required
def committee(request):
    if request.user.role not in COMMITTEE_ROLES:
        raise PermissionDenied
    today = timezone.localdate()
    rules, units, totals = committee_counts(today)
    return render(request, "deadlines/committee.html", {
        "nav": _nav(request, "namnden"), "today": today, "rules": rules, "units": units, "totals": totals,
        "sections": list(SECTION_LABELS.items()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    if not unit_ids(user) and user.role not in COMMITTEE_ROLES:
        raise PermissionDenied
    may_edit = user.role in SETTINGS_ROLES
    today = timezone.localdate()
    rules = rule_choices(today)
    current = WarningSetting.days_by_rule()
    my_units = Unit.objects.all() if user.role == "systemforvaltare" else Unit.objects.filter(pk__in=unit_ids(user))
    local_form = LocalRuleForm(prefix="lokal")
    culling_form = CullingForm(prefix="gallring", units=my_units, initial={"performed_on": today})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "varningar":
            errors = []
            for rid, title in rules:
                raw = request.POST.get(f"dagar_{rid}", "").strip()
                if raw == "":
                    continue
                if not raw.isdigit() or int(raw) > 365:
                    errors.append(f"{title}: ange ett antal dagar mellan 0 och 365")
                    continue
                WarningSetting.objects.update_or_create(rule_id=rid, defaults={"days": int(raw), "updated_by": user})
            for e in errors:
                messages.error(request, e)
            if not errors:
                messages.success(request, "Varningsinställningarna är sparade.")
                return redirect("deadlines:settings")
        elif action == "lokal":
            local_form = LocalRuleForm(request.POST, prefix="lokal")
            if local_form.is_valid():
                rule = local_form.save(commit=False)
                rule.created_by = user
                rule.save()
                messages.success(request, f"Den lokala tidsgränsen {rule.title} är sparad.")
                return redirect("deadlines:settings")
        elif action == "avsluta_lokal":
            rule = LocalDeadlineRule.objects.filter(pk=int_param(request.POST, "id", "Lokal regel", minimum=1)).first()
            if rule and (rule.valid_to is None or rule.valid_to > today):
                rule.valid_to = max(today, rule.valid_from)
                rule.save()
                messages.success(request, f"{rule.title} gäller till och med {rule.valid_to}.")
            return redirect("deadlines:settings")
        elif action == "gallring":
            culling_form = CullingForm(request.POST, prefix="gallring", units=my_units)
            if culling_form.is_valid():
                c = culling_form.save(commit=False)
                c.performed_by = user
                c.save()
                messages.success(request, f"Gallringen av den kronologiska pärmen för {c.unit} är registrerad.")
                return redirect("deadlines:settings")
    warnings = [{"rule": rid, "title": title, "days": current.get(rid, DEFAULT_WARNING_DAYS)} for rid, title in rules]
    return render(request, "deadlines/settings.html", {
        "nav": _nav(request, "installningar"), "may_edit": may_edit, "warnings": warnings,
        "local_rules": LocalDeadlineRule.objects.all(), "local_form": local_form, "culling_form": culling_form,
        "cullings": KronparmGallring.objects.select_related("unit", "performed_by").order_by("-performed_on")[:20],
        "today": today, "default_days": DEFAULT_WARNING_DAYS,
    })


def _quarter(request):
    text = request.GET.get("kvartal") or request.POST.get("kvartal")
    if text:
        return quarter_param(text)  # a malformed or out-of-range quarter is a 400 naming the field
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


@login_required
@require_http_methods(["GET", "POST"])
def evb_page(request):
    user = request.user
    if user.role not in COMMITTEE_ROLES:
        raise PermissionDenied
    year, q = _quarter(request)
    label = evb.quarter_label(year, q)
    form = StatedTotalForm()
    if request.method == "POST":
        form = StatedTotalForm(request.POST)
        if form.is_valid():
            form.save(label, user)
            messages.success(request, "Den angivna summan är sparad.")
            return redirect(f"{reverse('deadlines:evb')}?kvartal={label}")
    report = evb.report(year, q)
    stated = StatedTotal.objects.filter(quarter=label)
    reconciliation = evb.reconcile(report, stated) if stated else None
    url = _case_url_template()
    rows = []
    shown_rows = evb_rows_for(user, report)
    for shown in shown_rows:
        r = shown["r"]
        rows.append({"r": r, "ivo_id": shown["ivo_id"], "masked": shown["masked"],
                     "case_url": url.replace("__ID__", r.case_id) if (url and shown["visible"]) else None,
                     "intervention": INTERVENTIONS.get(r.intervention, r.intervention),
                     "status": evb.STATUS_LABELS[r.status], "sex": dict(Sex.choices).get(r.sex, r.sex)})
    log_reads(user, "evb", label, [shown["person"] for shown in shown_rows],
              context=f"ej verkställda beslut {label} (sidan)")
    ctx = reports.context(report)
    today = timezone.localdate()
    quarters = []
    yy, qq = today.year, (today.month - 1) // 3 + 1
    for _ in range(12):
        quarters.append(evb.quarter_label(yy, qq))
        yy, qq = (yy, qq - 1) if qq > 1 else (yy - 1, 4)
    if label not in quarters:
        quarters.append(label)
    return render(request, "deadlines/evb.html", {
        "nav": _nav(request, "evb"), "report": report, "label": label, "rows": rows, "ctx": ctx, "form": form,
        "reconciliation": reconciliation, "quarters": quarters, "may_report_to_ivo": may_report_to_ivo(user),
    })


def evb_rows_for(user, report):
    """The report's rows as this user may see them: the one masking of the page and the downloads.

    * ``ivo_id``: the pseudo-id holds the birth date and the sex digit. It is shown only to the
      roles that report to IVO (``may_report_to_ivo``), and for a protected person only with
      the explicit right; otherwise "Skyddad identitet" (protected) or None.
    * ``case_id``: only for a case the user may open (``may_see_case``), as the page links it.
    * ``person``: the row's person (pk and protected flag), for the read log.
    """
    from akta.cases.models import Person

    case_pks = {r.case_pk for r in report.rows}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_pks).only("pk", "unit_id", "person_id")}
    persons = Person.objects.only("pk", "protected_identity").in_bulk({c.person_id for c in cases.values()})
    reporter = may_report_to_ivo(user)
    out = []
    for r in report.rows:
        case = cases.get(r.case_pk)
        visible = case is not None and may_see_case(user, case)
        masked = r.person_protected and not may_see_protected(user)
        ivo = PROTECTED_LABEL if masked else (r.ivo_id if reporter else None)
        out.append({"r": r, "ivo_id": ivo, "masked": masked, "visible": visible,
                    "case_id": r.case_id if visible else None,
                    "person": persons.get(case.person_id) if case is not None else None})
    return out


def _evb_row_dict(shown):
    return {**shown["r"].as_dict(), "ivo_id": shown["ivo_id"], "case_id": shown["case_id"]}


@login_required
def evb_download(request, quarter, fmt):
    user = request.user
    if user.role not in COMMITTEE_ROLES:
        raise PermissionDenied
    if fmt in ("json", "csv") and not may_report_to_ivo(user):
        raise PermissionDenied  # the IVO file: only for the roles that report to IVO
    year, q = quarter_param(quarter, "quarter")
    report = evb.report(year, q)
    name = f"ej-verkstallda-beslut-{report.label}"
    shown_rows = evb_rows_for(user, report)
    # Every person in the file is logged, so `akta auditlog person ID` finds the download (the PDF
    # and XLSX carry no identifiers, but a row per decision of the person all the same).
    what = "IVO-fil" if fmt in ("json", "csv") else "rapport"
    log_reads(user, "evb", report.label, [s["person"] for s in shown_rows],
              context=f"{what} ej verkställda beslut {report.label} ({fmt})")
    if fmt == "json":
        data = {"rows": [_evb_row_dict(s) for s in shown_rows], "totals": [dict(t) for t in report.totals]}
        response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv_dictwriter(buf, fieldnames=evb.ROW_FIELDS, lineterminator="\r\n")
        w.writeheader()
        for s in shown_rows:
            d = _evb_row_dict(s)
            w.writerow({**d, "interruption_date": d["interruption_date"] or "", "ivo_id": d["ivo_id"] or "",
                        "case_id": d["case_id"] or ""})
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        stated = StatedTotal.objects.filter(quarter=report.label)
        response = HttpResponse(reports.evb_xlsx(report, evb.reconcile(report, stated) if stated else None),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        stated = StatedTotal.objects.filter(quarter=report.label)
        response = HttpResponse(reports.evb_pdf(report, evb.reconcile(report, stated) if stated else None),
                                content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
