"""The management system for systematic quality work (ledningssystem för systematiskt
kvalitetsarbete, SOSFS 2011:9) and its registers.

Every register row carries an owner, dates, a status and a `version` (optimistic lock). Rows
are changed only through akta.quality.services, which refuses a stale version and appends
one `QualityHistory` row per change (field: [before, after]); history rows are never changed
or deleted. Workflow steps (avvikelse, lex Sarah, klagomål) are checked by
akta.quality.workflow. See docs/glossary.md for the Swedish terms.
"""
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from akta.access.models import Area, Unit
from akta.law import services as law

USER = settings.AUTH_USER_MODEL

# Legal texts and time limits are data in akta/law/data (references.toml, rules.toml), read
# through akta.law.services; these are only their keys.
LEX_SARAH_KEYS = ("sol.14.3", "sol.14.6", "sol.14.7")
IVO_NOTIFICATION_RULE = "lex_sarah_ivo_2v"


def lex_sarah_references(on):
    """The lex Sarah paragraphs in force on ``on``, from the law data."""
    return "; ".join(law.reference(k, on) for k in LEX_SARAH_KEYS)


def ivo_notification_rule_text(on):
    """The IVO notification time limit with its period and citation, as in force on ``on``."""
    r = law.rule(IVO_NOTIFICATION_RULE, on)
    return f"{r.title} ({r.period}, {law.reference(r.reference_key, on)})"


