"""Saved reports (sparade rapporter): an indicator, its parameters and a content hash, so a
re-run can be checked against what was reported."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedReport(models.Model):
    indicator = models.CharField("indikator", max_length=64)
    title = models.CharField("rubrik", max_length=200, blank=True)
    parameters = models.JSONField("parametrar", help_text="Normaliserade parametrar (period eller dag, röjandeskydd).")
    as_reported_at = models.DateTimeField(
        "registrerat senast", help_text="Rapporten bygger på uppgifter registrerade senast denna tidpunkt.")
    content = models.JSONField("innehåll", help_text="Tabellen som den sparades (JSON enligt exchange-v1 §4).")
    content_hash = models.CharField("innehållshash (SHA-256)", max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name="sparad av")
    created_at = models.DateTimeField("sparad", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "sparad rapport"
        verbose_name_plural = "sparade rapporter"

    def __str__(self):
        return f"{self.indicator} {self.parameters}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("En sparad rapport ändras inte; spara en ny.")
        super().save(*args, **kwargs)
