from django.core.management.base import BaseCommand, CommandError

from akta.audit import services
from akta.cases.models import Person


class Command(BaseCommand):
    help = "Loggkontroll: verify | person ID | user NAMN | protected"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "person", "user", "protected"])
        parser.add_argument("value", nargs="?")

    def handle(self, action, value=None, **opts):
        if action == "verify":
            problems = services.verify()
            for p in problems:
                self.stderr.write(p)
            if problems:
                raise CommandError(f"Loggen är inte intakt: {len(problems)} avvikelser.")
            from akta.audit.models import AuditHead

            head = AuditHead.objects.filter(pk=1).first()
            self.stdout.write(f"Loggen är intakt ({head.seq if head else 0} poster).")
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
