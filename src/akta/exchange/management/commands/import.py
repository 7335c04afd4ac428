import sys
import time

from django.core.management.base import BaseCommand, CommandError

from akta.exchange.importer import ImportFailed, import_exchange


class Command(BaseCommand):
    help = "Importera en utväxlingskatalog eller zip-fil (akta-exchange/1). Allt eller inget."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **opts):
        t0 = time.monotonic()
        try:
            result = import_exchange(path)
        except FileNotFoundError as e:
            raise CommandError(str(e))
        except ImportFailed as e:
            for line in e.errors:
                sys.stderr.write(line + "\n")
            raise CommandError(f"Importen avbröts: {len(e.errors)} fel. Databasen är oförändrad.")
        if result.noop:
            self.stdout.write(f"Redan importerad ({result.batch.imported_at:%Y-%m-%d %H:%M}); inget ändrat.")
            return
        c = result.counts
        self.stdout.write(
            f"Importerade {c['persons']} personer, {c['cases']} ärenden och {c['events']} händelser "
            f"på {time.monotonic() - t0:.1f} s."
        )