@deconstructible
class QualityStorage(FileSystemStorage):
    """Attached files under $AKTA_DATA_DIR/media (MEDIA_ROOT is not used by Akta).

    The location is read from settings on each access so tests can point DATA_DIR elsewhere.
    Files are served only through the permission-checked download view, never by URL.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(Path(settings.DATA_DIR) / "media")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None


quality_storage = QualityStorage()


class QualityHistory(models.Model):
    """Append-only history of every register: who changed what, when, from what to what."""

    entity = models.CharField("register", max_length=40)
    entity_id = models.BigIntegerField("post")
    at = models.DateTimeField("tidpunkt", auto_now_add=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField("användare", max_length=150, blank=True)
    action = models.CharField("händelse", max_length=40)
    version = models.PositiveIntegerField("version efter ändringen")
    change = models.JSONField("ändring", default=dict)

    class Meta:
        verbose_name = "historikpost"
        verbose_name_plural = "historik"
        indexes = [models.Index(fields=["entity", "entity_id", "at"])]
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Historiken ändras inte.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Historiken raderas inte.")


class Tracked(models.Model):
    """Owner, dates, version and history for a register row."""

    ENTITY = ""  # name in QualityHistory, e.g. "avvikelse"
    NUMBER_PREFIX = ""  # human number prefix, e.g. "AV" -> AV-2024-0007

    version = models.PositiveIntegerField("version", default=1, editable=False)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="skapad av", editable=False)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        abstract = True

    def history(self):
        return QualityHistory.objects.filter(entity=self.ENTITY, entity_id=self.pk).select_related("user")


# --- Processes, routines, guidelines and templates -----------------------------------------


class DocumentKind(models.TextChoices):
    PROCESS = "process", "Process"
    RUTIN = "rutin", "Rutin"
    RIKTLINJE = "riktlinje", "Riktlinje"
    MALL = "mall", "Mall"


class DocumentStatus(models.TextChoices):
    UTKAST = "utkast", "Utkast"
    GALLANDE = "gallande", "Gällande"
    UPPHAVD = "upphavd", "Upphävd"


class Document(Tracked):
    """Styrdokument in the management system: process, rutin, riktlinje or mall."""

    ENTITY = "styrdokument"
    NUMBER_PREFIX = "SD"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    kind = models.CharField("typ", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("titel", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="ägare")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    doc_version = models.CharField("dokumentversion", max_length=20, default="1.0")
    decision_ref = models.CharField("beslut", max_length=120, blank=True,
                                    help_text="Beslutsinstans, datum och paragraf, t.ex. \"SN 2023-11-30 § 190\".")
    decided_on = models.DateField("beslutsdatum", null=True, blank=True)
    next_review = models.DateField("nästa översyn", null=True, blank=True)
    status = models.CharField("status", max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.GALLANDE)

    class Meta:
        verbose_name = "styrdokument"
        verbose_name_plural = "styrdokument"
        ordering = ["kind", "title"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


def document_upload_to(instance, filename):
    return f"kvalitet/styrdokument/{instance.document_id}/v{instance.number}/{filename}"


class DocumentFile(models.Model):
    """One uploaded version of a document's file (PDF/DOCX). Never replaced or deleted."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    number = models.PositiveIntegerField("filversion")
    file = models.FileField("fil", storage=quality_storage, upload_to=document_upload_to, max_length=300)
    original_name = models.CharField("filnamn", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("storlek (byte)")
    sha256 = models.CharField(max_length=64)
    doc_version = models.CharField("dokumentversion", max_length=20)
    uploaded_at = models.DateTimeField("uppladdad", auto_now_add=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        unique_together = [("document", "number")]
        ordering = ["-number"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("En filversion ändras inte; ladda upp en ny version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Filversioner raderas inte.")


# --- Deviations (avvikelser) ------------------------------------------------------------------


class DeviationCategory(models.TextChoices):
    HANDLAGGNING = "handlaggning", "Handläggning och dokumentation"
    SEKRETESS = "sekretess", "Sekretess och informationssäkerhet"
    SAMVERKAN = "samverkan", "Samverkan (intern och extern)"
    BEMOTANDE = "bemotande", "Bemötande"
    RUTIN = "rutin", "Rutin saknas eller följs inte"
    ARBETSMILJO = "arbetsmiljo", "Hot, våld och arbetsmiljö"
    IT = "it", "IT-stöd och verksamhetssystem"
    OVRIGT = "ovrigt", "Övrigt"


class DeviationStatus(models.TextChoices):
    RAPPORTERAD = "rapporterad", "Rapporterad"
    UTREDD = "utredd", "Utredd"
    ATGARDER = "atgarder", "Åtgärder beslutade"
    ATERKOPPLAD = "aterkopplad", "Återkopplad till rapportören"
    AVSLUTAD = "avslutad", "Avslutad"


class Deviation(Tracked):
    """Avvikelse: an event that departs from what is required (SOSFS 2011:9 5 kap.)."""

    ENTITY = "avvikelse"
    NUMBER_PREFIX = "AV"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    status = models.CharField("status", max_length=16, choices=DeviationStatus.choices,
                              default=DeviationStatus.RAPPORTERAD, editable=False)
    category = models.CharField("kategori", max_length=20, choices=DeviationCategory.choices)
    event_date = models.DateField("händelsedatum")
    reported_on = models.DateField("rapporterad")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    description = models.TextField("beskrivning")
    reporter = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="rapportör")
    # SET_NULL: a case culled under SoL 12 kap. (akta.records) leaves the report; the culling
    # keeps the case's id in `culled_case_ref` (quality/signals.py; never shown, nor in the API or
    # the history) and the page says the case was culled.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="ärende som berörs")
    culled_case_ref = models.CharField("gallrat ärende (id)", max_length=100, blank=True, default="", editable=False)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="ansvarig")
    investigated_on = models.DateField("utredd", null=True, blank=True)
    analysis = models.TextField("analys", blank=True)
    cause = models.TextField("orsak", blank=True)
    actions_decided_on = models.DateField("åtgärder beslutade", null=True, blank=True)
    actions_summary = models.TextField("beslutade åtgärder", blank=True)
    feedback_on = models.DateField("återkoppling", null=True, blank=True)
    feedback = models.TextField("återkoppling till rapportören", blank=True)
    closed_on = models.DateField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "avvikelse"
        verbose_name_plural = "avvikelser"
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["reported_on"]), models.Index(fields=["status"])]

    def __str__(self):
        return self.number

    @property
    def person(self):
        return self.case.person if self.case_id else None

    @property
    def case_culled(self):
        return self.case_id is None and bool(self.culled_case_ref)


