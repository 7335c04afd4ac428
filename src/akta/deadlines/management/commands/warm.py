"""akta warm: read what the deadline lists need into the database's memory once, after a
restart of the database server or of the machine, so that the first user's list is as fast as
the next ones (on `large` a cold first call reads the rule groups' indexes from disk: 4–5 s
instead of 1.7 s). Run it after starting the service (e.g. ExecStartPost in systemd)."""
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from akta.deadlines import engine


class Command(BaseCommand):
    help = "Värm upp databasens cache för bevakningslistorna (kör efter omstart)."
    requires_system_checks = []

    def handle(self, *args, **opts):
        t0 = time.perf_counter()
        n = len(engine.compute(timezone.localdate()))
        self.stdout.write(f"Bevakningarna beräknade en gång ({n} st) på {time.perf_counter() - t0:.1f} s; cachen är varm.")
