from django.core.management.base import BaseCommand, CommandError

from akta.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Återställ databasen från en säkerhetskopia (från `akta backup`) och verifiera loggens kedja. "
            "Vägrar en fil från en annan databasmotor, en skadad fil och (utan --force) en databas som inte är tom "
            "eller en saknad loggnyckel.")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FIL")
        parser.add_argument("--force", action="store_true",
                            help="ersätt innehållet i en databas som inte är tom (och återställ även utan loggens nyckel)")

    def handle(self, path, force=False, **opts):
        try:
            result = restore_backup(path, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        m = result.manifest
        self.stdout.write(f"Återställd från {path} (skapad {m['created']}, Akta {m['akta_version']}): "
                          f"{len(m['tables'])} tabeller, {sum(m['tables'].values())} rader.")
        for note in result.notes:
            self.stdout.write(note)
        for p in result.problems + result.report.problems:
            self.stderr.write(p)
        r = result.report
        if not result.ok:
            tail_only = r.problems and all("slutet av loggen har tagits bort" in p for p in r.problems) and not result.problems
            hint = (" Kontrollpunktsfilen har kontrollpunkter efter säkerhetskopian: posterna efter den finns inte i "
                    "kopian. Är det väntat, flytta undan den gamla kontrollpunktsfilen och kör `akta auditlog checkpoint`."
                    if tail_only else "")
            raise CommandError(f"Återställningen är inte felfri: {len(result.problems) + len(r.problems)} avvikelser.{hint}")
        self.stdout.write(f"Loggen är intakt ({r.last_seq} poster; {r.checkpoints} kontrollpunkter stämmer, "
                          f"{result.checkpoints_adopted} förda över från säkerhetskopian).")