# --- Lex Sarah ------------------------------------------------------------------------------


class LexSarahStatus(models.TextChoices):
    RAPPORTERAD = "rapporterad", "Rapporterad"
    AVHJALPT = "avhjalpt", "Omedelbart avhjälpt"
    UTREDS = "utreds", "Utreds"
    BEDOMD = "bedomd", "Bedömd"
    ANMALD = "anmald", "Anmäld till IVO"
    IVO_BESLUT = "ivo_beslut", "IVO:s beslut"
    AVSLUTAD = "avslutad", "Avslutad"


class Assessment(models.TextChoices):
    INGET = "inget", "Inget missförhållande"
    PATAGLIG_RISK = "pataglig_risk", "Påtaglig risk för ett allvarligt missförhållande"
    ALLVARLIGT = "allvarligt", "Allvarligt missförhållande"


NOTIFIABLE = {Assessment.PATAGLIG_RISK, Assessment.ALLVARLIGT}


class LexSarah(Tracked):
    """Lex Sarah: report, remedy, investigation, assessment and, when required, IVO."""

    ENTITY = "lex_sarah"
    NUMBER_PREFIX = "LS"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    status = models.CharField("status", max_length=16, choices=LexSarahStatus.choices,
                              default=LexSarahStatus.RAPPORTERAD, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    event_date = models.DateField("händelsedatum")
    reported_on = models.DateField("rapporterad")
    description = models.TextField("vad har hänt")
    reporter = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="rapportör")
    # SET_NULL: a case culled under SoL 12 kap. (akta.records) leaves the report; the culling
    # keeps the case's id in `culled_case_ref` (quality/signals.py; never shown, nor in the API or
    # the history) and the page says the case was culled.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="ärende som berörs")
    culled_case_ref = models.CharField("gallrat ärende (id)", max_length=100, blank=True, default="", editable=False)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="ansvarig")
    remedied_on = models.DateField("avhjälpt", null=True, blank=True)
    remedy = models.TextField("omedelbara åtgärder", blank=True)
    investigation_started_on = models.DateField("utredning inledd", null=True, blank=True)
    investigation = models.TextField("utredning", blank=True)
    assessed_on = models.DateField("bedömd", null=True, blank=True)
    assessment = models.CharField("bedömning", max_length=16, choices=Assessment.choices, blank=True)
    assessment_reasoning = models.TextField("motivering", blank=True)
    notified_on = models.DateField("anmäld till IVO", null=True, blank=True)
    ivo_reference = models.CharField("IVO:s diarienummer", max_length=60, blank=True)
    ivo_decision_on = models.DateField("IVO:s beslut", null=True, blank=True)
    ivo_decision = models.TextField("IVO:s beslut (sammanfattning)", blank=True)
    closed_on = models.DateField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "lex Sarah-ärende"
        verbose_name_plural = "lex Sarah-ärenden"
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["reported_on"])]

    def __str__(self):
        return self.number

    @property
    def person(self):
        return self.case.person if self.case_id else None

    @property
    def case_culled(self):
        return self.case_id is None and bool(self.culled_case_ref)

    @property
    def requires_notification(self):
        return self.assessment in NOTIFIABLE

    @staticmethod
    def _days(a, b):
        return (b - a).days if a and b else None

    @property
    def days_event_to_report(self):
        return self._days(self.event_date, self.reported_on)

    @property
    def days_report_to_assessment(self):
        return self._days(self.reported_on, self.assessed_on)

    @property
    def days_assessment_to_notification(self):
        return self._days(self.assessed_on, self.notified_on)

    @property
    def notification_due(self):
        """Two weeks after the assessment (rule lex_sarah_ivo_2v in the law data)."""
        if self.assessed_on and self.requires_notification:
            return law.due(IVO_NOTIFICATION_RULE, self.assessed_on)
        return None


