"""Benchmarks for the foundation (issue 2): import time and opening a person's file.

    # import: a fresh database, then the timed import of a synthetic municipality
    .venv/bin/akta synth --size medium --seed 4 --out /tmp/medium4
    AKTA_DATA_DIR=/tmp/bench-sqlite .venv/bin/python bench/bench_foundation.py import /tmp/medium4
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akta_bench_large .venv/bin/python bench/bench_foundation.py import /tmp/large1

    # person's file (personakt) page: server time over N random cases, p50/p95
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akta_bench_large .venv/bin/python bench/bench_foundation.py personakt --n 200

    # the case list for a manager of every unit
    AKTA_DATA_DIR=/tmp/bench-sqlite .venv/bin/python bench/bench_foundation.py caselist --n 50

The import mode migrates the database first (so run it on an empty database). Server time is
measured in-process with Django's test client around the full request/response cycle (middleware,
view, template, read log), which excludes only network and browser time.
"""
import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")


def setup():
    import django

    django.setup()


def bench_import(path):
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from akta.exchange.importer import import_exchange

    t0 = time.perf_counter()
    result = import_exchange(path)
    secs = time.perf_counter() - t0
    c = result.counts
    print(f"| import {path} | {connection.vendor} | {c['persons']} persons, {c['cases']} cases, {c['events']} events | {secs:.1f} s |")


def bench_personakt(n, seed):
    from django.test import Client

    from akta.access.models import Role, Unit, User
    from akta.cases.models import Case

    user, _ = User.objects.get_or_create(username="bench-chief", defaults={"role": Role.ENHETSCHEF, "may_view_protected": True})
    user.units.set(Unit.objects.all())
    client = Client()
    client.force_login(user)
    max_id = Case.objects.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(seed)
    ids = []
    while len(ids) < n:
        c = Case.objects.filter(id__gte=rng.randint(1, max_id)).values_list("ext_id", flat=True).first()
        if c:
            ids.append(c)
    client.get(f"/arende/{ids[0]}/")  # warm up
    times = []
    for ext_id in ids:
        t0 = time.perf_counter()
        r = client.get(f"/arende/{ext_id}/")
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (ext_id, r.status_code)
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    from django.db import connection

    print(f"| personakt page, {n} random cases | {connection.vendor} | p50 {statistics.median(times):.0f} ms | p95 {p95:.0f} ms | max {times[-1]:.0f} ms |")


def bench_caselist(n):
    """The case list ("/") for a manager of every unit: unfiltered, open, closed, one area, search."""
    from django.db import connection
    from django.test import Client

    from akta.access.models import Role, Unit, User

    user, _ = User.objects.get_or_create(username="bench-chief", defaults={"role": Role.ENHETSCHEF, "may_view_protected": True})
    user.units.set(Unit.objects.all())
    client = Client()
    client.force_login(user)
    urls = ["/", "/?status=oppet", "/?status=avslutat", "/?area=barn_och_unga&status=oppet", "/?q=Anna"]
    client.get(urls[0])  # warm up
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        r = client.get(urls[i % len(urls)])
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    print(f"| case list, {n} requests over {len(urls)} filters | {connection.vendor} | p50 {statistics.median(times):.0f} ms | p95 {times[int(0.95 * n) - 1]:.0f} ms |")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("path")
    pa = sub.add_parser("personakt")
    pa.add_argument("--n", type=int, default=200)
    pa.add_argument("--seed", type=int, default=1)
    cl = sub.add_parser("caselist")
    cl.add_argument("--n", type=int, default=50)
    args = ap.parse_args()
    setup()
    if args.mode == "import":
        bench_import(args.path)
    elif args.mode == "caselist":
        bench_caselist(args.n)
    else:
        bench_personakt(args.n, args.seed)


if __name__ == "__main__":
    sys.exit(main())
