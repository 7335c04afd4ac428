"""Benchmarks for the deadlines component (issue 3): `akta deadlines`, `akta evb`, the unit worklist.

    # PostgreSQL, the large synthetic municipality (the database must hold an import)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akta_bench_large .venv/bin/python bench/bench_deadlines.py

    # the embedded SQLite database of a medium municipality
    AKTA_DATA_DIR=/tmp/akta-dl .venv/bin/python bench/bench_deadlines.py

Options: --as-of DATE (default: the last event date in the database), --quarter YYYYQN
(default: the last whole quarter before that date), --unit CODE (default: the unit with the
most cases), --requests N (default 50), --runs N for the commands (default 3).

It first applies the deadlines app's migrations (its tables and the partial indexes of
0002 on PostgreSQL; a no-op when already applied). The commands are run in-process with
call_command, writing their JSON to memory, so the time includes the queries, the due-date
arithmetic and the JSON; the first run is the cold one. The worklist is timed with Django's
test client around the full request (middleware, view, template) for an enhetschef of the
unit: the first request computes the unit's deadlines, the next ones reuse the snapshot and
recompute only cases with new events (akta.deadlines.worklist). A separate row times the page
with the snapshot dropped before every request. Prints a markdown table.
"""
import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of")
    parser.add_argument("--quarter")
    parser.add_argument("--unit")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max
    from django.test import Client
    from django.test.utils import setup_test_environment

    from akta.access.models import Role, Unit, User
    from akta.cases.models import Case, Event
    from akta.deadlines import evb, worklist

    call_command("migrate", verbosity=0)
    events = Event.objects.count()
    if not events:
        sys.exit("The database has no events: import a municipality first (akta import DIR).")
    last = Event.objects.aggregate(m=Max("date"))["m"]
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else last
    if args.quarter:
        year, q = evb.parse_quarter(args.quarter)
    else:
        year, q = as_of.year, (as_of.month - 1) // 3 + 1
        if evb.quarter_bounds(year, q)[1] != as_of:  # the quarter is not over: take the one before
            year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    quarter = evb.quarter_label(year, q)

    results = []

    def command(name, *cmd_args):
        times, size = [], 0
        for _ in range(args.runs):
            out = io.StringIO()
            t0 = time.perf_counter()
            call_command(name, *cmd_args, stdout=out)
            times.append(time.perf_counter() - t0)
            size = len(out.getvalue())
        return times, size

    times, _ = command("deadlines", "--as-of", as_of.isoformat())
    import json

    out = io.StringIO()
    call_command("deadlines", "--as-of", as_of.isoformat(), stdout=out)
    n_deadlines = len(json.loads(out.getvalue()))
    results.append((f"`akta deadlines --as-of {as_of}` (whole municipality, {n_deadlines} rows)",
                    f"cold {ms(times[0])}", f"median {ms(statistics.median(times))}", f"max {ms(max(times))}"))
    times, _ = command("evb", "--quarter", quarter)
    out = io.StringIO()
    call_command("evb", "--quarter", quarter, stdout=out)
    n_rows = len(json.loads(out.getvalue())["rows"])
    results.append((f"`akta evb --quarter {quarter}` ({n_rows} rows)", f"cold {ms(times[0])}",
                    f"median {ms(statistics.median(times))}", f"max {ms(max(times))}"))

    if args.unit:
        unit = Unit.objects.get(code=args.unit)
    else:
        top = Case.objects.values("unit_id").annotate(n=Count("id")).order_by("-n").first()
        unit = Unit.objects.get(pk=top["unit_id"])
    n_cases = Case.objects.filter(unit=unit).count()
    user, _ = User.objects.get_or_create(username="bench-deadlines", defaults={"role": Role.ENHETSCHEF})
    if user.role != Role.ENHETSCHEF:
        user.role = Role.ENHETSCHEF
        user.save()
    user.units.set([unit])
    setup_test_environment()
    client = Client()
    client.force_login(user)
    worklist.clear_snapshots()
    page_times = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        response = client.get("/bevakningar/enhet/")
        page_times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    results.append((f"unit worklist `/bevakningar/enhet/` ({unit.code}, {n_cases} cases), {args.requests} requests",
                    f"first {ms(page_times[0])}", f"p50 {ms(percentile(page_times, 50))}",
                    f"p95 {ms(percentile(page_times, 95))}"))
    cold = []
    for _ in range(min(5, args.requests)):
        worklist.clear_snapshots()
        t0 = time.perf_counter()
        client.get("/bevakningar/enhet/")
        cold.append(time.perf_counter() - t0)
    results.append(("unit worklist, snapshot dropped before each request (5 requests)", f"min {ms(min(cold))}",
                    f"p50 {ms(percentile(cold, 50))}", f"max {ms(max(cold))}"))

    print(f"\nDatabase: {connection.vendor} ({connection.settings_dict.get('NAME')}), {events} events, "
          f"last event {last}; Python {sys.version.split()[0]}\n")
    print("| measurement | | | |")
    print("|---|---|---|---|")
    for row in results:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
