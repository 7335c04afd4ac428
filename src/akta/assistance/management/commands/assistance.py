"""`akta assistance calculate FILE [--format json]` (contract-v2 §3).

One month's försörjningsstöd: the riksnorm for the month's year + reasonable costs outside the
norm − the income counted (jobbstimulans leaves 25 % of income from employment uncounted after
six consecutive months, for at most 24 months; the periods are law data). JSON: ``{"norm",
"costs", "income_counted", "jobbstimulans", "amount", "proposal", "lines"}`` (and ``month``);
without ``--format json`` a Swedish table with every line's legal source.
"""
from django.core.management.base import BaseCommand

from akta.assistance import services
from akta.assistance.errors import InputError
from akta.assistance.management.commands._io import dumps, input_error, norm_missing, read_json
from akta.law.services import NormYearMissing

FIGURES = (("norm", "Riksnorm"), ("costs", "Kostnader utanför riksnormen"),
           ("income_counted", "Inkomster som räknas"), ("amount", "Försörjningsstöd"))


class Command(BaseCommand):
    help = "Ekonomiskt bistånd: beräkna en månads försörjningsstöd."
    requires_system_checks = []  # reads law data only

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{calculate}")
        calc = sub.add_parser("calculate", help="En månads försörjningsstöd (kontrakt v2, avsnitt 3)")
        calc.add_argument("file", help="JSON-fil med månadens uppgifter")
        calc.add_argument("--format", choices=("json", "text"), default="text")

    def handle(self, *args, what, file, format="text", **options):
        data = read_json(file, "FILE")
        try:
            result = services.calculate(data)
        except InputError as e:
            raise input_error(file, e) from None
        except NormYearMissing as e:
            raise norm_missing(e) from None
        if format == "json":
            self.stdout.write(dumps(result.as_dict()))
            return
        self.stdout.write(render_result(result))


def render_result(result) -> str:
    out = [f"Försörjningsstöd {result.month}", ""]
    for figure, title in FIGURES:
        lines = [line for line in result.lines if line.figure == figure]
        total = getattr(result, figure)
        out.append(f"{title}: {services.kronor(total)}")
        for line in lines:
            out.append(f"  {services.kronor(line.amount).rjust(14)}  {line.text}")
            if line.source:
                out.append(f"  {'':14}  Källa: {line.source}")
        out.append("")
    out.append(f"Jobbstimulans: {'ja' if result.jobbstimulans else 'nej'}")
    out.append(f"Förslag: {result.proposal}")
    return "\n".join(out)
