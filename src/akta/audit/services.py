"""Writing and verifying the HMAC-chained read/write log (the key and checkpoints: integrity.py)."""
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from akta.audit import integrity
from akta.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _payload(prev_hash, seq, at, username, action, object_type, object_id, person_id, person_protected, context):
    return json.dumps(
        [prev_hash, seq, at.isoformat(), username, action, object_type, str(object_id),
         person_id, bool(person_protected), context],
        ensure_ascii=False, separators=(",", ":"),
    ).encode()


def _digest(*fields):
    """The keyless SHA-256 of entries written before the keyed chain (scheme "sha256")."""
    return hashlib.sha256(_payload(*fields)).hexdigest()


def _mac(*fields):
    """The entry's HMAC-SHA256 under the audit key (scheme "hmac")."""
    return integrity.mac(_payload(*fields))


def _expected(e):
    fields = (e.prev_hash, e.seq, e.at, e.username, e.action, e.object_type, e.object_id, e.person_id,
              e.person_protected, e.context)
    return _mac(*fields) if e.scheme == AuditEntry.HMAC else _digest(*fields)


def log_access(user, action, obj_type, obj_id, *, person=None, context=""):
    """Append one entry. Serialised through a row lock on the chain head."""
    _append(user, action, obj_type, obj_id, [person], context)


def _append(user, action, obj_type, obj_id, persons, context):
    """Append one entry per person of ``persons`` (None: an entry without a person) under one
    lock on the chain head, in one statement: a list of 500 persons costs one round trip."""
    username = getattr(user, "username", None) or "system"
    user_id = user.pk if getattr(user, "pk", None) else None
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev, at = head.seq, head.hash, timezone.now()
        entries, checkpoints = [], []
        for person in persons:
            seq += 1
            person_id = person.pk if person is not None else None
            protected = bool(person is not None and person.protected_identity)
            h = _mac(prev, seq, at, username, action, obj_type, obj_id, person_id, protected, context)
            entries.append(AuditEntry(
                seq=seq, at=at, user_id=user_id, username=username, action=action, object_type=obj_type,
                object_id=str(obj_id), person_id=person_id, person_protected=protected, context=context,
                prev_hash=prev, hash=h, scheme=AuditEntry.HMAC,
            ))
            if seq == 1 or seq % integrity.checkpoint_every() == 0:
                checkpoints.append(integrity.make_checkpoint(seq, h, at))
            prev = h
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
        for cp in checkpoints:
            transaction.on_commit(lambda cp=cp: _append_quietly(cp))


def _append_quietly(cp):
    """An automatic checkpoint that cannot be written must not fail the request that logged."""
    try:
        integrity.append_checkpoint(cp)
    except OSError as e:
        integrity.log.error("Kontrollpunkt för loggen kunde inte skrivas: %s", e)


def log_read(user, obj_type, obj_id, *, person=None, context=""):
    log_access(user, AuditEntry.READ, obj_type, obj_id, person=person, context=context)


class PersonRef(NamedTuple):
    """A person as the log needs it, for callers that stream rows rather than model objects."""

    pk: int
    protected_identity: bool


def log_reads(user, obj_type, obj_id, persons, *, context=""):
    """A read of several persons at once (a list, a search, an export, a download): one entry
    per distinct person, so `akta auditlog person ID` finds each of them; one entry without a
    person when none was shown. All in one statement under one lock on the chain head."""
    distinct = {}
    for person in persons:
        if person is not None and person.pk not in distinct:
            distinct[person.pk] = person
    _append(user, AuditEntry.READ, obj_type, obj_id, list(distinct.values()) or [None], context)
    return len(distinct)


DENIED_PREFIX = "nekad åtkomst"


def log_denied(user, obj_type, obj_id, *, person=None, context=""):
    """An attempt to open something outside the user's rights (the user got the same 404 as for
    a missing id): action "denied" (nekad åtkomst), with the person when the object exists, so
    loggkontroll sees who tried to open whose file. Not a read: nothing was shown."""
    shown = str(obj_id).replace("\x00", "\ufffd").encode("utf-8", "replace").decode()[:255]
    log_access(user, AuditEntry.DENIED, obj_type, shown, person=person, context=(context or DENIED_PREFIX)[:200])


