from django.core.management.base import BaseCommand, CommandError

from akta.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = ("Säkerhetskopiera databasen till FIL: en tar med manifest.json, loggens kontrollpunkter och en "
            "konsistent kopia av databasen (SQLite: backup-API:t, PostgreSQL: pg_dump). Går medan Akta körs. "
            "Loggens nyckel ingår inte: säkerhetskopiera den separat.")

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="FIL")

    def handle(self, out, **opts):
        try:
            result = create_backup(out)
        except BackupError as e:
            raise CommandError(str(e)) from None
        for w in result.warnings:
            self.stderr.write(f"Varning: {w}")
        m = result.manifest
        rows = sum(m["tables"].values())
        self.stdout.write(
            f"Säkerhetskopia skriven till {result.path}: {len(m['tables'])} tabeller, {rows} rader, loggen till post "
            f"{m['audit_head']['seq']}, {m['members']['audit-checkpoints.jsonl']['checkpoints']} kontrollpunkter. "
            "Loggens nyckel ingår inte; säkerhetskopiera den separat.")
