"""`akta culling --as-of DATE [--format json] [--execute]` (contract-v2 §4)."""
import getpass
import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from akta.cases.schema import parse_date
from akta.law import services as law
from akta.records import services
from akta.records.classification import ACTION_LABELS, REASON_LABELS, culling_status


class Command(BaseCommand):
    help = ("Gallring av personakter enligt lagdatan (lagrummen visas i utdata): varje ärendes "
            "status vid slutet av dagen (provkörning), eller med --execute gallring av allt som ska gallras.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", required=True, help="dag (ÅÅÅÅ-MM-DD), inte i framtiden")
        parser.add_argument("--format", choices=("json", "text"), default="text")
        parser.add_argument("--execute", action="store_true",
                            help="gallra ärendena med åtgärd gallra (utan flaggan: bara en provkörning)")

    def handle(self, *args, as_of, format="text", execute=False, **options):
        try:
            day = parse_date(as_of)
            services.check_as_of(day)
        except ValueError as e:
            raise CommandError(f"--as-of: {e}") from None
        if execute:
            return self._execute(day, format)
        rows = culling_status(day)
        if format == "json":
            self.stdout.write(json.dumps({"as_of": day.isoformat(), "cases": [r.as_contract() for r in rows]},
                                         ensure_ascii=False))
            return
        w = self.stdout.write
        counts = Counter(r.action for r in rows)
        w(f"Gallring per {day} (provkörning): {len(rows)} ärenden – "
          + ", ".join(f"{ACTION_LABELS[a].lower()} {counts.get(a, 0)}" for a in ("gallra", "bevara", "vanta")))
        w(f"{'Ärende':<16} {'Person':<16} {'Åtgärd':<7} {'Förfaller':<10} {'Gallras senast':<14} Skäl (lagrum)")
        refs = {}
        for r in rows:
            if r.reference_key and r.reference_key not in refs:
                refs[r.reference_key] = law.reference(r.reference_key, day)
            why = REASON_LABELS[r.reason] + (f" ({refs[r.reference_key]})" if r.reference_key else "")
            w(f"{r.case_id:<16} {r.person_id:<16} {ACTION_LABELS[r.action]:<7} {r.due.isoformat() if r.due else '–':<10} "
              f"{r.cull_by.isoformat() if r.cull_by else '–':<14} {why}")

    def _execute(self, day, format):
        def progress(done, total, culled):
            self.stderr.write(f"  {done}/{total} personer behandlade, {culled} ärenden gallrade")

        try:
            who = getpass.getuser()
        except Exception:
            who = "okänd"
        run = services.execute(day, performed_by_name=f"{who} (kommandorad)", progress=progress)
        doc = {"as_of": day.isoformat(), "run": run.number, "culled": run.count,
               "persons_removed": run.persons_removed, "skipped": run.skipped}
        if format == "json":
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        self.stdout.write(f"Gallringsbeslut {run.number} per {day} ({run.reference}): {run.count} ärenden gallrade, "
                          f"{run.persons_removed} personer borttagna"
                          + (f", {run.skipped} ärenden ändrade sedan listan togs fram och gallrades inte" if run.skipped else ""))