# --- Complaints and comments ----------------------------------------------------------------


class ComplaintKind(models.TextChoices):
    KLAGOMAL = "klagomal", "Klagomål"
    SYNPUNKT = "synpunkt", "Synpunkt"
    BEROM = "berom", "Beröm"


class Channel(models.TextChoices):
    ETJANST = "etjanst", "E-tjänst"
    TELEFON = "telefon", "Telefon"
    BREV = "brev", "Brev"
    EPOST = "epost", "E-post"
    BESOK = "besok", "Besök"
    MEDBORGARSERVICE = "medborgarservice", "Medborgarservice/kundcenter"


class Theme(models.TextChoices):
    TILLGANGLIGHET = "tillganglighet", "Tillgänglighet"
    BEMOTANDE = "bemotande", "Bemötande"
    HANDLAGGNINGSTID = "handlaggningstid", "Handläggningstid"
    BESLUT = "beslut", "Beslut och insatser"
    INFORMATION = "information", "Information"
    OVRIGT = "ovrigt", "Övrigt"


class ComplaintStatus(models.TextChoices):
    MOTTAGEN = "mottagen", "Mottagen"
    BESVARAD = "besvarad", "Besvarad"
    AVSLUTAD = "avslutad", "Avslutad"


class Complaint(Tracked):
    """Klagomål, synpunkt eller beröm."""

    ENTITY = "klagomal"
    NUMBER_PREFIX = "KS"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    status = models.CharField("status", max_length=16, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.MOTTAGEN, editable=False)
    kind = models.CharField("slag", max_length=16, choices=ComplaintKind.choices)
    received_on = models.DateField("inkom")
    channel = models.CharField("kanal", max_length=20, choices=Channel.choices)
    theme = models.CharField("tema", max_length=20, choices=Theme.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    description = models.TextField("innehåll")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="ansvarig")
    response_on = models.DateField("besvarad", null=True, blank=True)
    response = models.TextField("svar", blank=True)
    closed_on = models.DateField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "klagomål eller synpunkt"
        verbose_name_plural = "klagomål och synpunkter"
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return self.number


# --- Risk analysis --------------------------------------------------------------------------


class RiskStatus(models.TextChoices):
    IDENTIFIERAD = "identifierad", "Identifierad"
    HANTERAS = "hanteras", "Åtgärder pågår"
    ACCEPTERAD = "accepterad", "Accepterad"
    INAKTUELL = "inaktuell", "Inte längre aktuell"


SCALE = [(1, "1 – låg"), (2, "2"), (3, "3"), (4, "4 – hög")]


