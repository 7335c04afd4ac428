from django.db import models


class ImportBatch(models.Model):
    """One accepted import of an exchange directory; its content hash makes re-imports no-ops."""

    sha256 = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=500)
    municipality_code = models.CharField(max_length=4)
    municipality_name = models.CharField(max_length=200)
    imported_at = models.DateTimeField(auto_now_add=True)
    persons = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    manifest = models.JSONField(default=dict)

    class Meta:
        ordering = ["imported_at"]
