"""Backup and restore of Akta's database (`akta backup OUT`, `akta restore IN`).

The file is a tar archive (docs/operations.md):

- `manifest.json`: format `akta-backup/1`, the engine, when, Akta's version, the source
  database, every table's row count and the audit chain head (seq and MAC) — all read in the
  same snapshot as the dump — and the name, size and SHA-256 of the two other members;
- `audit-checkpoints.jsonl`: the source database's checkpoints of the audit chain (from
  AKTA_AUDIT_CHECKPOINT_FILE) plus one of the head in the dump, each signed under the audit key;
- the dump: `database.sqlite3` (a consistent online copy by SQLite's backup API; the archive is
  gzip-compressed) or `database.pgdump` (`pg_dump --format=custom` in the snapshot; already
  compressed, the archive is not).

The audit key (AKTA_AUDIT_KEY or the key file) is never in the file: it is the secret outside
the database that makes the log's chain tamper-evident. It is backed up separately, and a
restore refuses to run without it (unless --force).
"""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from akta.audit import integrity, services as audit
from akta.audit.models import AuditHead

FORMAT = "akta-backup/1"
MANIFEST = "manifest.json"
CHECKPOINTS = "audit-checkpoints.jsonl"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows that `akta migrate` itself writes: a database holding only these is empty.
SEEDED_TABLES = {"django_content_type", "auth_permission", "django_migrations"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A refusal, in Swedish, for the command to print."""


def akta_version():
    try:
        return metadata.version("akta")
    except metadata.PackageNotFoundError:
        return "okänd"


def engine():
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"Databasmotorn {vendor} stöds inte (bara SQLite och PostgreSQL).")
    return vendor


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


# --- PostgreSQL connection parameters ----------------------------------------------------------

_PG_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
               "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT"}


def pg_params():
    s = connection.settings_dict
    params = {"dbname": s.get("NAME"), "user": s.get("USER"), "password": s.get("PASSWORD"),
              "host": s.get("HOST"), "port": str(s.get("PORT") or "")}
    for k in _PG_OPTIONS:
        if (s.get("OPTIONS") or {}).get(k):
            params[k] = str(s["OPTIONS"][k])
    return {k: v for k, v in params.items() if v}


def pg_env():
    """The environment for pg_dump/pg_restore: the parameters as libpq variables, so the
    password is never on a command line (visible to every user in `ps`)."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT",
             **_PG_OPTIONS}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: v for k, v in pg_params().items()})
    return env


def pg_tool(name):
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
    if not path:
        raise BackupError(f"{name} saknas: installera Debian-paketet postgresql-client (scripts/system-deps).")
    return path


def _run(args, env):
    p = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} misslyckades (kod {p.returncode}): {p.stderr.strip()[-2000:]}")
    return p


# --- backup -------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    tables: dict
    head_seq: int
    head_mac: str


def _snapshot_sqlite(dump):
    """A consistent copy of the live database by SQLite's online backup API (safe in WAL mode
    while the server writes), then counted and read in the copy itself."""
    connection.ensure_connection()
    dst = sqlite3.connect(dump)
    try:
        connection.connection.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _read_sqlite(dst)
    finally:
        dst.close()