class Risk(Tracked):
    """Riskanalys: an event that could harm quality, likelihood × consequence (1–4 each)."""

    ENTITY = "risk"
    NUMBER_PREFIX = "RI"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    title = models.CharField("risk", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    process = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="risks",
                                verbose_name="process eller rutin")
    likelihood = models.PositiveSmallIntegerField("sannolikhet", choices=SCALE,
                                                  validators=[MinValueValidator(1), MaxValueValidator(4)])
    consequence = models.PositiveSmallIntegerField("konsekvens", choices=SCALE,
                                                   validators=[MinValueValidator(1), MaxValueValidator(4)])
    identified_on = models.DateField("identifierad")
    reviewed_on = models.DateField("senast bedömd", null=True, blank=True)
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="ägare")
    status = models.CharField("status", max_length=16, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIERAD)

    class Meta:
        verbose_name = "risk"
        verbose_name_plural = "risker"
        ordering = ["-identified_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(likelihood__gte=1, likelihood__lte=4), name="risk_likelihood_1_4"),
            models.CheckConstraint(condition=models.Q(consequence__gte=1, consequence__lte=4), name="risk_consequence_1_4"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def score(self):
        return self.likelihood * self.consequence

    @property
    def level(self):
        return risk_level(self.score)


def risk_level(score):
    """Risk level from the product (1–16): låg 1–3, måttlig 4–6, hög 8–9, mycket hög 12–16."""
    if score >= 12:
        return "mycket hög"
    if score >= 8:
        return "hög"
    if score >= 4:
        return "måttlig"
    return "låg"


# --- Self-inspection (egenkontroll) ---------------------------------------------------------


class AreaGroup(models.TextChoices):
    """The three groups of seed 000's file review: barn och unga, vuxna, ekonomiskt bistånd."""

    BARN_OCH_UNGA = "barn_och_unga", "Barn och unga"
    VUXNA = "vuxna", "Vuxna"
    EKONOMISKT_BISTAND = "ekonomiskt_bistand", "Ekonomiskt bistånd"


AREA_GROUPS = {
    AreaGroup.BARN_OCH_UNGA: [Area.BARN_OCH_UNGA],
    AreaGroup.VUXNA: [Area.VUXNA_MISSBRUK, Area.VUXNA_OVRIGT, Area.VALD_I_NARA_RELATION],
    AreaGroup.EKONOMISKT_BISTAND: [Area.EKONOMISKT_BISTAND],
}


class Frequency(models.TextChoices):
    MANAD = "manad", "Varje månad"
    KVARTAL = "kvartal", "Varje kvartal"
    TERTIAL = "tertial", "Varje tertial"
    HALVAR = "halvar", "Varje halvår"
    AR = "ar", "En gång per år"


class SelfInspectionPlan(Tracked):
    """Egenkontrollplan: what is checked, how, how often and by whom."""

    ENTITY = "egenkontrollplan"
    NUMBER_PREFIX = "EP"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    title = models.CharField("vad kontrolleras", max_length=200)
    method = models.TextField("hur (metod)")
    frequency = models.CharField("hur ofta", max_length=16, choices=Frequency.choices)
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="vem (ansvarig)")
    routine = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="rutin som kontrolleras")
    sample_per_group = models.PositiveSmallIntegerField("antal akter per område", default=5,
                                                        validators=[MinValueValidator(1), MaxValueValidator(100)])
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "egenkontrollplan"
        verbose_name_plural = "egenkontrollplaner"
        ordering = ["title"]

    def __str__(self):
        return self.title


class ChecklistItem(models.Model):
    """One question of a plan's checklist, tied to the routine it checks."""

    plan = models.ForeignKey(SelfInspectionPlan, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("ordning", default=1)
    text = models.CharField("kontrollfråga", max_length=200)
    routine = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="rutin")
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.text


class RoundStatus(models.TextChoices):
    PAGAR = "pagar", "Pågår"
    KLAR = "klar", "Klar"


class SelfInspectionRound(Tracked):
    """One performed egenkontroll: a stratified random sample drawn with a recorded seed."""

    ENTITY = "egenkontroll"
    NUMBER_PREFIX = "EK"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    plan = models.ForeignKey(SelfInspectionPlan, on_delete=models.PROTECT, related_name="rounds", verbose_name="plan")
    period_start = models.DateField("period från")
    period_end = models.DateField("period till")
    seed = models.BigIntegerField("slumpfrö", editable=False)
    sample_per_group = models.PositiveSmallIntegerField("antal akter per område", editable=False)
    population = models.JSONField("urvalsram per område", default=dict, editable=False)
    status = models.CharField("status", max_length=8, choices=RoundStatus.choices, default=RoundStatus.PAGAR)
    completed_on = models.DateField("klar", null=True, blank=True)
    summary = models.TextField("sammanfattning och analys", blank=True)

    class Meta:
        verbose_name = "egenkontroll"
        verbose_name_plural = "egenkontroller"
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return f"{self.number} {self.plan.title}"


