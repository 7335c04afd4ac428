import tempfile

from django.core.management.base import BaseCommand

from akta.access.demo import DEMO_PASSWORD, DEMO_USERS, create_demo_users
from akta.cases.models import Case
from akta.exchange.importer import import_exchange
from akta.quality.demo import create_demo_records
from akta.synth.generator import generate


DEMO_QUALITY_YEAR = 2025


class Command(BaseCommand):
    help = "Ladda demokommunen (syntetisk, storlek small) och skapa demoanvändare."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Gör inget om databasen redan har ärenden.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, if_empty=False, seed=1, **opts):
        if if_empty and Case.objects.exists():
            self.stdout.write("Databasen har redan ärenden; demokommunen laddas inte igen.")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                generate("small", seed, tmp)
                result = import_exchange(tmp)
            c = result.counts
            self.stdout.write(f"Demokommunen laddad: {c['persons']} personer, {c['cases']} ärenden, {c['events']} händelser.")
        users = {u.username: u for u in create_demo_users()}
        # Give the demo caseworkers cases of their own, so "mina bevakningar" has content.
        for username, area in (("anna", "barn_och_unga"), ("bertil", "ekonomiskt_bistand")):
            Case.objects.filter(area=area, caseworker__isnull=True).update(caseworker=users[username])
        # A year of quality work (deviations, lex Sarah, complaints, egenkontroll, …) for the
        # kvalitetsberättelse. The synthetic history ends 2026-10-31, so the full year is 2025.
        counts = create_demo_records(DEMO_QUALITY_YEAR)
        self.stdout.write("Kvalitetsregistren: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "fanns redan"))
        self.stdout.write("\nDemoinloggningar (lösenord för alla: %s):" % DEMO_PASSWORD)
        for username, role, first, last, units, protected in DEMO_USERS:
            scope = "alla enheter" if units == "*" else (", ".join(units) or "inga ärenden")
            extra = ", ser skyddad identitet" if protected else ""
            self.stdout.write(f"  {username:<9} {role.label:<20} {scope}{extra}")
