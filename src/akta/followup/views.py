"""Web pages of the follow-up component (/uppfoljning/). Thin: every number comes from
akta.followup.services, every format from akta.followup.export/charts/pack."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from akta.access.models import Area
from akta.followup import internal_control as internal_control_mod
from akta.followup import pack as pack_mod
from akta.followup.charts import chart_for_table, png, svg
from akta.followup.disclosure import PUBLISH_THRESHOLD
from akta.followup.drilldown import drilldown
from akta import municipality
from akta.followup.engine import SEX_LABELS, ParameterError
from akta.followup.export import MASK_MARK, to_csv, to_xlsx
from akta.followup.indicators import INDICATORS, get
from akta.followup.models import SavedReport
from akta.followup.reconcile import ReconcileError, reconcile
from akta.followup.reports import save_report, verify
from akta.followup.services import compute

PARAM_NAMES = ("year", "from", "to", "as_of", "as_reported")
AREA_CHOICES = tuple(Area.choices)


def _params(request):
    """The table's parameters from the query: single values, and ``area`` (repeated) as a list."""
    q = request.GET if request.method == "GET" else request.POST
    out = {k: q.get(k, "").strip() for k in PARAM_NAMES if q.get(k, "").strip()}
    areas = [a.strip() for a in q.getlist("area") if a.strip()]
    if areas:
        out["area"] = areas
    return out


def _pairs(params):
    """(name, value) pairs of the parameters, one per area (for hidden inputs and links)."""
    out = []
    for k, v in params.items():
        for x in (v if isinstance(v, list) else [v]):
            out.append((k, x))
    return out


def _query(params):
    return urlencode(_pairs(params))


def _area_text(areas):
    labels = dict(Area.choices)
    return ", ".join(labels.get(a, a) for a in areas)


def _default_params(ind, params=None):
    """``params`` with last year (or its last day) when they name no period or day."""
    params = dict(params or {})
    if not any(params.get(k) for k in ("year", "from", "to", "as_of")):
        last_year = dt.date.today().year - 1
        params.update({"as_of": f"{last_year}-12-31"} if ind.period == "as_of" else {"year": str(last_year)})
    return params


def _mask(request):
    q = request.GET if request.method == "GET" else request.POST
    v = q.get("mask", "").strip()
    if not v or v == "0":
        return None
    try:
        n = int(v)
    except ValueError:
        raise ParameterError("röjandeskydd: ange ett heltal (10 för publicering)") from None
    if n < 1:
        raise ParameterError("röjandeskydd: ange ett positivt heltal")
    return n


def _compute(ind_id, params, mask=None):
    return compute(ind_id, year=params.get("year"), from_date=params.get("from"), to_date=params.get("to"),
                   as_of=params.get("as_of"), as_reported=params.get("as_reported"), area=params.get("area"),
                   mask=mask)


