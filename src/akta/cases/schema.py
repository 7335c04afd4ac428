"""The event types of exchange-v1 §2 and their fields, declared once.

The importer, the exporter, the web forms and the API all read these declarations, so a field
is validated and named the same way everywhere.
"""
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass, field

from personnummer import personnummer as pnr_lib

from akta.access.models import Area
from akta.cases.models import EventType, Sex

AKTUALISERING_KINDS = {
    "anmalan": "Anmälan",
    "ansokan": "Ansökan",
    "annan_vag": "På annat sätt",
    "begaran_om_yttrande": "Begäran om yttrande",
}
AKTUALISERING_KIND_CHOICES = list(AKTUALISERING_KINDS.items())
FORHANDSBEDOMNING_OUTCOMES = {"inleda_utredning": "Inleda utredning", "inte_inleda_utredning": "Inte inleda utredning"}
UTREDNING_OUTCOMES = {"insats": "Insats", "ingen_insats": "Ingen insats", "overford": "Överförd"}
BESLUT_OUTCOMES = {"bifall": "Bifall", "delvis_bifall": "Delvis bifall", "avslag": "Avslag"}
FAVOURABLE_OUTCOMES = ("bifall", "delvis_bifall")
# contract-v2 §1: who took a decision (an official under the delegation order, the working
# committee, the committee).
DECISION_LEVELS = {"delegat": "Delegat", "utskott": "Utskott", "namnd": "Nämnd"}
# A journal note's kind (documented extension of contract-v2's optional `kind`).
JOURNAL_KINDS = {"samtal": "Samtal", "hembesok": "Hembesök", "telefon": "Telefon",
                 "natverkskontakt": "Nätverkskontakt", "ovrigt": "Övrigt"}

# Intervention codes (insatser). The first group is the spec's; the rest are documented
# extensions in docs/glossary.md.
INTERVENTIONS = {
    "kontaktperson": "Kontaktperson",
    "kontaktfamilj": "Kontaktfamilj",
    "familjehem": "Familjehem",
    "jourhem": "Jourhem",
    "natverkshem": "Nätverkshem",
    "hvb": "HVB",
    "stodboende": "Stödboende",
    "skyddat_boende": "Skyddat boende",
    "oppenvard_intern": "Öppenvård, egen regi",
    "oppenvard_extern": "Öppenvård, extern",
    "forsorjningsstod": "Försörjningsstöd",
    "sarskilt_boende": "Särskilt boende",
    "daglig_verksamhet": "Daglig verksamhet",
    "boende_lss": "Bostad med särskild service (LSS)",
    "stodboende_ifo": "Stödboende (IFO)",
    "umgangesstod": "Umgängesstöd",
    "familjebehandling": "Familjebehandling",
    "sarskilt_ungdomshem": "Särskilt ungdomshem",
    "lvm_hem": "LVM-hem",
    "ledsagarservice": "Ledsagarservice",
    "avlosarservice": "Avlösarservice",
    "korttidsvistelse": "Korttidsvistelse",
    "personlig_assistans": "Personlig assistans",
    "ekonomiskt_bistand_ovrigt": "Ekonomiskt bistånd, livsföring i övrigt",
    "ovrigt": "Övrigt",
}

LEGAL_BASIS_RE = re.compile(r"^(SoL 4:1|SoL 4:2|LSS 9 § ([1-9]|10)|LVU 2 §|LVU 3 §|LVM 4 §|FB)$")
LEGAL_BASIS_EXAMPLES = ["SoL 4:1", "SoL 4:2"] + [f"LSS 9 § {n}" for n in range(1, 11)] + ["LVU 2 §", "LVU 3 §", "LVM 4 §", "FB"]
# The legal bases whose favourable decisions are reported when not implemented in time: bistånd
# under 4 kap. 1 § SoL and every LSS insats (16 kap. 6 f § SoL, 28 f § LSS; DOMAIN.md §5).
REPORTABLE_BASES = tuple(b for b in LEGAL_BASIS_EXAMPLES if b == "SoL 4:1" or b.startswith("LSS "))


@dataclass(frozen=True)
class F:
    """One field of an event type."""

    name: str
    kind: str  # "enum", "str", "text" (long, a textarea), "date", "bool", "ref", "amount", "codes", "legal_basis"
    required: bool = False
    choices: dict = field(default_factory=dict)
    ref_type: str = ""  # for kind == "ref": the event type referred to
    label: str = ""

    @property
    def column(self):
        """Model column for the field (references drop their `_id`)."""
        return self.name[:-3] if self.kind == "ref" else self.name