class SampledCase(models.Model):
    round = models.ForeignKey(SelfInspectionRound, on_delete=models.PROTECT, related_name="sampled")
    # NULL once the case is culled (SoL 12 kap., akta.records); `case_ref` keeps its id, so the
    # round's sample and answers stay readable.
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.SET_NULL, related_name="+")
    case_ref = models.CharField("ärende (id)", max_length=100, default="")
    group = models.CharField("område", max_length=20, choices=AreaGroup.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        unique_together = [("round", "case")]
        ordering = ["round", "group", "position"]


class Answer(models.TextChoices):
    JA = "ja", "Ja"
    NEJ = "nej", "Nej"
    EJ_AKTUELLT = "ej_aktuellt", "Ej aktuellt"


class CheckAnswer(models.Model):
    """The reviewer's answer to one checklist item for one sampled file."""

    sampled = models.ForeignKey(SampledCase, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField("svar", max_length=12, choices=Answer.choices)
    comment = models.CharField("kommentar", max_length=500, blank=True)
    answered_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("sampled", "item")]


class Finding(Tracked):
    """Brist funnen vid egenkontroll; leads to improvement actions."""

    ENTITY = "iakttagelse"
    NUMBER_PREFIX = "IA"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    round = models.ForeignKey(SelfInspectionRound, on_delete=models.PROTECT, related_name="findings",
                              verbose_name="egenkontroll")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="kontrollfråga")
    description = models.TextField("iakttagelse")

    class Meta:
        verbose_name = "iakttagelse"
        verbose_name_plural = "iakttagelser"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.number} {self.description[:60]}"


# --- Internal control (internkontroll) ------------------------------------------------------


class InternalControlPlan(Tracked):
    """Internkontrollplan for one year, adopted by the committee."""

    ENTITY = "internkontrollplan"
    NUMBER_PREFIX = "IK"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField("år", unique=True)
    decision_ref = models.CharField("beslut", max_length=120, blank=True,
                                    help_text="T.ex. \"SN 2022-12-14 § 168\".")
    adopted_on = models.DateField("fastställd", null=True, blank=True)

    class Meta:
        verbose_name = "internkontrollplan"
        verbose_name_plural = "internkontrollplaner"
        ordering = ["-year"]

    def __str__(self):
        return f"Internkontrollplan {self.year}"


class ControlPoint(Tracked):
    """Kontrollmoment: process/rutin, control, frequency, owner and method (seed 002 § 26)."""

    ENTITY = "kontrollmoment"
    NUMBER_PREFIX = "KM"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    plan = models.ForeignKey(InternalControlPlan, on_delete=models.PROTECT, related_name="points", verbose_name="plan")
    process = models.CharField("process/rutin", max_length=300)
    control = models.TextField("kontrollmoment")
    frequency = models.CharField("frekvens", max_length=120)
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="kontrollansvarig")
    method = models.TextField("metod")
    risk_score = models.PositiveSmallIntegerField("riskvärde", null=True, blank=True,
                                                  validators=[MinValueValidator(1), MaxValueValidator(16)])

    class Meta:
        verbose_name = "kontrollmoment"
        verbose_name_plural = "kontrollmoment"
        ordering = ["plan", "pk"]

    def __str__(self):
        return self.process


class ControlOutcome(models.TextChoices):
    UTAN_ANMARKNING = "utan_anmarkning", "Utan anmärkning"
    MED_ANMARKNING = "med_anmarkning", "Med anmärkning"
    EJ_GENOMFORD = "ej_genomford", "Ej genomförd"