def _value_text(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    if isinstance(v, int):
        return f"{v:,}".replace(",", "\u00a0")
    return str(v)


def display(table, drill_base=None, query=None):
    """Header and rows of a table for the templates: labels, masked '..', drill-down links."""
    ind = table.indicator
    dims = {d.name: d for d in ind.dims}
    header = [ind.column_label(c) for c in table.columns]
    rows = []
    for i, row in enumerate(table.rows):
        rec = dict(zip(table.columns, row))
        summary = table.key_of(row) in table.summary_keys
        cells = []
        for c, v in zip(table.columns, row):
            cell = {"text": "", "num": False, "href": None, "key": c in ind.key_columns}
            if c == "sex":
                cell["text"] = SEX_LABELS.get(v, v)
            elif c in dims:
                cell["text"] = dims[c].label_of(v)
            elif (i, c) in table.masked:
                cell.update(text=MASK_MARK, num=True, masked=True)
            else:
                cell.update(text=_value_text(v), num=True)
                if drill_base and not summary and c in ind.count_columns and v:
                    q = dict(query or {})
                    q.update({f"k_{k}": rec[k] for k in ind.key_columns})
                    q["column"] = c
                    cell["href"] = f"{drill_base}?{_query(q)}"
            cells.append(cell)
        rows.append({"cells": cells, "total": rec.get("sex") == "totalt", "summary": summary})
    return header, rows


@login_required
def index(request):
    spec = [i for i in INDICATORS.values() if i.spec]
    ext = [i for i in INDICATORS.values() if not i.spec]
    return render(request, "followup/index.html", {
        "spec": spec, "extensions": ext, "default_year": dt.date.today().year - 1,
        "reports": SavedReport.objects.select_related("created_by")[:10],
    })


@login_required
def indicator(request, ind_id):
    try:
        ind = get(ind_id)
    except ParameterError:
        raise Http404("okänd indikator") from None
    params = _default_params(ind, _params(request))
    fmt = request.GET.get("format", "html")
    try:
        mask = _mask(request)
        table = _compute(ind.id, params, mask)
    except ParameterError as e:
        if fmt != "html":
            return JsonResponse({"error": str(e)}, status=400)
        return render(request, "followup/indicator.html", {
            "ind": ind, "params": params, "error": str(e), "area_choices": AREA_CHOICES,
            "definition": ind.definition_text(), "reference": ind.reference_text()}, status=400)
    stem = f"{ind.id}_" + "_".join("-".join(v) if isinstance(v, list) else str(v)
                                   for k, v in sorted(table.params.items()) if k != "as_reported")
    if fmt == "json":
        resp = HttpResponse(table.to_json(indent=1), content_type="application/json; charset=utf-8")
        return resp
    if fmt == "csv":
        resp = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return resp
    if fmt == "xlsx":
        resp = HttpResponse(to_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return resp
    chart = chart_for_table(table)
    if fmt == "svg":
        return HttpResponse(svg(chart), content_type="image/svg+xml")
    if fmt == "png":
        return HttpResponse(png(chart), content_type="image/png")
    query = dict(params)
    if mask:
        query["mask"] = mask
    header, rows = display(table, reverse("followup:cell", args=[ind.id]), params)
    return render(request, "followup/indicator.html", {
        "ind": ind, "table": table, "header": header, "rows": rows, "params": params, "mask": mask,
        "query": _query(query), "chart_svg": svg(chart, "chart-main"), "chart": chart,
        "publish_threshold": PUBLISH_THRESHOLD, "hidden": _pairs(params), "area_choices": AREA_CHOICES,
        "area_text": _area_text(table.areas), "definition": table.definition_text, "reference": table.reference_text,
    })


@login_required
def cell(request, ind_id):
    try:
        ind = get(ind_id)
    except ParameterError:
        raise Http404("okänd indikator") from None
    try:
        params = _params(request)
        column = request.GET.get("column", "")
        key = {k: request.GET.get(f"k_{k}", "") for k in ind.key_columns}
        table = _compute(ind.id, params)
        from akta.followup.services import normalize_params

        norm = normalize_params(ind.id, params.get("year"), params.get("from"), params.get("to"),
                                params.get("as_of"), params.get("as_reported"), params.get("area"))
        value = table.cell(tuple(key[k] for k in ind.key_columns), column)
        if value is None:
            raise ParameterError("cellen finns inte i tabellen")
        dd = drilldown(request.user, ind.id, norm, key, column)
    except ParameterError as e:
        return render(request, "followup/cell.html", {"ind": ind, "error": str(e)}, status=400)
    dims = {d.name: d for d in ind.dims}
    key_labels = [(ind.column_label(k), SEX_LABELS.get(v, v) if k == "sex" else dims[k].label_of(v)) for k, v in key.items()]
    return render(request, "followup/cell.html", {
        "ind": ind, "dd": dd, "value": value, "key_labels": key_labels, "column_label": ind.column_label(column),
        "back": reverse("followup:indicator", args=[ind.id]) + "?" + _query(params),
        "area_text": _area_text(norm.get("area", ())),
    })


@login_required
@require_POST
def save(request, ind_id):
    try:
        ind = get(ind_id)
        params = _params(request)
        report = save_report(request.user, ind.id, params, mask=_mask(request), title=request.POST.get("title", "").strip())
    except ParameterError as e:
        messages.error(request, str(e))
        return redirect("followup:index")
    messages.success(request, "Rapporten är sparad med sin innehållshash.")
    return redirect("followup:report", pk=report.pk)


@login_required
def reports(request):
    return render(request, "followup/reports.html", {"reports": SavedReport.objects.select_related("created_by")[:200]})


@login_required
def report(request, pk):
    r = get_object_or_404(SavedReport, pk=pk)
    ind = get(r.indicator)
    v = verify(r)
    header, rows = display(v.as_reported)
    return render(request, "followup/report.html", {"r": r, "ind": ind, "v": v, "header": header, "rows": rows,
                                                    "params": r.parameters, "area_text": _area_text(v.as_reported.areas),
                                                    "definition": v.as_reported.definition_text,
                                                    "reference": v.as_reported.reference_text})


@login_required
@require_http_methods(["GET", "POST"])
def reconcile_view(request, ind_id):
    try:
        ind = get(ind_id)
    except ParameterError:
        raise Http404("okänd indikator") from None
    params = _default_params(ind, _params(request))
    ctx = {"ind": ind, "params": params, "columns": ind.column_names, "hidden": _pairs(params)}
    if request.method == "POST":
        upload = request.FILES.get("stated")
        try:
            if not upload:
                raise ReconcileError("välj en CSV-fil")
            if upload.size > 5 * 1024 * 1024:
                raise ReconcileError("filen är för stor (högst 5 MB)")
            table = _compute(ind.id, params)
            result = reconcile(upload.read(), table)
        except (ReconcileError, ParameterError) as e:
            ctx["error"] = str(e)
            return render(request, "followup/reconcile.html", ctx, status=400)
        dims = {d.name: d for d in ind.dims}

        def key_text(key):
            parts = []
            for k, v in zip(result.key_columns, key):
                parts.append(SEX_LABELS.get(v, v) if k == "sex" else dims[k].label_of(v))
            return ", ".join(parts)

        ctx.update(result=result, diffs=[
            {"cell": key_text(d.key), "column": ind.column_label(d.column), "stated": _value_text(d.stated) or "(saknas)",
             "computed": _value_text(d.computed) or "(saknas)", "diff": _value_text(d.diff)} for d in result.differences],
            totals=[{"cell": key_text(t.key), "column": ind.column_label(t.column), "stated": _value_text(t.stated_total),
                     "parts": _value_text(t.sum_of_parts)} for t in result.total_problems])
    return render(request, "followup/reconcile.html", ctx)


@login_required
def committee_pack(request):
    q = request.GET
    try:
        year = int(q.get("year") or dt.date.today().year - 1)
        if not 1950 <= year <= 2200:
            raise ValueError
    except ValueError:
        return render(request, "followup/pack.html", {"error": "ogiltigt år"}, status=400)
    mask = PUBLISH_THRESHOLD if q.get("mask", "10") not in ("0", "") else None
    muni = municipality.name()
    areas = [a.strip() for a in q.getlist("area") if a.strip()]
    try:
        ctx = pack_mod.context(year, mask=mask, municipality=muni, as_reported=q.get("as_reported") or None,
                               areas=areas)
    except ParameterError as e:
        return render(request, "followup/pack.html", {"error": str(e)}, status=400)
    stem = f"uppfoljning_{year}" + "".join(f"_{a}" for a in ctx["areas"])
    document = _document(q.get("format", "html"), stem, lambda: pack_mod.to_docx(ctx), lambda: pack_mod.to_pdf(ctx))
    if document is not None:
        return document
    ctx["query_mask"] = "10" if mask else "0"
    ctx["area_query"] = "".join(f"&area={a}" for a in ctx["areas"])
    ctx["area_choices"] = AREA_CHOICES
    return render(request, "followup/pack.html", ctx)


def _document(fmt, stem, docx, pdf):
    """A DOCX or PDF download of a committee document (``fmt``), or None for the page."""
    if fmt == "docx":
        resp = HttpResponse(docx(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    elif fmt == "pdf":
        resp = HttpResponse(pdf(), content_type="application/pdf")
    else:
        return None
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp


@login_required
def internal_control(request):
    """The committee's internal control of child investigations (seed 002 § 26), from
    ``utredningar_open`` scoped to barn och unga; page, DOCX or PDF."""
    q = request.GET
    as_of = q.get("as_of", "").strip() or f"{dt.date.today().year - 1}-12-31"
    mask = PUBLISH_THRESHOLD if q.get("mask", "0") not in ("0", "") else None
    muni = municipality.name()
    try:
        rep = internal_control_mod.build(as_of, mask=mask, municipality=muni)
    except ParameterError as e:
        return render(request, "followup/internal_control.html", {"error": str(e), "as_of": as_of, "mask": mask},
                      status=400)
    stem = f"internkontroll_barnutredningar_{rep.as_of.isoformat()}"
    document = _document(q.get("format", "html"), stem, lambda: internal_control_mod.to_docx(rep),
                         lambda: internal_control_mod.to_pdf(rep))
    if document is not None:
        return document
    return render(request, "followup/internal_control.html", {"rep": rep, "as_of": rep.as_of.isoformat(), "mask": mask})

