"""Backup and restore (issue 10 item 8): a restore drill on the suite's own engine (SQLite or
PostgreSQL), and the refusals of a wrong engine, a damaged file, a non-empty database and a
missing audit key."""
import datetime as dt
import io
import json
import subprocess
import sys
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from akta.audit import services as audit
from akta.audit.models import AuditEntry
from akta.cases import services as cases
from akta.cases.models import Case, Event, EventType
from akta.followup.tests.test_crosscheck import small_dir  # noqa: F401  (the small municipality, once per session)
from akta.ops import backup
from akta.ops.tests import rows
from akta.ops.tests.support import akta, env_for, scratch_database


def _load(small_dir, make_user):
    """The small synthetic municipality, a user, writes and reads in the log, and a checkpoint."""
    from akta.exchange.importer import import_exchange
    from akta.access.models import Unit

    import_exchange(small_dir)
    user = make_user("drill", units=list(Unit.objects.values_list("code", flat=True)))
    for case in Case.objects.select_related("person").order_by("pk")[:5]:
        cases.record_event(user, case, EventType.AVFLYTTAD, {"date": dt.date.today().isoformat()}, case.version)
        audit.log_read(user, "case", case.ext_id, person=case.person, context="övning")
    audit.checkpoint()
    return user


@pytest.mark.django_db(transaction=True)
def test_restore_drill_gives_identical_rows_and_a_verified_log(small_dir, make_user, tmp_path, settings):  # noqa: F811
    _load(small_dir, make_user)
    out = tmp_path / "akta.backup"
    call_command("backup", str(out), stdout=io.StringIO())
    source = rows.all_rows()
    manifest = json.loads(tarfile.open(out).extractfile("manifest.json").read())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["cases_event"] == Event.objects.count() > 3000
    assert manifest["audit_head"]["seq"] == AuditEntry.objects.count() > 0
    names = tarfile.open(out).getnames()
    assert names == ["manifest.json", "audit-checkpoints.jsonl", backup.DUMPS[connection.vendor]]
    key = settings.AUDIT_KEY_FILE.read_bytes()
    assert all(key.strip() not in tarfile.open(out).extractfile(n).read() for n in names[:2])  # no key in the file

    with scratch_database(tmp_path) as target:
        env = env_for(target, tmp_path, AKTA_AUDIT_CHECKPOINT_FILE=tmp_path / "restored-checkpoints.jsonl")
        p = akta(["restore", str(out)], env)
        assert p.returncode == 0, p.stderr
        assert f"Loggen är intakt ({manifest['audit_head']['seq']} poster" in p.stdout
        adopted = (tmp_path / "restored-checkpoints.jsonl").read_text().splitlines()
        assert len(adopted) == manifest["members"]["audit-checkpoints.jsonl"]["checkpoints"] >= 2

        dumped = subprocess.run([sys.executable, "-m", "akta.ops.tests.rows"], env=env, capture_output=True, text=True,
                                timeout=120, check=True)
        restored = json.loads(dumped.stdout)
        assert sorted(restored) == sorted(source)
        for label in source:
            assert restored[label] == source[label], label
        assert sum(len(v) for v in source.values()) > 4000

        # Again, over the now non-empty copy: refused, then replaced with --force; under another
        # key the log no longer verifies and the command fails.
        p = akta(["restore", str(out)], env)
        assert p.returncode != 0 and "Databasen är inte tom" in p.stderr
        other_key = tmp_path / "other.key"
        other_key.write_text("x" * 64 + "\n")
        p = akta(["restore", "--force", str(out)], {**env, "AKTA_AUDIT_KEY_FILE": str(other_key)})
        assert p.returncode != 0
        assert "signaturen stämmer inte" in p.stderr and "innehållet har ändrats" in p.stderr


@pytest.fixture
def a_backup(transactional_db, tmp_path):
    """A backup of the migrated database; the tests load data into it afterwards."""
    out = tmp_path / "akta.backup"
    call_command("backup", str(out), stdout=io.StringIO())
    return out


def _rewrite(src, dst, change):
    """Copy the archive with `change(name, data)` → (name, data) applied to every member."""
    with tarfile.open(src) as tin, tarfile.open(dst, "w") as tout:
        for m in tin:
            name, data = change(m.name, tin.extractfile(m).read())
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))
    return dst


