"""The case history: persons, cases (ärenden) and their append-only dated events.

Everything else (status, deadlines, statistics) is derived from `Event` rows. An event is
never changed after it is recorded: a correction is a new event that points at the one it
corrects (`corrects`), carries its own recording time (`recorded_at`) and may annul it
(`voided`). See docs/glossary.md for the Swedish terms and legal references.
"""
from django.conf import settings
from django.db import models

from akta.access.models import Area, Unit


class Sex(models.TextChoices):
    KVINNA = "kvinna", "Kvinna"
    MAN = "man", "Man"
    OKANT = "okänt", "Okänt"


class Person(models.Model):
    """Enskild: the person a personakt is about."""

    ext_id = models.CharField("id", max_length=100, unique=True)
    personnummer = models.CharField("personnummer", max_length=13, null=True, blank=True)
    pnr_key = models.CharField(max_length=12, null=True, blank=True, db_index=True,
                               help_text="Personnumret med tolv siffror, för sökning.")
    birth_date = models.DateField("födelsedatum")
    sex = models.CharField("kön", max_length=8, choices=Sex.choices)
    protected_identity = models.BooleanField("skyddad identitet", default=False)
    name = models.CharField("namn", max_length=200, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "personer"

    def __str__(self):
        return self.ext_id


class Case(models.Model):
    """Ärende, within one area and one unit."""

    ext_id = models.CharField("id", max_length=100, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    area = models.CharField("område", max_length=32, choices=Area.choices)
    case_type = models.CharField("ärendetyp", max_length=64, blank=True)
    opened = models.DateField("öppnat")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="cases", verbose_name="handläggare")
    # The caseworker as the exchange names them (contract-v2 §1 `caseworker` on a case: a
    # username or an external id), assigned at import; `caseworker` is the Akta user of that
    # name when there is one. Later (re)assignments are `tilldelad` events
    # (akta.cases.derived.assignment owns who is assigned on a day).
    caseworker_ref = models.CharField("handläggare (id)", max_length=150, blank=True, default="")
    version = models.PositiveIntegerField(default=1, help_text="Optimistisk låsning: ökas vid varje registrering.")
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"
        indexes = [
            models.Index(fields=["unit", "area"]),
            models.Index(fields=["area", "opened"]),
            # The case list, newest first, a page at a time (akta.cases.listing).
            models.Index(fields=["opened", "id"], name="cases_case_opened_id"),
        ]

    def __str__(self):
        return self.ext_id


class EventType(models.TextChoices):
    AKTUALISERING = "aktualisering", "Aktualisering"
    SKYDDSBEDOMNING = "skyddsbedomning", "Skyddsbedömning"
    FORHANDSBEDOMNING = "forhandsbedomning", "Förhandsbedömning"
    UTREDNING_INLEDD = "utredning_inledd", "Utredning inledd"
    UTREDNING_FORLANGD = "utredning_forlangd", "Utredningstiden förlängd"
    UTREDNING_AVSLUTAD = "utredning_avslutad", "Utredning avslutad"
    BESLUT = "beslut", "Beslut"
    ERBJUDANDE = "erbjudande", "Erbjudande"
    VERKSTALLD = "verkstalld", "Verkställt"
    AVBROTT = "avbrott", "Avbrott i verkställighet"
    ATERUPPTAGEN = "aterupptagen", "Verkställighet återupptagen"
    INSATS_AVSLUTAD = "insats_avslutad", "Insats avslutad"
    OVERVAGANDE = "overvagande", "Övervägande"
    ARENDE_AVSLUTAT = "arende_avslutat", "Ärende avslutat"
    AVFLYTTAD = "avflyttad", "Avflyttad"
    TILLDELAD = "tilldelad", "Tilldelad handläggare"
    JOURNALANTECKNING = "journalanteckning", "Journalanteckning"


class Event(models.Model):
    """Händelse: one dated step in a case. Append-only: ``save`` of an existing row and
    ``delete`` raise. The one exception is culling (SoL 12 kap. 1 §): ``akta.records.services``
    removes a culled case's events with a single queryset delete that bypasses these methods,
    and records it (:class:`CaseRemoval`, the records component's culling log)."""

    ext_id = models.CharField("id", max_length=100, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    type = models.CharField("typ", max_length=32, choices=EventType.choices)
    date = models.DateField("datum")
    recorded_at = models.DateTimeField("registrerad")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    voided = models.BooleanField("makulerad", default=False)
    # References to earlier events of the same case.
    aktualisering = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    utredning = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    beslut = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Type-specific fields (exchange-v1 §2).
    kind = models.CharField("slag", max_length=32, blank=True)
    outcome = models.CharField("utfall", max_length=32, blank=True)
    legal_basis = models.CharField("lagrum", max_length=32, blank=True)
    intervention = models.CharField("insats", max_length=64, blank=True)
    reason = models.CharField("orsak", max_length=500, null=True, blank=True)
    reporter = models.CharField("anmälare", max_length=200, null=True, blank=True)
    reasons = models.JSONField("skäl", null=True, blank=True)
    until = models.DateField("förlängd till", null=True, blank=True)
    accepted = models.BooleanField("accepterat", null=True, blank=True)
    amount_sek = models.DecimalField("belopp (kr)", max_digits=12, decimal_places=2, null=True, blank=True)
    # contract-v2 §1: the decision's level, delegation point, decider and reason code (beslut);
    # the caseworker of a `tilldelad` (NULL: unassigned); a journal note's text and author.
    decision_level = models.CharField("beslutsnivå", max_length=16, null=True, blank=True)
    delegation_point = models.CharField("delegationspunkt", max_length=32, null=True, blank=True)
    decided_by = models.CharField("beslutsfattare", max_length=150, null=True, blank=True)
    reason_code = models.CharField("beslutsorsak", max_length=64, null=True, blank=True)
    caseworker = models.CharField("handläggare", max_length=150, null=True, blank=True)
    text = models.TextField("text", null=True, blank=True)
    author = models.CharField("författare", max_length=150, null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        indexes = [
            models.Index(fields=["case", "date"]),
            models.Index(fields=["type", "date"]),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.date}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Händelser ändras inte; registrera en rättelse.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Händelser raderas inte; registrera en rättelse.")


class CaseRemoval(models.Model):
    """That cases were removed from the history as a whole (culling, SoL 12 kap. 1 §,
    ``akta.records``): the one way a case and its events leave the database. Holds no personal
    data. Caches derived from the history (the deadline worklist's snapshots) include the latest
    row in their stamp, so a removed case is never shown from a snapshot."""

    at = models.DateTimeField("när", auto_now_add=True)
    reason = models.CharField("skäl", max_length=64)
    count = models.PositiveIntegerField("antal ärenden")

    class Meta:
        verbose_name = "borttagna ärenden"
        verbose_name_plural = "borttagna ärenden"
