"""Writing and verifying the hash-chained read/write log."""
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from akta.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash, seq, at, username, action, object_type, object_id, person_id, person_protected, context):
    payload = json.dumps(
        [prev_hash, seq, at.isoformat(), username, action, object_type, str(object_id),
         person_id, bool(person_protected), context],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def log_access(user, action, obj_type, obj_id, *, person=None, context=""):
    """Append one entry. Serialised through a row lock on the chain head."""
    username = getattr(user, "username", None) or "system"
    user_id = user.pk if getattr(user, "pk", None) else None
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq = head.seq + 1
        at = timezone.now()
        person_id = person.pk if person is not None else None
        protected = bool(person is not None and person.protected_identity)
        h = _digest(head.hash, seq, at, username, action, obj_type, obj_id, person_id, protected, context)
        AuditEntry.objects.create(
            seq=seq, at=at, user_id=user_id, username=username, action=action, object_type=obj_type,
            object_id=str(obj_id), person_id=person_id, person_protected=protected, context=context,
            prev_hash=head.hash, hash=h,
        )
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=h)


def log_read(user, obj_type, obj_id, *, person=None, context=""):
    log_access(user, AuditEntry.READ, obj_type, obj_id, person=person, context=context)


def log_reads(user, obj_type, obj_id, persons, *, context=""):
    """A read of several persons at once (a list, a search, an export, a download): one entry
    per distinct person, so `akta auditlog person ID` finds each of them; one entry without a
    person when none was shown. All in one transaction."""
    distinct = {}
    for person in persons:
        if person is not None and person.pk not in distinct:
            distinct[person.pk] = person
    with transaction.atomic():
        if not distinct:
            log_access(user, AuditEntry.READ, obj_type, obj_id, context=context)
        for person in distinct.values():
            log_access(user, AuditEntry.READ, obj_type, obj_id, person=person, context=context)
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


def verify():
    """Return a list of problems; empty means the chain is intact."""
    problems = []
    prev_hash, prev_seq = GENESIS, 0
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        if e.seq != prev_seq + 1:
            problems.append(f"post {prev_seq + 1}–{e.seq - 1} saknas (raderad)")
        if e.prev_hash != prev_hash:
            problems.append(f"post {e.seq}: kedjan bruten (föregående hash stämmer inte)")
        expected = _digest(e.prev_hash, e.seq, e.at, e.username, e.action, e.object_type, e.object_id,
                           e.person_id, e.person_protected, e.context)
        if expected != e.hash:
            problems.append(f"post {e.seq}: innehållet har ändrats")
        prev_hash, prev_seq = e.hash, e.seq
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != prev_seq or head_hash != prev_hash:
        problems.append(f"kedjans slut stämmer inte: huvudet anger post {head_seq}, sista posten är {prev_seq}")
    return problems


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
