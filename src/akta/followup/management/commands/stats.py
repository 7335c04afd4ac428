"""`akta stats INDICATOR [--year YYYY | --from DATE --to DATE | --as-of DATE] [--area AREA ...]
[--format json|csv] [--as-reported DATETIME] [--mask N] [--reconcile CSV]` (spec/exchange-v1.md §4,
contract-v2.md §2: ``--area`` may be repeated; without it, every area).
`akta stats --list` lists the catalogue; `--reconcile` compares a table stated elsewhere."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from akta.followup.engine import ParameterError
from akta.followup.export import to_csv
from akta.followup.indicators import INDICATORS
from akta.followup.services import compute


class Command(BaseCommand):
    help = "Skriv ut en indikator (tabell) som JSON eller CSV."

    def add_arguments(self, parser):
        parser.add_argument("indicator", nargs="?", help="indikatorns id, t.ex. cases_opened")
        parser.add_argument("--year", help="kalenderår ÅÅÅÅ")
        parser.add_argument("--from", dest="from_date", help="periodens första dag ÅÅÅÅ-MM-DD")
        parser.add_argument("--to", dest="to_date", help="periodens sista dag ÅÅÅÅ-MM-DD")
        parser.add_argument("--as-of", dest="as_of", help="dag ÅÅÅÅ-MM-DD (vid dagens slut)")
        parser.add_argument("--area", action="append", default=None, metavar="AREA",
                            help="räkna bara ärenden inom området (v1-kod, t.ex. barn_och_unga); kan upprepas")
        parser.add_argument("--format", default="json", help="json (standard) eller csv")
        parser.add_argument("--as-reported", dest="as_reported",
                            help="endast uppgifter registrerade senast denna tidpunkt (ÅÅÅÅ-MM-DD[THH:MM])")
        parser.add_argument("--mask", type=int, default=None,
                            help="röjandeskydd: dölj celler under N (10 för publicering) med sekundär maskering")
        parser.add_argument("--list", action="store_true", help="lista indikatorerna")
        parser.add_argument("--reconcile", metavar="CSV",
                            help="stäm av en tabell som redovisats på annat håll (CSV med indikatorns kolumner) "
                                 "mot den beräknade; skriver skillnaderna som JSON")

    def handle(self, *args, **o):
        if o["list"]:
            for ind in INDICATORS.values():
                kind = {"as_of": "--as-of", "year": "--year | --from/--to", "year_only": "--year"}[ind.period]
                self.stdout.write(f"{ind.id}\t{kind}\t{ind.title}")
            return
        if not o["indicator"]:
            raise CommandError("ange en indikator (se akta stats --list)")
        if o["format"] not in ("json", "csv"):
            raise CommandError(f"okänt format {o['format']!r}: välj json eller csv")
        if o["mask"] is not None and o["mask"] < 1:
            raise CommandError("--mask ska vara ett positivt heltal (10 för publicering)")
        try:
            table = compute(o["indicator"], year=o["year"], from_date=o["from_date"], to_date=o["to_date"],
                            as_of=o["as_of"], as_reported=o["as_reported"], area=o["area"], mask=o["mask"])
        except ParameterError as e:
            raise CommandError(str(e)) from None
        if o["reconcile"]:
            from akta.followup.reconcile import ReconcileError, reconcile

            try:
                with open(o["reconcile"], "rb") as f:
                    result = reconcile(f.read(), table)
            except (OSError, ReconcileError) as e:
                raise CommandError(f"{o['reconcile']}: {e}") from None
            self.stdout.write(json.dumps({
                "indicator": table.indicator.id, "key_columns": list(result.key_columns),
                "differences": [{"cell": list(d.key), "column": d.column, "stated": d.stated, "computed": d.computed,
                                 "diff": d.diff} for d in result.differences],
                "total_problems": [{"cell": list(t.key), "column": t.column, "stated_total": t.stated_total,
                                    "sum_of_parts": t.sum_of_parts} for t in result.total_problems],
            }, ensure_ascii=False))
            return
        if o["format"] == "csv":
            sys.stdout.write(to_csv(table))
        else:
            self.stdout.write(table.to_json())
