from django.core.management.base import BaseCommand, CommandError

from akta.access.models import User
from akta.exchange.exporter import export_exchange


class Command(BaseCommand):
    help = "Exportera ärendehistoriken till en utväxlingskatalog (akta-exchange/1)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--as-user", help="Exportera med denna användares behörighet (enheter, skyddad identitet).")

    def handle(self, path, as_user=None, **opts):
        user = None
        if as_user:
            user = User.objects.filter(username=as_user).first()
            if user is None:
                raise CommandError(f"Användaren {as_user} finns inte.")
        c = export_exchange(path, user=user)
        self.stdout.write(f"Exporterade {c['persons']} personer, {c['cases']} ärenden och {c['events']} händelser till {path}.")
        if c["masked"]:
            self.stdout.write(f"{c['masked']} personer med skyddad identitet är maskerade.")
