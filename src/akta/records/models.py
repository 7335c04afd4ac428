"""The culling decision (gallringsbeslut) and its log: what was culled, when, under which rule
and by which run, without personal data (OSL 4 kap.: it must be visible when data was culled).

* :class:`CullingRun` – one ``akta culling --execute``: who, when, the as-of date, the rule and
  how many files. Its number (``G-YYYY-NNNN``) is the gallringsbeslut's reference.
* :class:`CullingLog` – one row per culled case: the case's id, the person as a pseudonym, the
  dates (the person's last entry, due, cull by), the rule (reason code and citation key) and the
  run. No name, personnummer, birth date, sex or free text of the file is kept. Append-only.

The person pseudonym is an HMAC-SHA256 (the audit log's key, outside the database) of the
person's id: with the key one can answer "was this person's file culled, and when?", without it
the pseudonym names no one.
"""
from django.conf import settings
from django.db import models


class CullingRun(models.Model):
    number = models.CharField("gallringsbeslut", max_length=20, unique=True)
    as_of = models.DateField("per dag")
    started_at = models.DateTimeField("påbörjad", auto_now_add=True)
    finished_at = models.DateTimeField("avslutad", null=True, blank=True)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="utförd av")
    performed_by_name = models.CharField("utförd av (namn)", max_length=150)
    rule = models.CharField("regel", max_length=64)
    reference = models.CharField("lagrum", max_length=300)
    count = models.PositiveIntegerField("antal gallrade ärenden", default=0)
    persons_removed = models.PositiveIntegerField("antal borttagna personer", default=0)
    skipped = models.PositiveIntegerField("antal som inte längre skulle gallras", default=0)

    class Meta:
        verbose_name = "gallringsbeslut"
        verbose_name_plural = "gallringsbeslut"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return self.number


class CullingLog(models.Model):
    run = models.ForeignKey(CullingRun, on_delete=models.PROTECT, related_name="log")
    case_id = models.CharField("ärende (id)", max_length=100, db_index=True)
    person_pseudonym = models.CharField("person (pseudonym)", max_length=64, db_index=True)
    last_entry = models.DateField("sista anteckning")
    due = models.DateField("gallringsskyldighet inträdde")
    cull_by = models.DateField("gallras senast")
    reason = models.CharField("skäl", max_length=32)
    reference_key = models.CharField("lagrum (nyckel)", max_length=64)
    culled_at = models.DateTimeField("gallrad")

    class Meta:
        verbose_name = "gallringslogg"
        verbose_name_plural = "gallringslogg"
        ordering = ["run", "case_id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Gallringsloggen ändras inte.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Gallringsloggen raderas inte.")