AKT = F("aktualisering_id", "ref", True, ref_type=EventType.AKTUALISERING, label="Aktualisering")
UTR = F("utredning_id", "ref", True, ref_type=EventType.UTREDNING_INLEDD, label="Utredning")
BES = F("beslut_id", "ref", True, ref_type=EventType.BESLUT, label="Beslut")

FIELDS = {
    EventType.AKTUALISERING: [
        F("kind", "enum", True, AKTUALISERING_KINDS, label="Slag"),
        F("reporter", "str", label="Anmälare/sökande"),
        F("reasons", "codes", label="Skäl (koder)"),
    ],
    EventType.SKYDDSBEDOMNING: [AKT],
    EventType.FORHANDSBEDOMNING: [AKT, F("outcome", "enum", True, FORHANDSBEDOMNING_OUTCOMES, label="Utfall")],
    EventType.UTREDNING_INLEDD: [F("aktualisering_id", "ref", False, ref_type=EventType.AKTUALISERING, label="Aktualisering")],
    EventType.UTREDNING_FORLANGD: [UTR, F("until", "date", True, label="Förlängd till"), F("reason", "str", True, label="Skäl")],
    EventType.UTREDNING_AVSLUTAD: [UTR, F("outcome", "enum", True, UTREDNING_OUTCOMES, label="Utfall")],
    EventType.BESLUT: [
        F("legal_basis", "legal_basis", True, label="Lagrum"),
        F("intervention", "enum", True, INTERVENTIONS, label="Insats"),
        F("outcome", "enum", True, BESLUT_OUTCOMES, label="Utfall"),
        F("utredning_id", "ref", False, ref_type=EventType.UTREDNING_INLEDD, label="Utredning"),
        F("amount_sek", "amount", False, label="Belopp (kr)"),
        F("decision_level", "enum", False, DECISION_LEVELS, label="Beslutsnivå"),
        F("delegation_point", "str", False, label="Delegationspunkt"),
        F("decided_by", "str", False, label="Beslutsfattare"),
        F("reason_code", "str", False, label="Beslutsorsak (kod)"),
    ],
    EventType.ERBJUDANDE: [BES, F("accepted", "bool", True, label="Accepterat")],
    EventType.VERKSTALLD: [BES],
    EventType.AVBROTT: [BES, F("reason", "str", False, label="Orsak")],
    EventType.ATERUPPTAGEN: [BES],
    EventType.INSATS_AVSLUTAD: [BES, F("reason", "str", True, label="Orsak")],
    EventType.OVERVAGANDE: [BES],
    EventType.ARENDE_AVSLUTAT: [F("reason", "str", False, label="Orsak")],
    EventType.AVFLYTTAD: [],
    # caseworker null (or absent): the case is unassigned from that day.
    EventType.TILLDELAD: [F("caseworker", "str", False, label="Handläggare")],
    EventType.JOURNALANTECKNING: [
        F("text", "text", True, label="Anteckning"),
        F("author", "str", False, label="Skriven av"),
        F("kind", "enum", False, JOURNAL_KINDS, label="Slag"),
    ],
}

# The natural order of steps taken on the same day; events in a file come in any order
# (exchange-v1 §1), so same-day events are ordered by this, then by their position.
SAME_DAY_ORDER = {t: i for i, t in enumerate([
    EventType.AKTUALISERING, EventType.TILLDELAD, EventType.SKYDDSBEDOMNING, EventType.FORHANDSBEDOMNING, EventType.UTREDNING_INLEDD,
    EventType.UTREDNING_FORLANGD, EventType.UTREDNING_AVSLUTAD, EventType.BESLUT, EventType.ERBJUDANDE,
    EventType.VERKSTALLD, EventType.AVBROTT, EventType.ATERUPPTAGEN, EventType.OVERVAGANDE,
    EventType.INSATS_AVSLUTAD, EventType.JOURNALANTECKNING, EventType.AVFLYTTAD, EventType.ARENDE_AVSLUTAT,
])}

# Documented extensions on events: corrections with their recording time.
EVENT_EXTENSIONS = ("recorded_at", "corrects", "voided")
PERSON_FIELDS = ("id", "personnummer", "birth_date", "sex", "protected_identity", "name")
CASE_FIELDS = ("id", "person_id", "area", "case_type", "opened", "unit", "caseworker")
AREAS = dict(Area.choices)


DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PNR_RE = re.compile(r"^\d{8}-?\d{4}$")


def check_personnummer(value):
    """Return (birth_date, sex, key) for a valid personnummer/samordningsnummer, else raise ValueError."""
    if not isinstance(value, str) or not PNR_RE.fullmatch(value):
        raise ValueError(f"ogiltigt personnummer {json.dumps(value, ensure_ascii=False)} (ska vara ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)")
    try:
        p = pnr_lib.Personnummer(value)
    except Exception:
        raise ValueError(f"ogiltigt personnummer {value} (kontrollsiffran eller datumet stämmer inte)") from None
    born = p.get_date()
    born = born.date() if isinstance(born, datetime) else born
    return born, (Sex.MAN if p.is_male() else Sex.KVINNA), value.replace("-", "")



def parse_date(value):
    """A date in exactly the form YYYY-MM-DD (exchange-v1 §1), between 1850 and 2199."""
    if isinstance(value, date):
        parsed = value
    elif not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise ValueError(f"ogiltigt datum {json.dumps(value, ensure_ascii=False)} (ska vara ÅÅÅÅ-MM-DD)")
    else:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"ogiltigt datum {json.dumps(value, ensure_ascii=False)}") from None
    if not 1850 <= parsed.year <= 2199:
        raise ValueError(f"orimligt datum {parsed.isoformat()} (år 1850–2199)")
    return parsed


# Longest text each column holds (the model's max_length).
TEXT_LIMITS = {"reason": 500, "reporter": 200, "id": 100, "case_type": 64, "unit": 64, "name": 200,
               "caseworker": 150, "author": 150, "decided_by": 150, "delegation_point": 32, "reason_code": 64,
               "text": 20000}


def text_problem(value, max_length):
    """Why `value` cannot be stored as text of at most max_length characters, or None."""
    if not isinstance(value, str):
        return "ska vara en sträng"
    if "\x00" in value:
        return "får inte innehålla NUL-tecken"
    if len(value) > max_length:
        return f"får vara högst {max_length} tecken"
    return None


def validate_field(f, value, rec):
    """Check one type-specific field and store its value in rec.

    Returns a message to follow the field's name ("krävs", ": okänt värde …") or None.
    References are collected in rec["refs"] as (field, target id) for the caller to resolve.
    """
    if value is None:
        if f.required:
            return "krävs"
        return None
    if f.kind == "enum":
        if not isinstance(value, str) or value not in f.choices:
            return f': okänt värde {json.dumps(value, ensure_ascii=False)}'
        rec[f.column] = value
    elif f.kind == "legal_basis":
        if not isinstance(value, str) or not LEGAL_BASIS_RE.fullmatch(value):
            return f': okänt lagrum {json.dumps(value, ensure_ascii=False)}'
        rec[f.column] = value
    elif f.kind in ("str", "text"):
        problem = text_problem(value, TEXT_LIMITS.get(f.column, 500))
        if problem:
            return problem
        # An empty caseworker is no caseworker: the `tilldelad` unassigns (contract-v2 §1).
        rec[f.column] = None if (f.column == "caseworker" and value == "") else value
    elif f.kind == "codes":
        if not isinstance(value, list) or any(text_problem(v, 64) for v in value):
            return 'ska vara en lista av koder (strängar om högst 64 tecken)'
        rec[f.column] = value
    elif f.kind == "bool":
        if not isinstance(value, bool):
            return 'ska vara true eller false'
        rec[f.column] = value
    elif f.kind == "date":
        try:
            rec[f.column] = parse_date(value)
        except ValueError as e:
            return f': {e}'
    elif f.kind == "amount":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return 'ska vara ett tal'
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return 'ska vara ett tal'
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            return 'ska vara ett belopp i kronor med högst två decimaler'
        if amount < 0 or amount >= Decimal("1e10"):
            return 'ska vara ett belopp mellan 0 och 9 999 999 999'
        rec[f.column] = amount
    elif f.kind == "ref":
        if not isinstance(value, str):
            return 'ska vara ett id (sträng)'
        rec["refs"].append((f, value))
    return None



def field_message(name, msg):
    """Join a field's name and a validate_field message: 'fältet "x" krävs', 'fältet "x": okänt värde'."""
    return f'fältet "{name}"' + (msg if msg.startswith(":") else " " + msg)
