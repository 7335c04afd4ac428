"""The EVB report to kommunfullmäktige and the revisorer as PDF (WeasyPrint) and XLSX (openpyxl).

Built like Kalix's reports (seed 003 §§ 33–34): a summary table by legal basis × sex, derived
from the detail rows (never typed in), the detail list with reason and offers, and the
waiting times 3–6, 6–9 and 9–12 months (seed 001). Legal references are rendered by the law
component: the reporting duty as in force on the quarter's last day, each decision's legal
basis as in force on its decision date. The committee's report carries no personal
identifiers (no ivo_id, no case id): those go to IVO through ``akta evb --format json|csv``.
"""
from __future__ import annotations

import re
from collections import Counter

from django.template.loader import render_to_string

from akta.cases.models import Sex
from akta.cases.schema import INTERVENTIONS
from akta import municipality
from akta.deadlines import evb
from akta.law import services as law

SEX_COLUMNS = ((Sex.MAN, "Män"), (Sex.KVINNA, "Kvinnor"), (Sex.OKANT, "Okänt kön"))
SEX_LABELS = {Sex.KVINNA: "Kvinna", Sex.MAN: "Man", Sex.OKANT: "Okänt"}


def basis_sort_key(basis):
    """SoL before LSS, and LSS 9 § 2 before LSS 9 § 10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", basis)]


def summary(report):
    """Rows [basis, label, [counts per SEX_COLUMNS], total] and the column sums, from report.totals."""
    by_basis = {}
    for t in report.totals:
        by_basis.setdefault(t["legal_basis"], Counter())[t["sex"]] += t["count"]
    rows = []
    for basis in sorted(by_basis, key=basis_sort_key):
        counts = [by_basis[basis][sex] for sex, _ in SEX_COLUMNS]
        rows.append({"basis": basis, "label": evb.basis_reference(basis, report.last), "counts": counts,
                     "total": sum(counts)})
    sums = [sum(r["counts"][i] for r in rows) for i in range(len(SEX_COLUMNS))]
    return rows, sums, sum(sums)


def context(report, stated=None):
    rows, sums, total = summary(report)
    band_labels, bands = evb.waiting_bands(report.rows, report.last)
    band_rows = [{"intervention": INTERVENTIONS.get(k, k), "counts": v} for k, v in sorted(bands.items())]
    band_sums = [sum(r["counts"][i] for r in band_rows) for i in range(len(band_labels))]
    status_counts = Counter(r.status for r in report.rows)
    return {
        "report": report,
        "municipality": municipality.name("Socialnämnden"),
        "duty_sol": law.rule_reference("verkstallighet_3m", report.last),
        "duty_lss": law.rule_reference("verkstallighet_3m", report.last, "LSS 9 § 1"),
        "summary_rows": rows,
        "summary_sums": sums,
        "summary_total": total,
        "sex_columns": [label for _, label in SEX_COLUMNS],
        "band_labels": band_labels,
        "band_rows": band_rows,
        "band_sums": band_sums,
        "status_counts": [(evb.STATUS_LABELS[s], status_counts.get(s, 0)) for s in evb.STATUSES],
        "details": [detail(r) for r in report.rows],
        "stated": stated,
    }


def detail(r):
    return {
        "sex": SEX_LABELS.get(r.sex, r.sex),
        "intervention": INTERVENTIONS.get(r.intervention, r.intervention),
        "legal_reference": r.legal_reference,
        "reason": r.reason,
        "decision_date": r.decision_date.isoformat(),
        "interruption_date": r.interruption_date.isoformat() if r.interruption_date else "",
        "status": evb.STATUS_LABELS[r.status],
        "days_waiting": r.days_waiting,
    }


def evb_pdf(report, stated=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("deadlines/evb_print.html", context(report, stated))
    return HTML(string=html).write_pdf()


def evb_xlsx(report, stated=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    ctx = context(report, stated)
    wb = Workbook()
    bold = Font(bold=True)

    ws = wb.active
    ws.title = "Sammanställning"
    ws.append([f"Redovisning av ej verkställda beslut kvartal {report.quarter} {report.year}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([ctx["municipality"]])
    ws.append([f"Perioden {report.first.isoformat()} – {report.last.isoformat()}"])
    ws.append([f"Rapporteringsskyldighet: {ctx['duty_sol']}; {ctx['duty_lss']}."])
    ws.append(["Summorna är härledda ur detaljraderna på bladet Detaljer."])
    ws.append([])
    ws.append(["Lagrum", "Kod", *ctx["sex_columns"], "Summa"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in ctx["summary_rows"]:
        ws.append([row["label"], row["basis"], *row["counts"], row["total"]])
    ws.append(["Summa totalt", "", *ctx["summary_sums"], ctx["summary_total"]])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.append([])
    ws.append(["Status", "Antal"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for label, n in ctx["status_counts"]:
        ws.append([label, n])
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 14

    ws = wb.create_sheet("Detaljer")
    header = ["Kön", "Insats", "Lagrum", "Orsak och erbjudanden", "Datum för beslut", "Datum för avbrott", "Status",
              "Väntetid (dagar)"]
    ws.append(header)
    for cell in ws[1]:
        cell.font = bold
    for d in ctx["details"]:
        ws.append([d["sex"], d["intervention"], d["legal_reference"], d["reason"], d["decision_date"],
                   d["interruption_date"] or None, d["status"], d["days_waiting"]])
    for col, width in zip("ABCDEFGH", (10, 28, 36, 60, 16, 16, 12, 16), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"

    ws = wb.create_sheet("Väntetider")
    ws.append(["Insats", *ctx["band_labels"]])
    for cell in ws[1]:
        cell.font = bold
    for row in ctx["band_rows"]:
        ws.append([row["intervention"], *row["counts"]])
    ws.append(["Summa", *ctx["band_sums"]])
    ws.column_dimensions["A"].width = 32

    if stated:
        ws = wb.create_sheet("Avstämning")
        ws.append(["Lagrum", "Kön", "Angivet", "Enligt Akta", "Skillnad", "Källa"])
        for cell in ws[1]:
            cell.font = bold
        for c in stated["cells"]:
            ws.append([c["basis_label"], c["sex_label"], c["stated"], c["derived"], c["difference"], c["source"]])

    from akta.spreadsheet import xlsx_bytes

    return xlsx_bytes(wb)