def _refused(path, message, **kw):
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), stdout=io.StringIO(), **kw)


def test_a_backup_of_another_engine_is_refused(a_backup, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def swap(name, data):
        if name == "manifest.json":
            m = json.loads(data)
            m["engine"] = other
            m["members"][backup.DUMPS[other]] = m["members"].pop(backup.DUMPS[connection.vendor])
            return name, json.dumps(m).encode()
        return (backup.DUMPS[other] if name == backup.DUMPS[connection.vendor] else name), data

    theirs = _rewrite(a_backup, tmp_path / "other.backup", swap)
    _refused(theirs, f"Säkerhetskopian är från {backup.ENGINE_NAMES[other]}, men databasen är "
                     f"{backup.ENGINE_NAMES[connection.vendor]}")


def test_damaged_files_are_refused_and_nothing_is_changed(a_backup, imported, tmp_path):
    before = Event.objects.count()
    data = a_backup.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cut, "inte en läsbar säkerhetskopia")
    junk = tmp_path / "junk.backup"
    junk.write_text("inte ett arkiv\n")
    _refused(junk, "inte en läsbar säkerhetskopia")

    def flip(name, body):
        if name == backup.DUMPS[connection.vendor]:
            i = len(body) // 2
            body = body[:i] + bytes([body[i] ^ 0xFF]) + body[i + 1:]
        return name, body

    _refused(_rewrite(a_backup, tmp_path / "flipped.backup", flip), "kontrollsumman för database")

    def without_manifest(name, body):
        return ("x.json" if name == "manifest.json" else name), body

    _refused(_rewrite(a_backup, tmp_path / "nomanifest.backup", without_manifest), "oväntad del")
    _refused(tmp_path / "missing.backup", "finns inte")
    assert Event.objects.count() == before


def test_a_non_empty_database_is_refused_without_force(a_backup, imported):
    before = (Case.objects.count(), Event.objects.count())
    assert before[0] > 0
    _refused(a_backup, "Databasen är inte tom .*cases_case")
    assert (Case.objects.count(), Event.objects.count()) == before


def test_a_missing_audit_key_is_refused(a_backup, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "nowhere" / "audit.key"
    _refused(a_backup, "Loggens nyckel saknas")
    assert not settings.AUDIT_KEY_FILE.exists()


def test_no_backup_inside_an_open_transaction(db, tmp_path):
    with pytest.raises(CommandError, match="utanför en öppen transaktion"):
        call_command("backup", str(tmp_path / "x.backup"), stdout=io.StringIO())
    assert not (tmp_path / "x.backup").exists()


def test_sqlite_backup_while_another_process_writes_in_wal_mode(tmp_path):
    """The backup API copies one consistent moment of a live WAL database: a writer commits
    pairs of rows all along, and the copy holds whole pairs only, as many as the manifest says."""
    import sqlite3
    import threading

    db = tmp_path / "live.sqlite3"
    w = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    w.execute("PRAGMA journal_mode=WAL")
    w.execute("CREATE TABLE pairs (n INTEGER, half INTEGER)")
    stop, written = threading.Event(), [0]

    def write():
        while not stop.is_set():
            n = written[0]
            w.execute("BEGIN IMMEDIATE")
            w.execute("INSERT INTO pairs VALUES (?, 1)", [n])
            w.execute("INSERT INTO pairs VALUES (?, 2)", [n])
            w.execute("COMMIT")
            written[0] += 1

    t = threading.Thread(target=write)
    t.start()
    try:
        out = tmp_path / "live.backup"
        p = akta(["backup", str(out)], env_for(f"sqlite:///{db}", tmp_path))
        assert p.returncode == 0, p.stderr
    finally:
        stop.set()
        t.join()
    manifest = json.loads(tarfile.open(out).extractfile("manifest.json").read())
    tarfile.open(out).extract("database.sqlite3", tmp_path / "copy")
    copy = sqlite3.connect(tmp_path / "copy" / "database.sqlite3")
    count = copy.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
    assert count == manifest["tables"]["pairs"] and count % 2 == 0
    assert copy.execute("SELECT COUNT(*) FROM pairs GROUP BY n HAVING COUNT(*) != 2").fetchall() == []
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert 0 < count // 2 < written[0]  # taken while the writer was writing, not before or after
