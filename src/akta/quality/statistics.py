"""Figures of the quality registers, aggregated in the database (one computation per number).

Every table states its total as the sum of its rows, never typed in.
"""
import datetime as dt
import statistics as pystats

from django.db.models import Count, F

from akta.quality import models as m


def _label_map(model, field):
    fld = model._meta.get_field(field)
    if fld.is_relation:
        return None
    return {str(k): str(v) for k, v in fld.choices}


def count_by(qs, date_field, group_field, start, end):
    """{group value: count} for rows dated start..end inclusive (aggregated in SQL)."""
    key = f"{group_field}__name" if qs.model._meta.get_field(group_field).is_relation else group_field
    rows = (qs.filter(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
            .values(key).annotate(n=Count("pk")).order_by())
    return {r[key]: r["n"] for r in rows}


def compare(qs, date_field, group_field, year, all_choices=True):
    """Rows (label, previous year, this year, change) and a total derived from the rows."""
    model = qs.model
    labels = _label_map(model, group_field)
    prev = count_by(qs, date_field, group_field, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    cur = count_by(qs, date_field, group_field, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if labels is not None:
        keys = list(labels) if all_choices else [k for k in labels if k in prev or k in cur]
        rows = [(labels[k], prev.get(k, 0), cur.get(k, 0)) for k in keys]
    else:
        keys = sorted(set(prev) | set(cur), key=lambda k: (k is None, k or ""))
        rows = [(k or "Ingen enhet", prev.get(k, 0), cur.get(k, 0)) for k in keys]
    rows = [(label, p, c, c - p) for label, p, c in rows]
    total = ("Totalt", sum(r[1] for r in rows), sum(r[2] for r in rows))
    total = (*total, total[2] - total[1])
    return {"rows": rows, "total": total, "year": year}


def deviations_by(qs, field, year):
    return compare(qs, "reported_on", field, year)


def _days(pairs):
    values = [(b - a).days for a, b in pairs if a and b]
    if not values:
        return None
    return {"n": len(values), "median": pystats.median(values), "mean": round(sum(values) / len(values), 1),
            "max": max(values)}


def lex_sarah_figures(start, end):
    """Counts and day measures of lex Sarah cases reported start..end."""
    qs = m.LexSarah.objects.filter(reported_on__gte=start, reported_on__lte=end)
    by_assessment = {r["assessment"]: r["n"] for r in qs.values("assessment").annotate(n=Count("pk")).order_by()}
    assessed = qs.exclude(assessment="")
    notified = qs.filter(notified_on__isnull=False)
    rows = list(qs.values_list("event_date", "reported_on", "assessed_on", "notified_on"))
    late = 0
    for ls in qs.filter(notified_on__isnull=False, assessed_on__isnull=False):
        if ls.notified_on > ls.notification_due:
            late += 1
    assessments = [(str(v), by_assessment.get(k, 0)) for k, v in m.Assessment.choices]
    return {
        "reported": qs.count(),
        "assessed": assessed.count(),
        "unassessed": qs.filter(assessment="").count(),
        "assessments": assessments,
        "notifiable": qs.filter(assessment__in=list(m.NOTIFIABLE)).count(),
        "notified": notified.count(),
        "notified_late": late,
        "ivo_decided": qs.filter(ivo_decision_on__isnull=False).count(),
        "closed": qs.filter(closed_on__isnull=False).count(),
        "days_event_report": _days([(r[0], r[1]) for r in rows]),
        "days_report_assessment": _days([(r[1], r[2]) for r in rows]),
        "days_assessment_notification": _days([(r[2], r[3]) for r in rows]),
    }


def deviation_figures(start, end):
    qs = m.Deviation.objects.filter(reported_on__gte=start, reported_on__lte=end)
    closed = list(qs.filter(closed_on__isnull=False).values_list("reported_on", "closed_on"))
    return {
        "reported": qs.count(),
        "closed": len(closed),
        "open": qs.exclude(status=m.DeviationStatus.AVSLUTAD).count(),
        "by_category": [(str(v), n) for v, n in _by_choices(qs, "category", m.DeviationCategory)],
        "by_status": [(str(v), n) for v, n in _by_choices(qs, "status", m.DeviationStatus)],
        "with_actions": qs.filter(actions__isnull=False).distinct().count(),
        "days_to_close": _days(closed),
    }


def _by_choices(qs, field, choices):
    counts = {r[field]: r["n"] for r in qs.values(field).annotate(n=Count("pk")).order_by()}
    return [(label, counts.get(value, 0)) for value, label in choices.choices]


def complaint_figures(start, end):
    qs = m.Complaint.objects.filter(received_on__gte=start, received_on__lte=end)
    answered = list(qs.filter(response_on__isnull=False).values_list("received_on", "response_on"))
    needs_answer = qs.exclude(kind=m.ComplaintKind.BEROM)
    return {
        "received": qs.count(),
        "by_kind": [(str(v), n) for v, n in _by_choices(qs, "kind", m.ComplaintKind)],
        "by_channel": [(str(v), n) for v, n in _by_choices(qs, "channel", m.Channel)],
        "by_theme": [(str(v), n) for v, n in _by_choices(qs, "theme", m.Theme)],
        "needs_answer": needs_answer.count(),
        "answered": needs_answer.filter(response_on__isnull=False).count(),
        "days_to_answer": _days(answered),
    }


def risk_matrix(qs):
    """4×4 grid, likelihood rows 4→1, consequence columns 1→4, with counts and risks."""
    cells = {}
    for r in qs.values("likelihood", "consequence").annotate(n=Count("pk")).order_by():
        cells[(r["likelihood"], r["consequence"])] = r["n"]
    risks = {}
    for risk in qs.only("pk", "number", "title", "likelihood", "consequence"):
        risks.setdefault((risk.likelihood, risk.consequence), []).append(risk)
    rows = []
    for lik in (4, 3, 2, 1):
        row = []
        for con in (1, 2, 3, 4):
            score = lik * con
            row.append({"likelihood": lik, "consequence": con, "score": score, "level": m.risk_level(score),
                        "n": cells.get((lik, con), 0), "risks": risks.get((lik, con), [])})
        rows.append({"likelihood": lik, "cells": row})
    return rows


def risk_levels(qs):
    rows = qs.annotate(score=F("likelihood") * F("consequence")).values("score").annotate(n=Count("pk")).order_by()
    out = {"låg": 0, "måttlig": 0, "hög": 0, "mycket hög": 0}
    for r in rows:
        out[m.risk_level(r["score"])] += r["n"]
    return out


def action_figures(year):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = m.Action.objects.all()
    due = qs.filter(due_date__gte=start, due_date__lte=end)
    return {
        "due": due.count(),
        "done": due.filter(status=m.ActionStatus.GENOMFORD).count(),
        "done_in_time": due.filter(status=m.ActionStatus.GENOMFORD, completed_on__lte=F("due_date")).count(),
        "open_overdue": qs.filter(status__in=[m.ActionStatus.PLANERAD, m.ActionStatus.PAGAR],
                                  due_date__lte=end).count(),
    }
