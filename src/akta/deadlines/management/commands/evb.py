"""`akta evb --quarter YYYYQN [--format json|csv|xlsx|pdf] [--out FILE]` (exchange-v1 §4).

The quarterly report of non-implemented decisions (16 kap. 6 f § SoL, 28 f § LSS); the
definitions are in :mod:`akta.deadlines.evb`. JSON: ``{"rows": [...], "totals": [...]}``
exactly as the spec; CSV: the rows, UTF-8 with a header. XLSX and PDF: the report to
kommunfullmäktige and the revisorer (seed 003 §§ 33–34), written to ``--out``.
"""
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from akta.deadlines import evb
from akta.spreadsheet import csv_dictwriter


class Command(BaseCommand):
    help = "Rapport över ej verkställda gynnande beslut för ett kvartal (IVO, revisorer, kommunfullmäktige)."
    requires_system_checks = []  # a read-only report: skip the ~0.5 s of system checks

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="kvartal ÅÅÅÅQN, t.ex. 2025Q1")
        parser.add_argument("--format", choices=("json", "csv", "xlsx", "pdf"), default="json")
        parser.add_argument("--out", help="skriv till denna fil i stället för standard ut (krävs för xlsx och pdf)")

    def handle(self, *args, quarter, format="json", out=None, **options):
        try:
            year, q = evb.parse_quarter(quarter)
        except evb.BadQuarter as e:
            raise CommandError(f"--quarter: {e}") from None
        if format in ("xlsx", "pdf") and not out:
            raise CommandError(f"--format {format} skriver en binär fil: ange --out FIL")
        report = evb.report(year, q)
        if format in ("xlsx", "pdf"):
            from akta.deadlines import reports

            data = reports.evb_xlsx(report) if format == "xlsx" else reports.evb_pdf(report)
            try:
                Path(out).write_bytes(data)
            except OSError as e:
                raise CommandError(f"--out: kan inte skriva {out}: {e.strerror}") from None
            return
        if format == "json":
            text = json.dumps(report.as_dict(), ensure_ascii=False)
        else:
            buf = io.StringIO()
            writer = csv_dictwriter(buf, fieldnames=evb.ROW_FIELDS, lineterminator="\n")
            writer.writeheader()
            for r in report.rows:
                d = r.as_dict()
                writer.writerow({**d, "interruption_date": d["interruption_date"] or ""})
            text = buf.getvalue().rstrip("\n")
        if out:
            try:
                Path(out).write_text(text + "\n", encoding="utf-8")
            except OSError as e:
                raise CommandError(f"--out: kan inte skriva {out}: {e.strerror}") from None
        else:
            self.stdout.write(text)
