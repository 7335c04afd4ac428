"""`akta followup`: standing reports of the follow-up component.

    akta followup internkontroll-barn --as-of 2022-12-31 --format docx|pdf --out ik-barn.docx [--mask 10]

The committee's internal control of child investigations (seed 002 § 26): the table of
``akta stats utredningar_open --as-of D --area barn_och_unga`` as a document (A4, sv-SE;
the PDF is tagged).
"""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from akta.followup import internal_control
from akta.followup.engine import ParameterError


class Command(BaseCommand):
    help = "Stående rapporter ur uppföljningen (DOCX eller PDF)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{internkontroll-barn}")
        p = sub.add_parser("internkontroll-barn", help="Internkontroll: skyndsamhet i barnutredningar (seed 002 § 26)")
        p.add_argument("--as-of", dest="as_of", required=True, help="mätdag ÅÅÅÅ-MM-DD (vid dagens slut)")
        p.add_argument("--format", choices=["docx", "pdf"], required=True)
        p.add_argument("--out", required=True, help="filen som skrivs")
        p.add_argument("--mask", type=int, default=None,
                       help="röjandeskydd: dölj celler under N (10 för publicering); standard av (intern kontroll)")

    def handle(self, what, as_of, format, out, mask=None, **opts):
        if mask is not None and mask < 1:
            raise CommandError("--mask ska vara ett positivt heltal (10 för publicering)")
        try:
            rep = internal_control.build(as_of, mask=mask, municipality=getattr(settings, "AKTA_MUNICIPALITY", ""))
        except ParameterError as e:
            raise CommandError(f"--as-of: {e}" if "as_of" in str(e) else str(e)) from None
        data = internal_control.render(rep, format)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.stdout.write(f"{rep.title} per {rep.as_of.isoformat()}: {path} ({len(data)} byte)")