def log_write(user, obj_type, obj_id, *, person=None, context=""):
    log_access(user, AuditEntry.WRITE, obj_type, obj_id, person=person, context=context)


def log_writes(user, obj_type, obj_id, persons, *, context=""):
    """A write about several persons at once (a culling batch, akta.records): one entry per
    distinct person (one without a person when there is none), in one statement."""
    distinct = {p.pk: p for p in persons if p is not None}
    _append(user, AuditEntry.WRITE, obj_type, obj_id, list(distinct.values()) or [None], context)


@dataclass
class Verification:
    problems: list = field(default_factory=list)
    entries: int = 0
    last_seq: int = 0
    legacy: int = 0  # entries in the keyless scheme (written before the keyed chain)
    checkpoints: int = 0  # checkpoints compared with the chain


def verify_report(checkpoint_paths=()):
    """Check every entry's MAC and link, the chain head, and every checkpoint outside the database."""
    report = Verification()
    problems = report.problems
    checkpoints, cp_problems = integrity.read_checkpoints(checkpoint_paths)
    problems.extend(cp_problems)
    wanted = {}
    for cp in checkpoints:
        wanted.setdefault(cp["seq"], []).append(cp)
    prev_hash, prev_seq, keyed = GENESIS, 0, False
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        report.entries += 1
        if e.seq != prev_seq + 1:
            problems.append(f"post {prev_seq + 1}–{e.seq - 1} saknas (raderad)")
        if e.prev_hash != prev_hash:
            problems.append(f"post {e.seq}: kedjan bruten (föregående hash stämmer inte)")
        if e.scheme == AuditEntry.HMAC:
            keyed = True
        else:
            report.legacy += 1
            if keyed:
                problems.append(f"post {e.seq}: saknar HMAC men kommer efter poster med HMAC")
        if not hmac.compare_digest(_expected(e), e.hash):
            problems.append(f"post {e.seq}: innehållet har ändrats")
        for cp in wanted.pop(e.seq, ()):
            report.checkpoints += 1
            if not hmac.compare_digest(cp["mac"], e.hash):
                problems.append(f"post {e.seq}: stämmer inte med kontrollpunkten {cp['at']} ({cp['where']}); "
                                "kedjan har skrivits om")
        prev_hash, prev_seq = e.hash, e.seq
    report.last_seq = prev_seq
    for seq in sorted(wanted):
        for cp in wanted[seq]:
            report.checkpoints += 1
            if seq > prev_seq:
                problems.append(f"kontrollpunkten {cp['at']} ({cp['where']}) anger post {seq}, men sista posten är "
                                f"{prev_seq}: slutet av loggen har tagits bort")
            else:
                problems.append(f"kontrollpunkten {cp['at']} ({cp['where']}) anger post {seq}, som saknas")
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != prev_seq or head_hash != prev_hash:
        problems.append(f"kedjans slut stämmer inte: huvudet anger post {head_seq}, sista posten är {prev_seq}")
    return report


def verify(checkpoint_paths=()):
    """Return a list of problems; empty means the chain is intact."""
    return verify_report(checkpoint_paths).problems


def checkpoint(out=None):
    """Write a checkpoint of the chain head: appended to the checkpoint file, and returned as a
    document (also written to `out` if given) for a scheduled job to register or send."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        seq, h = (head.seq, head.hash) if head else (0, GENESIS)
        cp = integrity.make_checkpoint(seq, h)
        integrity.append_checkpoint(cp)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(cp, f, ensure_ascii=False, indent=2)
            f.write("\n")
    return cp


def entries(*, person=None, username=None, protected_only=False):
    """The three questions of loggkontroll."""
    qs = AuditEntry.objects.all()
    if person is not None:
        qs = qs.filter(person_id=person.pk)
    if username:
        qs = qs.filter(username=username)
    if protected_only:
        qs = qs.filter(person_protected=True)
    return qs.order_by("-seq")
