"""`akta norm --year YYYY --household FILE [--format json]` (contract-v2 §3).

The riksnorm of a household for a year (2 kap. 1 § socialtjänstförordningen (2001:937); the
amounts from akta/law/data/riksnorm.toml). JSON: ``{"year", "reference", "personal": [{"member",
"amount"}], "common", "total"}``; without ``--format json`` a Swedish table. A year with no norm,
or an invalid household, is an error (non-zero exit) naming the year or the field.
"""
from django.core.management.base import BaseCommand

from akta.assistance import services
from akta.assistance.errors import InputError
from akta.assistance.management.commands._io import dumps, input_error, norm_missing, read_json
from akta.law.services import NormYearMissing


class Command(BaseCommand):
    help = "Riksnormen för ett hushåll ett visst år (socialtjänstförordningen, riksnormen i lagdata)."
    requires_system_checks = []  # reads law data only

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="året (ÅÅÅÅ)")
        parser.add_argument("--household", required=True, help="JSON-fil med hushållet (kontrakt v2, avsnitt 3)")
        parser.add_argument("--format", choices=("json", "text"), default="text")

    def handle(self, *args, year, household, format="text", **options):
        data = read_json(household, "--household")
        try:
            result = services.norm(year, data)
        except InputError as e:
            raise input_error(household, e) from None
        except NormYearMissing as e:
            raise norm_missing(e) from None
        if format == "json":
            self.stdout.write(dumps(result.as_dict()))
            return
        self.stdout.write(render_norm(result))


def render_norm(result) -> str:
    rows = [(line.text, services.kronor(line.amount)) for line in result.lines]
    rows.append(("Summa riksnorm per månad", services.kronor(result.total)))
    width = max(len(t) for t, _ in rows)
    amount_width = max(len(a) for _, a in rows)
    out = [f"Riksnorm {result.year}", f"Källa: {result.reference}", ""]
    for i, (text, amount) in enumerate(rows):
        if i == len(rows) - 1:
            out.append("-" * (width + 2 + amount_width))
        out.append(f"{text.ljust(width)}  {amount.rjust(amount_width)}")
    return "\n".join(out)


