"""What makes the read/write log tamper-evident from inside the database (issue 10 item 5).

1. **A keyed chain.** Each entry's `hash` is an HMAC-SHA256, under a key that is not in the
   database, of the entry's content and the previous entry's MAC. Someone who can write to the
   database but not read the key cannot produce a valid MAC: an edited entry, a recomputed
   chain (hashes redone without the key) and renumbered entries all fail.
   The key comes from `AKTA_AUDIT_KEY` (at least 32 characters) or else from the key file
   `AKTA_AUDIT_KEY_FILE` (default `$AKTA_DATA_DIR/audit.key`), created on first use with 32
   random bytes and mode 0600. Losing the key means the old log can no longer be verified;
   back it up separately from the database.
2. **Checkpoints outside the database.** A checkpoint is the chain head (sequence number and
   MAC) at a moment, signed with the key. They are appended to the file
   `AKTA_AUDIT_CHECKPOINT_FILE` (default `$AKTA_DATA_DIR/audit-checkpoints.jsonl`): automatically
   every `AKTA_AUDIT_CHECKPOINT_EVERY` entries (default 100) once the entry is committed, and
   by `akta auditlog checkpoint`, which also prints the checkpoint as a document for a
   scheduled job to register (diarium) or send elsewhere. `verify` compares the chain with every
   checkpoint: a checkpoint beyond the last entry, or whose entry now has another MAC, means the
   tail was cut or the chain rewritten. Entries after the latest checkpoint can be removed
   without trace; the schedule of `akta auditlog checkpoint` bounds that window.

Entries written before the keyed chain (scheme "sha256") are still checked with the plain hash;
an entry in the old scheme after one in the new is itself a finding.
"""
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "akta-audit-checkpoint/1"
MIN_KEY_CHARS = 32
_cache = {}


def key_file():
    return Path(getattr(settings, "AUDIT_KEY_FILE", None) or Path(settings.DATA_DIR) / "audit.key")


def checkpoint_file():
    return Path(getattr(settings, "AUDIT_CHECKPOINT_FILE", None) or Path(settings.DATA_DIR) / "audit-checkpoints.jsonl")


def checkpoint_every():
    return int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 100))


def key():
    """The HMAC key (bytes): the environment's, else the key file's (created 0600 on first use)."""
    env = getattr(settings, "AUDIT_KEY", None) or os.environ.get("AKTA_AUDIT_KEY")
    if env:
        if len(env) < MIN_KEY_CHARS:
            raise ImproperlyConfigured(f"AKTA_AUDIT_KEY ska vara minst {MIN_KEY_CHARS} tecken.")
        return env.encode()
    path = key_file()
    cached = _cache.get(path)
    if cached is not None:
        return cached
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        log.warning("Ny nyckel för loggens HMAC-kedja skapad i %s; säkerhetskopiera den skild från databasen.", path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("Nyckelfilen %s kan läsas av andra (läge %o); den ska ha läge 0600.", path, mode)
    value = path.read_text().strip().encode()
    if len(value) < MIN_KEY_CHARS:
        raise ImproperlyConfigured(f"Nyckelfilen {path} ska innehålla minst {MIN_KEY_CHARS} tecken.")
    _cache[path] = value
    return value


def mac(payload: bytes) -> str:
    return hmac.new(key(), payload, hashlib.sha256).hexdigest()


def database_label():
    """Which database a checkpoint belongs to (several databases may share one data directory)."""
    s = connection.settings_dict
    return f"{connection.vendor}:{s.get('HOST') or ''}:{s.get('PORT') or ''}:{s.get('NAME')}"


def _checkpoint_signature(cp):
    body = json.dumps([CHECKPOINT_FORMAT, cp["database"], cp["seq"], cp["mac"], cp["at"]], separators=(",", ":"))
    return mac(body.encode())


def make_checkpoint(seq, entry_mac, at=None):
    cp = {"format": CHECKPOINT_FORMAT, "database": database_label(), "seq": seq, "mac": entry_mac,
          "at": (at or timezone.now()).isoformat()}
    cp["signature"] = _checkpoint_signature(cp)
    return cp


def append_checkpoint(cp):
    """Append one checkpoint line to the checkpoint file (opened for appending only)."""
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(cp, ensure_ascii=False, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_checkpoints(extra_paths=()):
    """(checkpoints of this database, problems) from the checkpoint file and any given documents."""
    label = database_label()
    found, problems = [], []
    sources = [checkpoint_file(), *map(Path, extra_paths)]
    for n, path in enumerate(sources):
        if not path.exists():
            if n > 0:
                problems.append(f"{path}: kontrollpunkten finns inte")
            continue
        text = path.read_text(encoding="utf-8")
        stripped = text.strip()
        if stripped.startswith("{") and "\n" in stripped and n > 0:
            try:  # a pretty-printed document
                items = [(1, json.loads(stripped))]
            except json.JSONDecodeError:
                items = None
        else:
            items = None
        if items is None:
            items = []
            for no, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    items.append((no, json.loads(line)))
                except json.JSONDecodeError:
                    problems.append(f"{path}:{no}: kontrollpunkten är inte läsbar JSON")
        for no, cp in items:
            where = f"{path}:{no}"
            if not isinstance(cp, dict) or cp.get("format") != CHECKPOINT_FORMAT:
                problems.append(f"{where}: inte en kontrollpunkt ({CHECKPOINT_FORMAT})")
                continue
            if cp.get("database") != label:
                continue  # another database's chain
            try:
                valid = hmac.compare_digest(str(cp.get("signature", "")), _checkpoint_signature(cp))
            except (KeyError, TypeError):
                valid = False
            if not valid or not isinstance(cp.get("seq"), int):
                problems.append(f"{where}: kontrollpunktens signatur stämmer inte (ändrad eller fel nyckel)")
                continue
            cp["where"] = where
            found.append(cp)
    return found, problems


def key_available():
    """Whether the key exists already (the environment's, or the key file): `key()` would
    otherwise create a new one, under which the old log can never be verified."""
    return bool(getattr(settings, "AUDIT_KEY", None) or os.environ.get("AKTA_AUDIT_KEY") or key_file().exists())


def adopt_checkpoints(checkpoints):
    """Carry checkpoints of another database (a backup's, akta/ops) over to this one.

    Each must be signed under the current key for the database it names; it is then signed
    again for this database (same sequence number, MAC and time, `restored_from` naming the
    original) and appended to the checkpoint file, unless the file already has it. Returns
    (number appended, problems)."""
    label = database_label()
    have, _ = read_checkpoints()
    present = {(cp["seq"], cp["mac"], cp["at"]) for cp in have}
    appended, problems = 0, []
    for n, cp in enumerate(checkpoints, 1):
        try:
            valid = cp.get("format") == CHECKPOINT_FORMAT and isinstance(cp.get("seq"), int) and \
                hmac.compare_digest(str(cp.get("signature", "")), _checkpoint_signature(cp))
        except (KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            problems.append(f"kontrollpunkt {n} i säkerhetskopian: signaturen stämmer inte med nyckeln "
                            "(fel nyckel eller ändrad kontrollpunkt)")
            continue
        if (cp["seq"], cp["mac"], cp["at"]) in present:
            continue
        new = {"format": CHECKPOINT_FORMAT, "database": label, "seq": cp["seq"], "mac": cp["mac"], "at": cp["at"]}
        new["signature"] = _checkpoint_signature(new)
        if cp["database"] != label:
            new["restored_from"] = cp["database"]
        append_checkpoint(new)
        present.add((cp["seq"], cp["mac"], cp["at"]))
        appended += 1
    return appended, problems
