"""Settings and records of the deadlines component (none of them is case history).

* :class:`WarningSetting` – how many days before a deadline the worklists warn, per rule.
* :class:`LocalDeadlineRule` – the committee's own service promises in working days, with the
  committee's decision reference (e.g. "beslut om försörjningsstöd inom 10 arbetsdagar",
  seed 001), computed by :func:`akta.law.services.local_due`.
* :class:`KronparmGallring` – that a unit's kronologiska pärm was culled up to a date.
* :class:`StatedTotal` – a total stated elsewhere (e.g. last quarter's manual report to
  IVO/kommunfullmäktige), to reconcile with the report derived from the case history.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from akta.access.models import Area, Unit
from akta.cases.models import EventType, Sex
from akta.cases.schema import AKTUALISERING_KINDS

DEFAULT_WARNING_DAYS = 7


class WarningSetting(models.Model):
    """Varning: the number of days before the due date that a deadline is flagged."""

    rule_id = models.CharField("regel", max_length=64, unique=True)
    days = models.PositiveSmallIntegerField("dagar före", default=DEFAULT_WARNING_DAYS,
                                            validators=[MaxValueValidator(365)])
    updated_at = models.DateTimeField("ändrad", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="ändrad av")

    class Meta:
        verbose_name = "varningsinställning"
        verbose_name_plural = "varningsinställningar"

    def __str__(self):
        return f"{self.rule_id}: {self.days} dagar"

    @classmethod
    def days_by_rule(cls):
        return dict(cls.objects.values_list("rule_id", "days"))


code_validator = RegexValidator(r"^[a-z][a-z0-9_]*$", "Använd små bokstäver a–z, siffror och understreck.")


class LocalDeadlineRule(models.Model):
    """Lokal tidsgräns: a service promise decided by the committee, counted in working days.

    The clock starts at an event of ``anchor_type`` (for an aktualisering optionally of
    ``anchor_kind``) in a case of ``area``, dated within the rule's validity, and is met by
    the first event of ``closing_type`` in the same case dated the same day or later.
    Several versions may share a ``code`` if their validity periods do not overlap.
    """

    code = models.CharField("kod", max_length=64, validators=[code_validator],
                            help_text="Stabil identitet, t.ex. forsorjningsstod_10ad.")
    title = models.CharField("benämning", max_length=200)
    working_days = models.PositiveSmallIntegerField("arbetsdagar", validators=[MaxValueValidator(365)])
    decision_reference = models.CharField("nämndens beslut", max_length=200,
                                          help_text='T.ex. "SN 2014-03-26 § 41".')
    area = models.CharField("område", max_length=32, choices=Area.choices)
    anchor_type = models.CharField("startar vid", max_length=32, choices=EventType.choices,
                                   default=EventType.AKTUALISERING)
    anchor_kind = models.CharField("slag av aktualisering", max_length=32, blank=True,
                                   choices=list(AKTUALISERING_KINDS.items()))
    closing_type = models.CharField("uppfylls av", max_length=32, choices=EventType.choices,
                                    default=EventType.BESLUT)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till och med", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = "lokal tidsgräns"
        verbose_name_plural = "lokala tidsgränser"

    def __str__(self):
        return f"{self.title} ({self.decision_reference})"

    def as_law_rule(self):
        from akta.law.services import LocalRule

        return LocalRule(id=self.code, title=self.title, working_days=self.working_days,
                         decision_reference=self.decision_reference, valid_from=self.valid_from,
                         valid_to=self.valid_to)

    def clean(self):
        from akta.deadlines.subjects import LAW_RULES

        errors = {}
        if self.code in LAW_RULES:
            errors["code"] = "Koden används redan av en lagstadgad regel."
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = "Slutdatumet ligger före startdatumet."
        if self.anchor_kind and self.anchor_type != EventType.AKTUALISERING:
            errors["anchor_kind"] = "Slag anges bara när regeln startar vid en aktualisering."
        if not errors and self.code and self.valid_from:
            end = self.valid_to or dt.date.max
            for other in LocalDeadlineRule.objects.filter(code=self.code).exclude(pk=self.pk):
                if other.valid_from <= end and self.valid_from <= (other.valid_to or dt.date.max):
                    errors["valid_from"] = f"Överlappar en annan version av {self.code} ({other.valid_from}–{other.valid_to or ''})."
                    break
        if errors:
            raise ValidationError(errors)


class KronparmGallring(models.Model):
    """Gallring av kronologisk pärm: the unit's pärm was culled up to and including a date.

    Anmälningar whose förhandsbedömning (inte inleda utredning) is dated on or before
    ``culled_through`` no longer carry the culling deadline from ``performed_on``.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    culled_through = models.DateField("gallrat till och med")
    performed_on = models.DateField("gallrat den")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="gallrat av")
    note = models.CharField("anteckning", max_length=300, blank=True)

    class Meta:
        verbose_name = "gallring av kronologisk pärm"
        verbose_name_plural = "gallringar av kronologisk pärm"


quarter_validator = RegexValidator(r"^\d{4}Q[1-4]$", "Ange kvartalet som ÅÅÅÅQN, t.ex. 2025Q1.")


class StatedTotal(models.Model):
    """Angiven summa: a count stated outside Akta, for reconciliation with the EVB report.

    ``legal_basis`` blank means all legal bases; ``sex`` blank means women and men together
    (e.g. a report's "Summa totalt").
    """

    quarter = models.CharField("kvartal", max_length=6, validators=[quarter_validator])
    legal_basis = models.CharField("lagrum", max_length=32, blank=True)
    sex = models.CharField("kön", max_length=8, choices=Sex.choices, blank=True)
    count = models.PositiveIntegerField("antal")
    source = models.CharField("källa", max_length=300, help_text="T.ex. \"Manuell rapport SN 2022-02-23 § 33\".")
    entered_at = models.DateTimeField("registrerad", auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="registrerad av")

    class Meta:
        ordering = ["quarter", "legal_basis", "sex"]
        constraints = [models.UniqueConstraint(fields=["quarter", "legal_basis", "sex"], name="deadlines_stated_total_cell")]
        verbose_name = "angiven summa"
        verbose_name_plural = "angivna summor"

    def __str__(self):
        return f"{self.quarter} {self.legal_basis or 'alla lagrum'} {self.sex or 'alla'}: {self.count}"
