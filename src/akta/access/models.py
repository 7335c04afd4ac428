"""Users, roles and organisational units (need-to-know access).

A user belongs to one or more units. Caseworkers (handläggare) and managers (enhetschef) see
the cases of their own units only. A protected person (skyddade personuppgifter) is shown as
"Skyddad identitet" unless the user holds the explicit right `may_view_protected`.
"""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver


class Area(models.TextChoices):
    """Verksamhetsområde: the areas of the exchange format (spec §2)."""

    BARN_OCH_UNGA = "barn_och_unga", "Barn och unga"
    VUXNA_MISSBRUK = "vuxna_missbruk", "Vuxna missbrukare"
    VUXNA_OVRIGT = "vuxna_ovrigt", "Vuxna övrigt"
    EKONOMISKT_BISTAND = "ekonomiskt_bistand", "Ekonomiskt bistånd"
    FAMILJERATT = "familjeratt", "Familjerätt"
    VALD_I_NARA_RELATION = "vald_i_nara_relation", "Våld i nära relation"


class Unit(models.Model):
    """Organisatorisk enhet, e.g. "Barn och unga 1"."""

    code = models.CharField("kod", max_length=64, unique=True)
    name = models.CharField("namn", max_length=200)
    area = models.CharField("område", max_length=32, choices=Area.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "enhet"
        verbose_name_plural = "enheter"

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    HANDLAGGARE = "handlaggare", "Handläggare"
    ENHETSCHEF = "enhetschef", "Enhetschef"
    REGISTRATOR = "registrator", "Registrator"
    KVALITETSUTVECKLARE = "kvalitetsutvecklare", "Kvalitetsutvecklare"
    NAMNDSEKRETERARE = "namndsekreterare", "Nämndsekreterare"
    SYSTEMFORVALTARE = "systemforvaltare", "Systemförvaltare"


# Roles that work in individual cases of their own units.
CASE_ROLES = {Role.HANDLAGGARE, Role.ENHETSCHEF}
# Roles that may register events in those cases.
CASE_WRITE_ROLES = {Role.HANDLAGGARE, Role.ENHETSCHEF}
# Roles that send the individrapporter on non-implemented decisions to IVO (16 kap. 6 f § SoL):
# the nämndsekreterare, who reports for the committee, and the enhetschef, who answers for the
# decisions of the unit. Only they get the IVO file (with its pseudo-id) and see the pseudo-id.
IVO_REPORT_ROLES = {Role.ENHETSCHEF, Role.NAMNDSEKRETERARE}
# Roles that may read the read/write log (loggkontroll).
AUDIT_ROLES = {Role.ENHETSCHEF, Role.SYSTEMFORVALTARE, Role.KVALITETSUTVECKLARE}


class User(AbstractUser):
    role = models.CharField("roll", max_length=32, choices=Role.choices, default=Role.HANDLAGGARE)
    units = models.ManyToManyField(Unit, blank=True, related_name="members", verbose_name="enheter")
    may_view_protected = models.BooleanField(
        "behörighet till skyddade personuppgifter",
        default=False,
        help_text="Uttrycklig behörighet att se personer med skyddad identitet.",
    )

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    @property
    def works_with_cases(self):
        return self.role in CASE_ROLES

    @property
    def may_write_cases(self):
        return self.role in CASE_WRITE_ROLES

    @property
    def may_read_audit(self):
        return self.role in AUDIT_ROLES


@receiver(m2m_changed, sender=User.units.through)
def _forget_unit_ids(sender, instance, action, **kwargs):
    """A user's units changed: the user object forgets the unit ids it read
    (akta.access.services.unit_ids)."""
    if action.startswith("post_") and isinstance(instance, User):
        instance.__dict__.pop("_akta_unit_ids", None)
