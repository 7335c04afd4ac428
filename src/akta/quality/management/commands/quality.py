"""`akta quality`: the kvalitetsberättelse and the committee reports as DOCX or PDF.

    akta quality report --year 2024 --format docx --out kvalitetsberattelse-2024.docx
    akta quality quarter --year 2024 --quarter 2 --format pdf --out lex-sarah-kv2.pdf
    akta quality internkontroll --year 2024 [--until 2024-09-30] --format pdf --out ik.pdf
    akta quality demo --year 2025      (demo records for 2025 and 2024; needs the demo users)
"""
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from akta.quality import reports
from akta.quality.documents import render_document


class Command(BaseCommand):
    help = "Kvalitetsberättelsen och rapporterna till nämnden (DOCX eller PDF)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{report,quarter,internkontroll,demo}")
        demo = sub.add_parser("demo", help="Ett års demodata i kvalitetsregistren (och ett lättare föregående år)")
        demo.add_argument("--year", type=int, required=True)
        for name, help_text in (("report", "Kvalitetsberättelsen för ett år"),
                                ("quarter", "Lex Sarah och avvikelser för ett kvartal"),
                                ("internkontroll", "Uppföljning av internkontrollplanen")):
            p = sub.add_parser(name, help=help_text)
            p.add_argument("--year", type=int, required=True)
            p.add_argument("--format", choices=["docx", "pdf"], required=True)
            p.add_argument("--out", required=True, help="Filen som skrivs.")
            if name == "quarter":
                p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], required=True)
            if name == "internkontroll":
                p.add_argument("--until", help="Resultat till och med ÅÅÅÅ-MM-DD (standard: årets slut eller i dag).")

    def handle(self, what, year, format=None, out=None, **opts):
        if not 1990 < year < 2200:
            raise CommandError(f"ogiltigt år {year}")
        if what == "demo":
            from akta.quality.demo import create_demo_records

            try:
                counts = create_demo_records(year)
            except ValueError as e:
                raise CommandError(str(e)) from None
            summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "fanns redan"
            self.stdout.write(f"Kvalitetsregistren {year - 1}–{year}: {summary}.")
            return
        if what == "report":
            doc = reports.annual_report(year)
        elif what == "quarter":
            doc = reports.quarterly_report(year, opts["quarter"])
        else:
            until = None
            if opts.get("until"):
                try:
                    until = dt.date.fromisoformat(opts["until"])
                except ValueError:
                    raise CommandError(f"ogiltigt datum {opts['until']!r} (ska vara ÅÅÅÅ-MM-DD)") from None
            doc = reports.internal_control_report(year, until=until)
        data = render_document(doc, format)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.stdout.write(f"{doc.title}: {path} ({len(data)} byte)")
