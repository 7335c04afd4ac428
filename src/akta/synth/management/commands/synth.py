"""`akta synth --size small|medium|large --seed N --out DIR`: write a synthetic municipality."""
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from akta.synth.generator import AREAS, EVENT_TYPES, PROFILES, SIZES, generate


def _date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"ogiltigt datum {value!r} (ska vara ÅÅÅÅ-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Skriv en syntetisk kommun som utbyteskatalog (akta-exchange/1): small = Arjeplog, "
        "medium = Norrtälje, large = Stockholm. Samma storlek och seed ger alltid samma filer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=SIZES, required=True, help="small, medium eller large")
        parser.add_argument("--seed", type=int, default=1, help="slumpfrö (heltal, standard 1)")
        parser.add_argument("--out", required=True, help="katalog att skriva (skapas)")
        parser.add_argument("--force", action="store_true", help="skriv över även om katalogen inte är tom")
        parser.add_argument("--start", default="2023-01-01", help="första dag (ÅÅÅÅ-MM-DD, standard 2023-01-01)")
        parser.add_argument("--end", default="2026-10-31", help="sista dag (ÅÅÅÅ-MM-DD, standard 2026-10-31)")

    def handle(self, size, seed, out, force=False, start="2023-01-01", end="2026-10-31", **opts):
        start_d, end_d = _date(start), _date(end)
        if end_d < start_d:
            raise CommandError(f"--end {end} ligger före --start {start}")
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise CommandError(f"{out} finns och är inte en katalog")
        if path.is_dir() and any(path.iterdir()) and not force:
            raise CommandError(f"katalogen {out} finns och är inte tom; ange --force för att skriva över")
        t0 = time.monotonic()
        counts = generate(size, seed, path, start=start_d, end=end_d)
        secs = time.monotonic() - t0
        mun = PROFILES[size]
        w = self.stdout.write
        w(f"Skrev {path} ({size}, seed {seed}, {mun['name']} {mun['code']}, {start_d}–{end_d}) på {secs:.1f} s")
        s = counts["persons_by_sex"]
        w(f"Personer: {counts['persons']} (kvinna {s['kvinna']}, man {s['man']}, okänt {s['okänt']}); "
          f"skyddad identitet: {counts['protected']}")
        w(f"Ärenden: {counts['cases']}")
        for area in AREAS:
            w(f"  {area:<22} {counts['cases_by_area'][area]:>9}")
        w(f"Händelser: {counts['events']}")
        for t in EVENT_TYPES:
            w(f"  {t:<22} {counts['events_by_type'][t]:>9}")
        w(f"Händelser totalt: {counts['events']}")