def _read_sqlite(db):
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    tables = {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    head = (0, audit.GENESIS)
    if AuditHead._meta.db_table in tables:
        row = db.execute(f'SELECT seq, hash FROM "{AuditHead._meta.db_table}" WHERE id = 1').fetchone()
        head = row or head
    return Snapshot(tables, int(head[0]), head[1])


def _snapshot_postgresql(dump):
    """pg_dump in a snapshot exported by a repeatable-read transaction in which the row counts
    and the audit head are read too: the manifest describes exactly the dump."""
    import psycopg

    with psycopg.connect(**pg_params(), autocommit=False) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snap = cur.fetchone()[0]
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            names = [r[0] for r in cur.fetchall()]
            tables = {}
            for n in names:
                cur.execute(f'SELECT COUNT(*) FROM "{n}"')
                tables[n] = cur.fetchone()[0]
            head = (0, audit.GENESIS)
            if AuditHead._meta.db_table in tables:
                cur.execute(f'SELECT seq, hash FROM "{AuditHead._meta.db_table}" WHERE id = 1')
                head = cur.fetchone() or head
            _run([pg_tool("pg_dump"), "--format=custom", f"--snapshot={snap}", "--no-password", f"--file={dump}"],
                 pg_env())
        conn.rollback()
    return Snapshot(tables, int(head[0]), head[1])


def _checkpoint_lines(snapshot, created):
    """This database's checkpoints, and one of the head in the dump (if the key exists)."""
    cps, problems = integrity.read_checkpoints()
    lines = [{k: v for k, v in cp.items() if k != "where"} for cp in cps]
    if integrity.key_available() and snapshot.head_seq:
        lines.append(integrity.make_checkpoint(snapshot.head_seq, snapshot.head_mac, created))
    return lines, problems


def _add_file(tar, name, path):
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with open(path, "rb") as f:
        tar.addfile(info, f)


def _add_bytes(tar, name, data, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, mtime
    tar.addfile(info, io.BytesIO(data))


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    warnings: list = field(default_factory=list)


def create_backup(out):
    """Write a backup of the database to `out` (replaced atomically when complete)."""
    eng = engine()
    if connection.in_atomic_block:
        # What this connection has not committed would not be in the dump (PostgreSQL), and
        # SQLite's backup API waits for ever on the connection's own open write transaction.
        raise BackupError("En säkerhetskopia tas utanför en öppen transaktion.")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    with tempfile.TemporaryDirectory(prefix="akta-backup-", dir=out.parent) as tmp:
        dump = Path(tmp) / DUMPS[eng]
        snapshot = _snapshot_sqlite(dump) if eng == "sqlite" else _snapshot_postgresql(dump)
        lines, warnings = _checkpoint_lines(snapshot, created)
        cp_data = "".join(json.dumps(cp, ensure_ascii=False, separators=(",", ":")) + "\n" for cp in lines).encode()
        manifest = {
            "format": FORMAT,
            "engine": eng,
            "created": created.isoformat(),
            "akta_version": akta_version(),
            "database": integrity.database_label(),
            "tables": snapshot.tables,
            "audit_head": {"seq": snapshot.head_seq, "mac": snapshot.head_mac},
            "members": {
                DUMPS[eng]: {"bytes": dump.stat().st_size, "sha256": _sha256(dump)},
                CHECKPOINTS: {"bytes": len(cp_data), "sha256": hashlib.sha256(cp_data).hexdigest(),
                              "checkpoints": len(lines)},
            },
        }
        part = Path(tmp) / "backup.tar"
        mtime = int(created.timestamp())
        with tarfile.open(part, "w:gz" if eng == "sqlite" else "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n", mtime)
            _add_bytes(tar, CHECKPOINTS, cp_data, mtime)
            _add_file(tar, DUMPS[eng], dump)
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(part, 0o600)
        os.replace(part, out)
    return BackupResult(out, manifest, warnings)


# --- restore ------------------------------------------------------------------------------------

DAMAGED = "Filen {path} är inte en läsbar säkerhetskopia av Akta (skadad eller fel format): {why}"


def read_archive(path, into):
    """Unpack a backup into the directory `into`, checking every member against the manifest.
    Returns the manifest; raises BackupError on a damaged or foreign file."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Filen {path} finns inte.")
    try:
        with tarfile.open(path, "r:*") as tar:
            members = {}
            manifest = None
            for m in tar:
                if m.name in members or (m.name != MANIFEST and m.name != CHECKPOINTS and m.name not in DUMPS.values()):
                    raise BackupError(DAMAGED.format(path=path, why=f"oväntad del {m.name!r}"))
                if not m.isfile():
                    raise BackupError(DAMAGED.format(path=path, why=f"{m.name} är ingen vanlig fil"))
                src = tar.extractfile(m)
                if m.name == MANIFEST:
                    if m.size > 10 * 1024 * 1024:
                        raise BackupError(DAMAGED.format(path=path, why="manifestet är orimligt stort"))
                    manifest = _parse_manifest(path, src.read())
                    members[m.name] = None
                    continue
                if manifest is None:
                    raise BackupError(DAMAGED.format(path=path, why="manifest.json saknas först i arkivet"))
                h = hashlib.sha256()
                with open(Path(into) / m.name, "wb") as f:
                    while block := src.read(CHUNK):
                        h.update(block)
                        f.write(block)
                members[m.name] = h.hexdigest()
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise BackupError(DAMAGED.format(path=path, why=str(e) or type(e).__name__)) from None
    if manifest is None:
        raise BackupError(DAMAGED.format(path=path, why="manifest.json saknas"))
    for name, want in manifest["members"].items():
        if name not in members:
            raise BackupError(DAMAGED.format(path=path, why=f"{name} saknas"))
        if members[name] != want.get("sha256"):
            raise BackupError(DAMAGED.format(path=path, why=f"kontrollsumman för {name} stämmer inte"))
    return manifest


def _parse_manifest(path, raw):
    try:
        manifest = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(DAMAGED.format(path=path, why="manifest.json är inte läsbar JSON")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(DAMAGED.format(path=path, why=f"manifestet är inte formatet {FORMAT}"))
    eng = manifest.get("engine")
    head = manifest.get("audit_head")
    members = manifest.get("members")
    ok = (eng in DUMPS and isinstance(manifest.get("tables"), dict) and isinstance(head, dict)
          and isinstance(head.get("seq"), int) and isinstance(head.get("mac"), str)
          and isinstance(members, dict) and set(members) == {DUMPS[eng], CHECKPOINTS}
          and all(isinstance(v, dict) for v in members.values()))
    if not ok:
        raise BackupError(DAMAGED.format(path=path, why="manifestet saknar uppgifter eller har fel form"))
    return manifest


def database_has_data():
    """Tables (other than what `akta migrate` writes) that hold rows in the target database."""
    existing = set(connection.introspection.table_names())
    full = []
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in existing and table not in SEEDED_TABLES:
                cur.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cur.fetchone():
                    full.append(table)
    return sorted(set(full))


def _restore_sqlite(dump):
    target = connection.settings_dict["NAME"]
    if not target or str(target) == ":memory:" or "mode=memory" in str(target):
        raise BackupError("Målet är en databas i minnet; ange en databasfil i DATABASE_URL.")
    connection.close()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # replaces every page of the target, in one write transaction
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()


def _restore_postgresql(dump):
    """pg_restore in one transaction: either the whole backup is in the database, or nothing changed."""
    connection.close()
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          "--no-password", f"--dbname={pg_params()['dbname']}", str(dump)], pg_env())


@dataclass
class RestoreResult:
    manifest: dict
    report: audit.Verification
    problems: list = field(default_factory=list)  # the restore's own checks, and the log's
    notes: list = field(default_factory=list)
    checkpoints_adopted: int = 0

    @property
    def ok(self):
        return not self.problems and not self.report.problems


def restore_backup(path, *, force=False):
    """Restore the backup at `path` into the configured database, then verify it and the log."""
    eng = engine()
    with tempfile.TemporaryDirectory(prefix="akta-restore-") as tmp:
        manifest = read_archive(path, tmp)
        if manifest["engine"] != eng:
            raise BackupError(f"Säkerhetskopian är från {ENGINE_NAMES[manifest['engine']]}, men databasen är "
                              f"{ENGINE_NAMES[eng]}; den kan bara återställas till samma databasmotor.")
        if not force:
            if not integrity.key_available():
                raise BackupError(f"Loggens nyckel saknas ({integrity.key_file()}, eller AKTA_AUDIT_KEY): den ingår inte i "
                                  "säkerhetskopian. Återställ nyckelfilen från sin egen säkerhetskopia först, annars kan "
                                  "loggen inte verifieras (eller ange --force).")
            full = database_has_data()
            if full:
                raise BackupError(f"Databasen är inte tom ({', '.join(full[:5])}{' …' if len(full) > 5 else ''} har rader); "
                                  "återställ till en tom databas, eller ange --force för att ersätta innehållet.")
        dump = Path(tmp) / DUMPS[eng]
        if eng == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        checkpoints = [json.loads(line) for line in (Path(tmp) / CHECKPOINTS).read_text(encoding="utf-8").splitlines()
                       if line.strip()]
    return _after_restore(manifest, checkpoints)


def _after_restore(manifest, checkpoints):
    problems, notes = [], []
    with connection.cursor() as cur:
        existing = set(connection.introspection.table_names(cur))
        for table, want in sorted(manifest["tables"].items()):
            if table not in existing:
                problems.append(f"tabellen {table} saknas efter återställningen")
                continue
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            have = cur.fetchone()[0]
            if have != want:
                problems.append(f"tabellen {table} har {have} rader, säkerhetskopian {want}")
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_mac = (head.seq, head.hash) if head else (0, audit.GENESIS)
    want = manifest["audit_head"]
    if (head_seq, head_mac) != (want["seq"], want["mac"]):
        problems.append(f"loggens huvud är post {head_seq}, säkerhetskopian anger post {want['seq']}")
    adopted, cp_problems = integrity.adopt_checkpoints(checkpoints)
    problems.extend(cp_problems)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        notes.append("Databasschemat är äldre än den här versionen av Akta: kör `akta migrate`.")
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    if unknown:
        notes.append(f"Säkerhetskopian är från en nyare version av Akta ({manifest.get('akta_version')}): "
                     f"{len(unknown)} migreringar är okända för den här versionen.")
    report = audit.verify_report()
    return RestoreResult(manifest, report, problems, notes, adopted)

