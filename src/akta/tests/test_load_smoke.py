"""CI smoke of the load test (issue 10, item 8): the same locustfile as `make load`
(bench/load/locustfile.py, run by bench/bench_load.py) against gunicorn on 127.0.0.1, serving a
copy of the test database (SQLite: the in-memory test database backed up to a file) or the
test database itself (PostgreSQL), with the small synthetic municipality: 4 caseworkers and a
manager for about 10 s. No error, every task at least once, the events written are in the
database, and the read/write log still verifies after the concurrent writes."""
import importlib.util
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_load.py"
TASKS = {"login", "case_list", "search", "personakt", "worklist", "write_event"}
FORM_POST = "POST /arende/[id]/handelse/[typ]/ POST"


def bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_database(tmp_path):
    """DATABASE_URL for the server: the committed test data, as the server's workers see it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "akta.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", path
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}", None


def written_events(sqlite_path, usernames):
    sql = ("SELECT COUNT(*) FROM cases_event e JOIN access_user u ON u.id = e.recorded_by_id "
           f"WHERE u.username IN ({', '.join(['%s'] * len(usernames))})")
    if sqlite_path:
        with sqlite3.connect(sqlite_path) as con:
            return con.execute(sql.replace("%s", "?"), usernames).fetchone()[0]
    with connection.cursor() as cur:
        cur.execute(sql, usernames)
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_load_smoke(settings, tmp_path):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from akta.exchange.importer import import_exchange
    from akta.synth.generator import generate

    bench = bench_load()
    generate("small", 3, tmp_path / "small")
    import_exchange(tmp_path / "small")
    # The server checks passwords with the production hashers (the tests' MD5 is not among them).
    accounts = bench.ensure_accounts(4, 1, hasher=Argon2PasswordHasher())
    url, sqlite_path = served_database(tmp_path)
    env = {"DATABASE_URL": url, "AKTA_DATA_DIR": str(tmp_path / "data"),
           "AKTA_AUDIT_KEY_FILE": str(settings.AUDIT_KEY_FILE),
           "AKTA_AUDIT_CHECKPOINT_FILE": str(settings.AUDIT_CHECKPOINT_FILE)}
    os.environ.pop("AKTA_ENV", None)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # for the server and for locust, both subprocesses
    try:
        with bench.server(free_port(), workers=2, threads=2) as live:
            records, summary, _cpu = bench.run_locust(
                live.url, accounts, tmp_path / "locust", users=4, managers=1, spawn_rate=5, run_time="10s",
                stop_timeout=5, max_requests=3000, wait="0.1,0.5")
        verify = subprocess.run([sys.executable, "-m", "django", "auditlog", "verify"], capture_output=True,
                                text=True, timeout=60, env={**os.environ, "DJANGO_SETTINGS_MODULE": "akta.settings"})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    errors = [r for r in records if r[4] == "error"]
    assert not errors and summary["errors"] == 0, json.dumps(errors[:10], ensure_ascii=False)
    assert summary["requests"] == len(records) > 50
    missing = {t for t in TASKS if summary["tasks"].get(t, 0) < 1}
    assert not missing, f"tasks that never ran: {missing} ({summary['tasks']})"
    assert summary["tasks"]["login"] == 5  # every user signed in once
    saved_forms = sum(1 for r in records if r[1] == FORM_POST and r[3] == 302)
    assert saved_forms >= 1
    names = [a[0] for a in accounts["caseworkers"] + accounts["managers"]]
    assert written_events(sqlite_path, names) == saved_forms
    assert verify.returncode == 0, verify.stdout + verify.stderr
