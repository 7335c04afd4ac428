"""`akta delegation --from DATE --to DATE [--format json]` (contract-v2 §5)."""
import json

from django.core.management.base import BaseCommand, CommandError

from akta.cases.schema import parse_date
from akta.committee import delegation


class Command(BaseCommand):
    help = ("Delegationsbeslut att anmäla till nämnden: beslut på delegation "
            "daterade i perioden, med summa per delegationspunkt.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="första dag (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--to", dest="last", required=True, help="sista dag (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--format", choices=("json", "text"), default="text")

    def handle(self, *args, first, last, format="text", **options):
        try:
            first_d = parse_date(first)
        except ValueError as e:
            raise CommandError(f"--from: {e}") from None
        try:
            last_d = parse_date(last)
        except ValueError as e:
            raise CommandError(f"--to: {e}") from None
        if last_d < first_d:
            raise CommandError(f"--to {last_d} ligger före --from {first_d}")
        doc = delegation.report(first_d, last_d)
        if format == "json":
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        w = self.stdout.write
        w(f"Delegationsbeslut {first_d}–{last_d}: {len(doc['rows'])}")
        for t in doc["totals"]:
            w(f"  {t['delegation_point'] or '(ingen punkt angiven)':<24} {t['count']:>6}")
        for r in doc["rows"]:
            w(f"{r['date']}  {r['case_id']:<12} {r['beslut_id']:<12} {r['delegation_point'] or '–':<10} "
              f"{r['decided_by'] or '–':<20} {r['legal_basis']:<10} {r['intervention']:<20} {r['outcome']}")
