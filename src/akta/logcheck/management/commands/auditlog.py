import json

from django.core.management.base import BaseCommand, CommandError

from akta.audit import services
from akta.cases.models import Person


class Command(BaseCommand):
    help = ("Loggkontroll: verify [--checkpoint FIL …] | checkpoint [--out FIL] | person ID | user NAMN | protected. "
            "checkpoint skriver kedjans huvud (post och HMAC) till kontrollpunktsfilen och som ett dokument "
            "att registrera eller skicka; verify jämför kedjan med kontrollpunkterna.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "person", "user", "protected"])
        parser.add_argument("value", nargs="?")
        parser.add_argument("--checkpoint", action="append", default=[], metavar="FIL",
                            help="verify: jämför också med denna kontrollpunkt (dokument från `checkpoint`)")
        parser.add_argument("--out", metavar="FIL", help="checkpoint: skriv dokumentet hit (annars till stdout)")

    def handle(self, action, value=None, checkpoint=(), out=None, **opts):
        if action == "verify":
            report = services.verify_report(checkpoint)
            for p in report.problems:
                self.stderr.write(p)
            if report.problems:
                raise CommandError(f"Loggen är inte intakt: {len(report.problems)} avvikelser.")
            note = f", varav {report.legacy} i äldre format utan nyckel" if report.legacy else ""
            self.stdout.write(f"Loggen är intakt ({report.last_seq} poster{note}; "
                              f"{report.checkpoints} kontrollpunkter stämmer).")
            return
        if action == "checkpoint":
            cp = services.checkpoint(out)
            if out:
                self.stdout.write(f"Kontrollpunkt för post {cp['seq']} skriven till {out} och kontrollpunktsfilen.")
            else:
                self.stdout.write(json.dumps(cp, ensure_ascii=False, indent=2))
            return
        if action in ("person", "user") and not value:
            raise CommandError(f"Ange {'person-id' if action == 'person' else 'användarnamn'}.")
        if action == "person":
            person = Person.objects.filter(ext_id=value).first()
            if person is None:
                raise CommandError(f"Personen {value} finns inte.")
            qs = services.entries(person=person)
        elif action == "user":
            qs = services.entries(username=value)
        else:
            qs = services.entries(protected_only=True)
        for e in qs.iterator():
            self.stdout.write(f"{e.at:%Y-%m-%d %H:%M:%S}\t{e.username}\t{e.action}\t{e.object_type} {e.object_id}\t{e.context}")