class ControlResult(Tracked):
    """The result of one control point for one period (e.g. "per 2022-12-31")."""

    ENTITY = "kontrollresultat"
    NUMBER_PREFIX = "KR"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    point = models.ForeignKey(ControlPoint, on_delete=models.PROTECT, related_name="results", verbose_name="kontrollmoment")
    period_end = models.DateField("mättidpunkt / periodens slut")
    outcome = models.CharField("utfall", max_length=16, choices=ControlOutcome.choices)
    checked = models.PositiveIntegerField("antal kontrollerade", null=True, blank=True)
    deviating = models.PositiveIntegerField("varav avvikande", null=True, blank=True)
    result = models.TextField("resultat och analys")
    reported_to_committee = models.CharField("rapporterad till nämnden", max_length=120, blank=True,
                                             help_text="T.ex. \"SN 2023-02-21 § 26\".")

    class Meta:
        verbose_name = "kontrollresultat"
        verbose_name_plural = "kontrollresultat"
        ordering = ["period_end", "pk"]


# --- Improvement actions --------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANERAD = "planerad", "Planerad"
    PAGAR = "pagar", "Pågår"
    GENOMFORD = "genomford", "Genomförd"
    AVBRUTEN = "avbruten", "Avbruten"


class Action(Tracked):
    """Förbättringsåtgärd, linked to what it answers."""

    ENTITY = "atgard"
    NUMBER_PREFIX = "AT"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    title = models.CharField("åtgärd", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="ansvarig")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    due_date = models.DateField("klar senast")
    status = models.CharField("status", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANERAD)
    completed_on = models.DateField("genomförd", null=True, blank=True)
    effect = models.TextField("uppföljning av effekt", blank=True)
    deviations = models.ManyToManyField(Deviation, blank=True, related_name="actions", verbose_name="avvikelser")
    lex_sarah = models.ManyToManyField(LexSarah, blank=True, related_name="actions", verbose_name="lex Sarah-ärenden")
    complaints = models.ManyToManyField(Complaint, blank=True, related_name="actions", verbose_name="klagomål och synpunkter")
    risks = models.ManyToManyField(Risk, blank=True, related_name="actions", verbose_name="risker")
    findings = models.ManyToManyField(Finding, blank=True, related_name="actions", verbose_name="iakttagelser")
    control_results = models.ManyToManyField(ControlResult, blank=True, related_name="actions",
                                             verbose_name="internkontrollresultat")

    class Meta:
        verbose_name = "åtgärd"
        verbose_name_plural = "åtgärder"
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.number} {self.title}"


# --- The annual quality report --------------------------------------------------------------


class ReportSection(Tracked):
    """The narrative text of one section of one year's kvalitetsberättelse."""

    ENTITY = "berattelse"
    NUMBER_PREFIX = ""

    year = models.PositiveSmallIntegerField("år")
    key = models.CharField("avsnitt", max_length=32)
    text = models.TextField("text", blank=True)

    class Meta:
        unique_together = [("year", "key")]
        verbose_name = "avsnitt i kvalitetsberättelsen"
        verbose_name_plural = "avsnitt i kvalitetsberättelsen"


class GoalStatus(models.TextChoices):
    UPPNATT = "uppnatt", "Uppnått"
    DELVIS = "delvis", "Delvis uppnått"
    EJ_UPPNATT = "ej_uppnatt", "Ej uppnått"
    EJ_BEDOMT = "ej_bedomt", "Ej bedömt"


class Goal(Tracked):
    """Mål för året, followed up in the kvalitetsberättelse."""

    ENTITY = "mal"
    NUMBER_PREFIX = "MA"

    number = models.CharField("nummer", max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField("år")
    title = models.CharField("mål", max_length=200)
    target = models.TextField("målvärde eller mått", blank=True)
    result = models.TextField("resultat", blank=True)
    status = models.CharField("måluppfyllelse", max_length=12, choices=GoalStatus.choices, default=GoalStatus.EJ_BEDOMT)

    class Meta:
        verbose_name = "mål"
        verbose_name_plural = "mål"
        ordering = ["year", "pk"]

    def __str__(self):
        return self.title
