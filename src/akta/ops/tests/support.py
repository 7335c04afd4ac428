"""Helpers of the ops tests: other databases beside the test database, Akta commands and a
real server in subprocesses that see the test database."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection


def is_postgresql():
    return connection.vendor == "postgresql"


def database_url(name=None):
    """DATABASE_URL of the test database (or of another database `name` on the same server)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or s['NAME']}"
    user = urllib.parse.quote(s.get("USER") or "", safe="")
    password = urllib.parse.quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{name or s['NAME']}"


def _admin():
    import psycopg

    from akta.ops.backup import pg_params

    params = {**pg_params(), "dbname": "postgres"}
    return psycopg.connect(**params, autocommit=True)


@contextlib.contextmanager
def scratch_database(tmp_path):
    """A new, empty database of the suite's engine, removed afterwards; yields its DATABASE_URL."""
    if connection.vendor == "sqlite":
        yield database_url(str(tmp_path / f"scratch-{uuid.uuid4().hex[:8]}.sqlite3"))
        return
    name = f"{connection.settings_dict['NAME']}_scratch_{uuid.uuid4().hex[:8]}"[:63]
    with _admin() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with _admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(db_url, tmp_path, **extra):
    """The environment of an Akta subprocess on `db_url`, with this test's audit key file."""
    env = {k: v for k, v in os.environ.items() if k != "AKTA_AUDIT_KEY"}
    env.update({
        "DATABASE_URL": db_url,
        "AKTA_DATA_DIR": str(tmp_path),
        "AKTA_AUDIT_KEY_FILE": str(settings.AUDIT_KEY_FILE),
        "AKTA_AUDIT_CHECKPOINT_FILE": str(settings.AUDIT_CHECKPOINT_FILE),
        "PYTHONPATH": os.pathsep.join(p for p in [str(Path(__file__).resolve().parents[3]), os.environ.get("PYTHONPATH")] if p),
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def akta(args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "akta.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`akta runserver --noreload` on a free 127.0.0.1 port against the test database."""

    APP_NAME = "akta-ops-test-server"

    def __init__(self, tmp_path, threading=True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = env_for(database_url(), tmp_path, PGAPPNAME=self.APP_NAME)
        args = [sys.executable, "-m", "akta.cli", "runserver", "--noreload", "--skip-checks"]
        if not threading:
            args.append("--nothreading")
        self.log = open(tmp_path / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen([*args, f"127.0.0.1:{self.port}"], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"servern avslutades: {Path(self.log.name).read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.1)
        raise RuntimeError("servern startade inte")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.log.close()

    def backends(self):
        """The server's open connections to PostgreSQL: (pid, state, wait_event_type)."""
        with connection.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once
            cur.execute("SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = %s",
                        [self.APP_NAME])
            return cur.fetchall()

    def wait_until_disconnected(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.backends():
            if time.monotonic() > deadline:
                raise AssertionError(f"serverns anslutningar finns kvar: {self.backends()}")
            time.sleep(0.05)
