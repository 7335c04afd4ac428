"""Read and write log (loggkontroll).

Every read and write of a person's file is an AuditEntry. The log is append-only: entries form
a chain of HMACs under a key kept outside the database (each entry's MAC covers the previous
entry's), `AuditHead` holds the last sequence number and MAC, and checkpoints of the head are
written outside the database, so `akta auditlog verify` detects a changed, deleted, inserted or
truncated row even when it was done directly in the database (akta/audit/integrity.py).
"""
from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    READ = "read"
    WRITE = "write"
    DENIED = "denied"  # an attempt to open something outside the user's rights (they got a 404)
    ACTIONS = [(READ, "läsning"), (WRITE, "ändring"), (DENIED, "nekad åtkomst")]
    HMAC = "hmac"
    SHA256 = "sha256"  # entries written before the keyed chain

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, db_constraint=False)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=8, choices=ACTIONS)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=255)
    person_id = models.BigIntegerField(null=True, db_index=True)
    person_protected = models.BooleanField(default=False)
    context = models.CharField(max_length=200)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    scheme = models.CharField(max_length=8, default=HMAC)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["person_protected", "at"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Loggen får inte ändras (append-only).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Loggen får inte raderas (append-only).")


class AuditHead(models.Model):
    """Singleton row: the chain's last sequence number and hash."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
