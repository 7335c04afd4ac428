"""Load test (issue 10, item 8): gunicorn on 127.0.0.1, locust headless, p50/p95/p99 per endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akta_load AKTA_DATA_DIR=/tmp/loaddata \\
        .venv/bin/python bench/bench_load.py --users 50 --run-time 180s     # `make load`

It creates the accounts if missing (50 caseworkers `last-hl01`… spread over the units in
proportion to their cases, at least one a unit, and the managers `last-chef1`… of every unit;
one password, set only on accounts that have none), starts gunicorn with `--workers` ×
`--threads` on 127.0.0.1 only, runs bench/load/locustfile.py headless, bounded in users, spawn
rate, run time (`--run-time`, then `--stop-timeout`) and requests (`--max-requests`), stops the
server and prints per endpoint the requests, errors, conflicts (the optimistic lock's expected
409) and p50/p95/p99/max in ms, overall and overall without the sign-in, with the machine's
load average and the CPU seconds of the server and of locust. Exit status 1 on any error.
Every request is kept in `--out`/requests.jsonl.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "load" / "locustfile.py"
PASSWORD = "last-test-2026-lösen"
CASEWORKER_PREFIX, MANAGER_PREFIX = "last-hl", "last-chef"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")


# -- accounts ------------------------------------------------------------------------------------

def spread(n, sizes):
    """n accounts over units of the given sizes: one each, the rest in proportion (largest
    remainder). Returns a list of counts, or the first n units one each when n < len(sizes)."""
    if n <= len(sizes):
        return [1] * n + [0] * (len(sizes) - n)
    rest, total = n - len(sizes), sum(sizes) or 1
    quotas = [rest * s / total for s in sizes]
    counts = [1 + math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(sizes)), key=lambda i: quotas[i] - math.floor(quotas[i]), reverse=True)
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def ensure_accounts(caseworkers, managers, password=PASSWORD, hasher=None):
    """Create the load test's users if missing (Django set up by the caller); returns
    {"caseworkers": [[name, password], …], "managers": […]}.

    The password is hashed once with ``hasher`` (default the first configured one: argon2,
    ~0.5 s) and the same hash given to every new account."""
    from django.contrib.auth.hashers import get_hashers
    from django.db.models import Count

    from akta.access.models import Role, Unit, User

    hasher = hasher or get_hashers()[0]
    encoded = None

    def account(username, role, units, protected):
        nonlocal encoded
        user, created = User.objects.get_or_create(username=username, defaults={"role": role})
        if created or not user.has_usable_password() or user.role != role:
            if encoded is None:
                encoded = hasher.encode(password, hasher.salt())
            user.role, user.password, user.may_view_protected, user.is_active = role, encoded, protected, True
            user.first_name, user.last_name = "Last", username
            user.save()
            user.units.set(units)
        return [username, password]

    units = list(Unit.objects.annotate(n=Count("cases")).order_by("code"))
    counts = spread(caseworkers, [u.n for u in units])
    out = {"caseworkers": [], "managers": []}
    i = 0
    for unit, k in zip(units, counts):
        for _ in range(k):
            i += 1
            out["caseworkers"].append(account(f"{CASEWORKER_PREFIX}{i:02d}", Role.HANDLAGGARE, [unit], False))
    for j in range(1, managers + 1):
        out["managers"].append(account(f"{MANAGER_PREFIX}{j}", Role.ENHETSCHEF, units, True))
    # A lockout left by an earlier, interrupted run would refuse the sign-in.
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username__in=[a[0] for a in out["caseworkers"] + out["managers"]]).delete()
    return out


# -- server --------------------------------------------------------------------------------------

def _cpu_seconds(pid):
    """utime + stime of a process and its live children (from /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _machine():
    """(busy CPU seconds of the whole machine, {pid: CPU seconds} of the postgres processes) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait
    pg = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    f = (d / "stat").read_text().rsplit(")", 1)[1].split()
                    pg[d.name] = (int(f[11]) + int(f[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
    return busy, pg


def _pg_delta(before, after):
    """CPU seconds of the postgres processes between two readings (those that ended meanwhile
    are not counted)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@contextmanager
def server(port, workers=3, threads=2, env=None, timeout=60, warm=False):
    """gunicorn serving akta.wsgi on 127.0.0.1:port; yields an object with .url and .cpu().

    ``warm``: each worker computes the deadline snapshot first (bench/load/gunicorn_warm.py),
    and this waits until all have."""
    cmd = [sys.executable, "-m", "gunicorn", "akta.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--threads", str(threads),
           "--worker-class", "gthread" if threads > 1 else "sync", "--timeout", "120", "--graceful-timeout", "5",
           "--log-level", "warning"]
    env = {**os.environ, **(env or {})}
    warm_dir = None
    if warm:
        warm_dir = tempfile.mkdtemp(prefix="akta-warm-")
        env["AKTA_WARM_DIR"] = warm_dir
        cmd += ["-c", str(HERE / "load" / "gunicorn_warm.py")]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)

    class Live:
        url = f"http://127.0.0.1:{port}"
        pid = proc.pid

        @staticmethod
        def cpu():
            return _cpu_seconds(proc.pid)

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(Live.url + "/logga-in/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)
        deadline = time.monotonic() + 300
        while warm_dir and len(os.listdir(warm_dir)) < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn's workers did not warm up")
            time.sleep(0.5)
        yield Live
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# -- locust --------------------------------------------------------------------------------------

def run_locust(url, accounts, out_dir, *, users, managers, spawn_rate, run_time, stop_timeout=10,
               max_requests=0, wait="2,10"):
    """Run the locustfile headless as a subprocess; returns (records, summary, cpu seconds)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    accounts_file = out_dir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts, ensure_ascii=False), encoding="utf-8")
    out = out_dir / "requests.jsonl"
    env = {**os.environ, "AKTA_LOAD_ACCOUNTS": str(accounts_file), "AKTA_LOAD_OUT": str(out),
           "AKTA_LOAD_MANAGERS": str(managers), "AKTA_LOAD_WAIT": wait, "AKTA_LOAD_MAX_REQUESTS": str(max_requests)}
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
           "-u", str(users + managers), "-r", str(spawn_rate), "--run-time", run_time,
           "--stop-timeout", str(stop_timeout), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    t0 = time.monotonic()
    before = os.times()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=_seconds(run_time) + stop_timeout + 120)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"locust failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    summary = json.loads(Path(str(out) + ".summary.json").read_text(encoding="utf-8"))
    summary["wall_seconds"] = round(time.monotonic() - t0, 1)
    summary["locust_output"] = proc.stdout[-4000:]
    return records, summary, cpu


def _seconds(run_time):
    units = {"s": 1, "m": 60, "h": 3600}
    total, num = 0, ""
    for ch in run_time:
        if ch.isdigit():
            num += ch
        else:
            total, num = total + int(num) * units[ch], ""
    return total + (int(num) if num else 0)


# -- report --------------------------------------------------------------------------------------

def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def table(records):
    """Rows (name, requests, errors, conflicts, p50, p95, p99, max) per endpoint, then overall,
    overall without the sign-in, and overall once every user has signed in."""
    by_name = {}
    for _t, name, ms, _status, outcome, _msg in records:
        by_name.setdefault(name, []).append((ms, outcome))

    def row(name, items):
        times = sorted(ms for ms, _ in items)
        return (name, len(items), sum(o == "error" for _, o in items), sum(o == "conflict" for _, o in items),
                percentile(times, 50), percentile(times, 95), percentile(times, 99), times[-1] if times else float("nan"))

    rows = [row(n, items) for n, items in sorted(by_name.items())]
    every = [x for items in by_name.values() for x in items]
    no_login = [x for n, items in by_name.items() if "/logga-in/" not in n for x in items]
    rows.append(row("overall", every))
    rows.append(row("overall without sign-in", no_login))
    # Once every user has signed in: the sign-ins' password hashing (argon2, ~0.5 s of CPU each)
    # and the workers' first worklists are behind.
    ramp_end = max((r[0] for r in records if "/logga-in/ POST" in r[1]), default=0)
    steady = [(r[2], r[4]) for r in records if r[0] > ramp_end and "/logga-in/" not in r[1]]
    if steady:
        rows.append(row(f"overall after the last sign-in (t > {ramp_end:.0f} s)", steady))
    return rows


def windows(records, width=20):
    """p95 of the requests (sign-ins left out) started in each ``width``-second window after the
    last sign-in: how steady the run was."""
    ramp_end = max((r[0] for r in records if "/logga-in/ POST" in r[1]), default=0)
    by_window = {}
    for t, name, ms, *_ in records:
        if t > ramp_end and "/logga-in/" not in name:
            by_window.setdefault(int((t - ramp_end) // width), []).append(ms)
    return [percentile(sorted(v), 95) for _, v in sorted(by_window.items()) if len(v) >= 10]


def print_table(rows, file=sys.stdout):
    print("| endpoint | requests | errors | conflicts (409) | p50 ms | p95 ms | p99 ms | max ms |", file=file)
    print("|---|---|---|---|---|---|---|---|", file=file)
    for name, n, err, conf, p50, p95, p99, mx in rows:
        bold = "**" if name.startswith("overall") else ""
        print(f"| {bold}{name}{bold} | {n} | {err} | {conf} | {p50:.0f} | {bold}{p95:.0f}{bold} | {p99:.0f} | {mx:.0f} |",
              file=file)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50, help="simulated caseworkers (default 50)")
    ap.add_argument("--managers", type=int, default=3, help="simulated managers of every unit, besides (default 3)")
    ap.add_argument("--spawn-rate", type=float, default=2, help="users started per second (default 2)")
    ap.add_argument("--run-time", default="180s", help="locust --run-time (default 180s)")
    ap.add_argument("--stop-timeout", type=int, default=10, help="seconds for tasks to finish after the run time")
    ap.add_argument("--max-requests", type=int, default=50000, help="stop after this many requests (default 50000)")
    ap.add_argument("--wait", default="2,10", help="think time between a user's actions, MIN,MAX seconds (default 2,10)")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, for 2 cores)")
    ap.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--cold", action="store_true",
                    help="start the users on cold workers (default: each worker computes the deadline snapshot first)")
    ap.add_argument("--out", default="", help="directory for accounts.json and requests.jsonl (default: a temp dir)")
    args = ap.parse_args(argv)

    import django

    django.setup()
    from django.db import connection

    accounts = ensure_accounts(args.users, args.managers)
    vendor = connection.vendor
    connection.close()  # the server's workers have their own
    out_dir = args.out or tempfile.mkdtemp(prefix="akta-load-")
    load_before = os.getloadavg()
    with server(args.port, args.workers, args.threads, warm=not args.cold) as live:
        cpu0 = live.cpu()
        busy0, pg0 = _machine()
        t0 = time.monotonic()
        records, summary, locust_cpu = run_locust(
            live.url, accounts, out_dir, users=args.users, managers=args.managers, spawn_rate=args.spawn_rate,
            run_time=args.run_time, stop_timeout=args.stop_timeout, max_requests=args.max_requests, wait=args.wait)
        server_cpu = live.cpu() - cpu0
        busy1, pg1 = _machine()
        wall = time.monotonic() - t0
    load_after = os.getloadavg()
    rows = table(records)
    duration = max((r[0] for r in records), default=0)
    print(f"\n{args.users} caseworkers + {args.managers} managers, spawn rate {args.spawn_rate}/s, run time "
          f"{args.run_time}, think time {args.wait} s; gunicorn {args.workers} workers × {args.threads} threads; "
          f"{'cold' if args.cold else 'warm'} workers; {vendor}; {summary['requests']} requests in {duration:.0f} s ({summary['requests'] / max(duration, 1):.1f}/s); "
          f"errors {summary['errors']}, conflicts {summary['conflicts']}")
    print(f"tasks: {json.dumps(summary['tasks'], ensure_ascii=False)}")
    busy, pg = busy1 - busy0, _pg_delta(pg0, pg1)
    others = max(0.0, busy - server_cpu - locust_cpu - pg)
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min), {load_after[1]:.2f} (5 min); "
          f"CPU over {wall:.0f} s: machine busy {busy / wall:.2f} of {os.cpu_count()} cores = gunicorn "
          f"{server_cpu / wall:.2f} + postgres (all databases) {pg / wall:.2f} + locust {locust_cpu / wall:.2f} + "
          f"everything else {others / wall:.2f}\n")
    print_table(rows)
    print(f"\np95 ms per 20 s after the last sign-in: {', '.join(str(round(p)) for p in windows(records))}")
    errors = [r for r in records if r[4] == "error"]
    for r in errors[:20]:
        print("error:", r)
    print(f"\nrequests: {Path(out_dir) / 'requests.jsonl'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
