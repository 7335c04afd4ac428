"""Synthetic municipality generator: writes an akta-exchange/1 directory (docs: exchange-v1.md).

Pure Python, no database. ``generate(size, seed, out_dir)`` is deterministic: the same
(size, seed, start, end) always gives byte-identical files. Every random draw comes from a
``random.Random`` seeded with a string derived from (size, seed, stream); the current date is
never read.

Sizes
-----
=========  ==========  =====  ===========  ================================================
size       model       code   inhabitants  rates taken from
=========  ==========  =====  ===========  ================================================
small      Arjeplog    2506   2 785        seed 000 (Arjeplog kvalitetsberättelse 2020)
medium     Norrtälje   0188   65 000       seed 004 (Norrtälje socialtjänstrapport 2023)
large      Stockholm   0180   1 000 000    medium's rates × 1 000 000 / 65 000 (DOMAIN §9)
=========  ==========  =====  ===========  ================================================

Yearly volumes (new cases opened per year, *including* returning persons)
------------------------------------------------------------------------
medium (Norrtälje 2023, seed 004 unless noted):

* ekonomiskt bistånd: 7 241 applications from 832 households a year (tab. 7.4), 2 974 women /
  4 267 men -> 41 % of applicants are women. A "spell" (case) is one household's period on
  försörjningsstöd: a first application with a short utredning, then one application a month
  (+15 % extra applications, e.g. tandvård) -> beslut SoL 4:1 forsorjningsstod with amount_sek ->
  verkställt within 0–2 days. 405 new spells a year (12 % refused at the first application),
  mean length ~20 months (25 % 1–3, 30 % 4–12, 28 % 13–36, 17 % 37–84 months), reproduce
  ~6 900 applications and ~840 households a year; a stationary stock of ongoing spells is
  seeded 400 days before ``start``. Ending reasons after fig. 7.9/7.10 (work,
  "ej avhörd" after 3 months of silence, changed family situation, other benefit, other).
  22 % return within 12 months and a further 10 % later: Kolada U31462 for Norrtälje is
  75–80 % not re-actualised (tab. 7.5/7.6, A = 158–191 a half-year).
* barn och unga: 1 750 cases a year, plus re-reports inside open cases -> ~1 950 aktualiseringar
  (≈30 per 1 000 inhabitants; Norrtälje's count is only in fig. 6.1, so this is the national
  order of magnitude). Kinds: anmälan 82 %, ansökan 7 %, på annat sätt 6 %, begäran om yttrande
  5 % (LuL yttranden: 81 clients in 2023, §9 of seed 004). Slightly more boys (52 %, fig. 6.2).
  Skyddsbedömning the same day for 89 %. Förhandsbedömning within 14 days for 96 % (seed 004 §6,
  "uppskattningsvis 96 %"); 33 % lead to utredning. ~40 % of child investigations take more than
  four months ("nästan 40 %", fig. 6.5), half of those with a decided extension; the majority of
  the rest close at 101–120 days (fig. 6.6). Outcome insats ~50 %. Öppenvård intern is the most
  common insats: 228 open outpatient cases for children in 2023 (seed 004 §6). Placements in
  familjehem/jourhem/nätverkshem/HVB under SoL 4:1 or LVU 2 §/3 § are considered
  (overvagande) every ~5–6 months, 10 % late. Umgängesstöd (6:15 c FB): 15 a year (tab. 6.6).
* vuxna missbruk: 760 cases a year + re-reports -> ~950 aktualiseringar (966 in 2023, fig. 8.2);
  anmälan is the most common kind (fig. 8.4); 68 % men; LVM 4 § in ~6 % of investigated
  anmälningar; many re-actualisations (§8 text).
* vuxna övrigt: 200 cases a year (Arjeplog's 5 aktualiseringar / 14 persons per 2 785
  inhabitants scaled, rounded down for a larger municipality); SoL 4:1, SoL 4:2 and LSS 9 § 4/9/10.
* våld i nära relation: 170 cases a year (seed 004 fig. 10.1 only shows a sharp increase; 2.6 per
  1 000 inhabitants chosen), 88 % women, mainly 31–49 years (fig. 10.2/10.5).
* familjerätt (tab. 6.1–6.5): VBU-utredning 52, samarbetssamtal 111, adoption medgivande 5,
  faderskap 290 (≈half of ~600 births a year; Arjeplog has 17 for 2 785 inhabitants).

small (Arjeplog 2020, seed 000 "Jämförelsetal klientmängd"): 118 persons a year in IFO;
aktualiseringar barn och unga 22, vuxna missbrukare 10, vuxna övrigt 5, ekonomiskt bistånd 24,
faderskap 17; 50 persons on ekonomiskt bistånd, 9–11 a month (40 spells a year, mean ~4 months);
29 children; moves out of the municipality are frequent (16 of 118 in 2020), so ``avflyttad``
rates are higher than for medium.

large: every medium rate × 1 000 000 / 65 000 (Stockholm, "extrapolate the rates above").

Other rates
-----------
* Verkställighet (16 kap. 6 f § SoL, LSS 28 f §): favourable SoL 4:1/LSS decisions are mostly
  implemented quickly; kontaktperson/kontaktfamilj 12 %, boende LSS 30 %, särskilt boende 25 %,
  daglig verksamhet 10 %, stödboende 8 %, öppenvård 2–3 % are implemented after more than three
  months (30 % of those never), which gives the quarterly IVO report content (seeds 001, 003:
  Kalix, 16 000 inhabitants, reports ~20 a quarter). 6 % of offers are declined. 2–10 % of
  implemented decisions are interrupted (HVB 10 %); 55 % resume within three months, 20 % later,
  25 % never.
* Protected identity: ~1 % of persons (VINR-weighted). Samordningsnummer ~1.5 %, no
  personnummer (birth_date only) ~0.4 %, a third of those with sex "okänt".
* Amounts (``amount_sek`` of a försörjningsstöd decision): a plain synthetic distribution, not
  the riksnorm and not a calculation of försörjningsstöd (the norm belongs in Akta's law data,
  contract-v2 §3). Living costs 3 000 kr a month per adult plus, per child, 1 500–3 900 kr
  (uniform, in steps of 400 kr), raised 3 % a year from 2021 (a formula, for every year);
  plus rent (4 000–8 000 kr alone, 6 000–12 000 kr otherwise, steps of 100 kr) and 300–700 kr
  of other household costs; minus income (none for 60 %, else 500–7 000 kr, ±20 %); then
  ±5 %, at least 300 kr.

Modelling choices
-----------------
* Child anmälan -> skyddsbedömning -> förhandsbedömning -> utredning -> beslut (with
  ``utredning_id``) -> erbjudande (voluntary non-placement insatser) -> verkställd; placements
  and LVU/LVM are implemented within 0–1 days without an erbjudande.
* Familjerätt: VBU (``begaran_om_yttrande`` from tingsrätten, 4-month utredning, some
  court-granted extensions), faderskap (``annan_vag`` from Skatteverket, utredning; 3 % take more
  than a year), adoption medgivande (ansökan, utredning) and samarbetssamtal (ansökan, closed
  after the talks) carry no ``beslut``: no spec intervention code fits them. ``FB`` is the legal
  basis of court-ordered umgängesstöd (case type ``umgangesstod`` in barn och unga, intervention
  ``kontaktperson``, the nearest spec code).
* Only the spec's 15 intervention codes are used.
* A person returning after a closed case gets a new case; no event follows ``arende_avslutat``.

Coverage
--------
Every area, event type, aktualisering kind, outcome, legal basis, case type, accepted and
declined erbjudande, and every kind of missed deadline (late förhandsbedömning, child
investigation over four months, decision not implemented within three months, interruption not
resumed within three months, late övervägande) appears in every output: a feature still missing
after the simulation gets an extra case with that path forced (a few cases in small, normally
none in medium and large). Best effort when the window is shorter than about 18 months.

History before ``start``
------------------------
Arrivals are simulated from two years before ``start`` so that stocks (placements, long
försörjningsstöd spells) are realistic on ``start``. Cases that were closed before ``start``
are dropped; cases still open on ``start`` keep their full history (events before ``start``),
as a migration export would. Nothing is dated after ``end``; processes running on ``end`` are
simply cut there.

Extension fields (exchange-v1 allows documented extensions)
----------------------------------------------------------
* person ``name``: a plausible Swedish first and last name;
* case ``unit``: unit code (``manifest.units``);
* manifest ``units``: ``[{"code", "name", "area"}]``, ``source_system``: "akta-synth",
  ``generator``: ``{"size", "seed", "start", "end"}``.

Optional spec fields used: aktualisering ``reporter`` (Swedish word) and ``reasons`` (codes),
``reason`` on avbrott / insats_avslutad / arende_avslutat / utredning_forlangd.
"""
from __future__ import annotations

import json
import math
import random
from calendar import monthrange
from datetime import date
from pathlib import Path

FORMAT = "akta-exchange/1"

AREAS = (
    "barn_och_unga",
    "vuxna_missbruk",
    "vuxna_ovrigt",
    "ekonomiskt_bistand",
    "familjeratt",
    "vald_i_nara_relation",
)
AREA_NAMES = {
    "barn_och_unga": "Barn och unga",
    "vuxna_missbruk": "Vuxna missbruk",
    "vuxna_ovrigt": "Vuxna övrigt",
    "ekonomiskt_bistand": "Ekonomiskt bistånd",
    "familjeratt": "Familjerätt",
    "vald_i_nara_relation": "Våld i nära relation",
}
EVENT_TYPES = (
    "aktualisering", "skyddsbedomning", "forhandsbedomning", "utredning_inledd",
    "utredning_forlangd", "utredning_avslutad", "beslut", "erbjudande", "verkstalld", "avbrott",
    "aterupptagen", "insats_avslutad", "overvagande", "arende_avslutat", "avflyttad",
)
KINDS = ("anmalan", "ansokan", "annan_vag", "begaran_om_yttrande")
CASE_TYPES = ("vbu_utredning", "samarbetssamtal", "faderskap", "adoption_medgivande", "umgangesstod")

# Event type codes (internal)
AKT, SKY, FHB, UIN, UFL, UAV, BES, ERB, VER, AVB, ATE, INS, OVV, ARE, AVF = range(15)

WARMUP_DAYS = 730
NOFORCE = {}  # ordinary cases: nothing forced
EB_WARMUP_DAYS = 400


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------

MEDIUM_RATES = {
    # stream: new cases a year (including returns)
    "bou": 1750.0,
    "umgangesstod": 15.0,
    "missbruk": 760.0,
    "ovrigt": 200.0,
    "vinr": 170.0,
    "eb": 405.0,
    "faderskap": 290.0,
    "vbu": 52.0,
    "samarbetssamtal": 111.0,
    "adoption": 5.0,
}
SMALL_RATES = {
    "bou": 18.0,
    "umgangesstod": 0.5,
    "missbruk": 8.0,
    "ovrigt": 5.0,
    "vinr": 2.0,
    "eb": 40.0,
    "faderskap": 17.0,
    "vbu": 2.2,
    "samarbetssamtal": 4.7,
    "adoption": 0.25,
}
# Share of case endings that are moves out of the municipality.
MEDIUM_MOVES = {"bou": 0.03, "missbruk": 0.05, "ovrigt": 0.04, "vinr": 0.10, "eb": 0.05}
SMALL_MOVES = {"bou": 0.05, "missbruk": 0.2, "ovrigt": 0.2, "vinr": 0.3, "eb": 0.18}
# Försörjningsstöd spell lengths in months: (weight, min, max)
MEDIUM_SPELLS = ((25, 1, 3), (30, 4, 12), (28, 13, 36), (17, 37, 84))
SMALL_SPELLS = ((60, 1, 3), (35, 4, 9), (5, 10, 24))

PROFILES = {
    "small": {
        "code": "2506", "name": "Arjeplog", "inhabitants": 2785,
        "rates": SMALL_RATES, "moves": SMALL_MOVES, "spells": SMALL_SPELLS,
        "units": {a: 1 for a in AREAS},
    },
    "medium": {
        "code": "0188", "name": "Norrtälje", "inhabitants": 65000,
        "rates": MEDIUM_RATES, "moves": MEDIUM_MOVES, "spells": MEDIUM_SPELLS,
        "units": {**{a: 1 for a in AREAS}, "barn_och_unga": 2},
    },
    "large": {
        "code": "0180", "name": "Stockholm", "inhabitants": 1_000_000,
        "rates": {k: v * 1_000_000 / 65_000 for k, v in MEDIUM_RATES.items()},
        "moves": MEDIUM_MOVES, "spells": MEDIUM_SPELLS,
        "units": {a: 4 for a in AREAS},
    },
}
SIZES = tuple(PROFILES)

# Probability that a closed case is followed by a new case for the same person.
RETURNS = {"bou": 0.30, "missbruk": 0.40, "ovrigt": 0.12, "vinr": 0.20, "eb": 0.32}


def units_for(size):
    """The manifest's unit list for a size: one unit per area, split as the profile says."""
    out = []
    for area in AREAS:
        n = PROFILES[size]["units"][area]
        if n == 1:
            out.append({"code": area, "name": AREA_NAMES[area], "area": area})
        else:
            for i in range(1, n + 1):
                out.append({"code": f"{area}_{i}", "name": f"{AREA_NAMES[area]} {i}", "area": area})
    return out


# ---------------------------------------------------------------------------------------------
# Interventions: implementation behaviour
# ---------------------------------------------------------------------------------------------
# offer: an erbjudande precedes implementation; delay: days from beslut to verkställd when on
# time; late: share implemented after > 3 months (or never); dur: days the insats lasts;
# avb: share of implemented decisions interrupted; placement: child placement (överväganden).
IMPL = {
    "kontaktperson": (True, (10, 80), 0.12, (120, 900), 0.06, False),
    "kontaktfamilj": (True, (10, 80), 0.12, (120, 900), 0.05, False),
    "familjehem": (False, (0, 3), 0.02, (120, 1400), 0.04, True),
    "jourhem": (False, (0, 1), 0.0, (14, 150), 0.02, True),
    "natverkshem": (False, (0, 3), 0.02, (120, 1400), 0.03, True),
    "hvb": (False, (0, 7), 0.02, (60, 365), 0.10, True),
    "stodboende": (False, (0, 14), 0.04, (90, 600), 0.06, True),
    "skyddat_boende": (False, (0, 1), 0.0, (10, 120), 0.04, False),
    "oppenvard_intern": (True, (3, 30), 0.02, (60, 365), 0.07, False),
    "oppenvard_extern": (True, (7, 45), 0.03, (60, 300), 0.08, False),
    "sarskilt_boende": (True, (30, 88), 0.25, (365, 2000), 0.01, False),
    "daglig_verksamhet": (True, (14, 80), 0.10, (365, 2000), 0.04, False),
    "boende_lss": (True, (30, 88), 0.30, (365, 3000), 0.01, False),
    "stodboende_ifo": (True, (7, 60), 0.08, (90, 700), 0.08, False),
}
PLACEMENTS = {"familjehem", "jourhem", "natverkshem", "hvb", "stodboende"}

END_REASONS = ("Målen uppnådda", "Behovet har upphört", "Enligt plan", "Den enskilde har avbrutit insatsen")
AVBROTT_REASONS = ("Den enskilde avbröt", "Utförare saknas", "Vistelse på sjukhus", "Rymning", "Uppdragstagaren slutade")

# (legal basis, intervention, weight, min age, max age)
BOU_INSATS = (
    ("SoL 4:1", "oppenvard_intern", 36, 0, 17),
    ("SoL 4:1", "kontaktperson", 10, 6, 17),
    ("SoL 4:1", "kontaktfamilj", 7, 0, 14),
    ("SoL 4:1", "oppenvard_extern", 8, 0, 17),
    ("SoL 4:1", "familjehem", 8, 0, 17),
    ("SoL 4:1", "jourhem", 3, 0, 17),
    ("SoL 4:1", "natverkshem", 4, 0, 17),
    ("SoL 4:1", "hvb", 4, 10, 17),
    ("SoL 4:1", "stodboende", 2, 16, 17),
    ("LVU 2 §", "familjehem", 5, 0, 17),
    ("LVU 2 §", "jourhem", 1, 0, 17),
    ("LVU 2 §", "hvb", 1, 8, 17),
    ("LVU 3 §", "hvb", 4, 12, 17),
    ("LSS 9 § 4", "kontaktperson", 2, 4, 17),
    ("LSS 9 § 8", "boende_lss", 1, 6, 17),
    ("SoL 4:2", "oppenvard_intern", 2, 0, 17),
)
MISSBRUK_INSATS = (
    ("SoL 4:1", "oppenvard_intern", 40),
    ("SoL 4:1", "oppenvard_extern", 8),
    ("SoL 4:1", "hvb", 18),
    ("SoL 4:1", "stodboende_ifo", 14),
    ("SoL 4:1", "kontaktperson", 5),
    ("SoL 4:1", "familjehem", 2),
    ("SoL 4:2", "oppenvard_intern", 5),
)
OVRIGT_INSATS = (
    ("SoL 4:1", "kontaktperson", 18),
    ("SoL 4:1", "stodboende_ifo", 15),
    ("SoL 4:1", "sarskilt_boende", 10),
    ("SoL 4:1", "oppenvard_intern", 10),
    ("SoL 4:2", "stodboende_ifo", 5),
    ("SoL 4:2", "oppenvard_intern", 4),
    ("LSS 9 § 4", "kontaktperson", 8),
    ("LSS 9 § 9", "boende_lss", 12),
    ("LSS 9 § 10", "daglig_verksamhet", 12),
)
VINR_INSATS = (
    ("SoL 4:1", "oppenvard_intern", 50),
    ("SoL 4:1", "stodboende_ifo", 10),
    ("SoL 4:1", "kontaktperson", 5),
    ("SoL 4:2", "oppenvard_intern", 6),
)

BOU_REPORTERS = (("polis", 25), ("skola", 18), ("förskola", 7), ("hälso- och sjukvård", 15),
                 ("socialtjänsten", 10), ("anhörig", 8), ("anonym", 5), ("vårdnadshavare", 5),
                 ("annan myndighet", 7))
BOU_REASONS = (("foraldrasvikt", 20), ("missbruk_i_familjen", 15), ("ohalsa_i_familjen", 14),
               ("vald_i_familjen", 10), ("fysisk_misshandel", 6), ("sexuella_overgrepp", 3),
               ("psykisk_ohalsa", 8), ("kriminalitet", 6), ("skolfranvaro", 7), ("eget_missbruk", 5),
               ("normbrytande_beteende", 6))
MISSBRUK_REPORTERS = (("polis", 30), ("hälso- och sjukvård", 25), ("anhörig", 15), ("psykiatri", 10),
                      ("kriminalvård", 5), ("annan myndighet", 15))
MISSBRUK_REASONS = (("alkohol", 45), ("narkotika", 30), ("lakemedel", 8), ("spel", 5), ("blandmissbruk", 12))
VINR_REASONS = (("fysiskt_vald", 35), ("psykiskt_vald", 30), ("sexuellt_vald", 8), ("hot", 15),
                ("hedersrelaterat", 5), ("ekonomiskt_vald", 7))
OVRIGT_REASONS = (("psykisk_funktionsnedsattning", 35), ("hemloshet", 20), ("boende", 15),
                  ("social_isolering", 15), ("intellektuell_funktionsnedsattning", 15))
EB_REASONS = (("arbetslos_ingen_ersattning", 25), ("arbetslos_otillracklig_ersattning", 20),
              ("sjuk_med_intyg", 20), ("sociala_skal", 25), ("otillracklig_inkomst", 10))
EB_END = (("Arbete", 25), ("Ej avhörd", 25), ("Ändrad familjesituation", 10),
          ("Annan ersättning", 20), ("Studier", 8), ("Annan orsak", 7))

# Synthetic living costs for försörjningsstöd amounts (kr a month; see the module docstring):
# a plain distribution, deliberately not the riksnorm.
LIVING_PER_ADULT = 3000
LIVING_CHILD_MIN, LIVING_CHILD_STEP, LIVING_CHILD_STEPS = 1500, 400, 7
LIVING_BASE_YEAR, LIVING_GROWTH = 2021, 0.03

FEMALE_NAMES = ("Anna", "Maria", "Eva", "Karin", "Sara", "Emma", "Elin", "Ida", "Johanna", "Linnea",
                "Maja", "Alice", "Ella", "Wilma", "Alva", "Ebba", "Olivia", "Astrid", "Saga", "Elsa",
                "Lina", "Hanna", "Sofia", "Amanda", "Malin", "Jenny", "Kristina", "Birgitta", "Ingrid",
                "Margareta", "Fatima", "Amina", "Leila", "Yasmin", "Nour", "Aisha", "Agnieszka",
                "Natalia", "Selma", "Tilda", "Freja", "Vera", "Ronja", "Moa", "Louise", "Therese")
MALE_NAMES = ("Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans",
              "Peter", "Fredrik", "Daniel", "Oskar", "William", "Liam", "Noah", "Hugo", "Lucas",
              "Elias", "Adam", "Alexander", "Filip", "Viktor", "Axel", "Leo", "Isak", "Emil", "Anton",
              "Mohammed", "Ali", "Omar", "Ahmed", "Hassan", "Yusuf", "Tomasz", "Dragan", "Mattias",
              "Jonas", "Magnus", "Stefan", "Henrik", "Olle", "Gustav", "Theo", "Melvin")
LAST_NAMES = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
              "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
              "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
              "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren",
              "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
              "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk",
              "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson",
              "Mohammadi", "Ali", "Hassan", "Ahmed", "Yilmaz", "Nowak", "Kowalski", "Hodžić",
              "Abdi", "Omar", "Nguyen", "Rahimi", "Jovanović", "Stenmark", "Nordin", "Öberg", "Åström")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def add_months(o, n):
    """Ordinal day n calendar months after ordinal o (same date number, else last of month)."""
    d = date.fromordinal(o)
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, monthrange(y, m)[1])).toordinal()


def _table(pairs):
    items = [p[0] for p in pairs]
    cum, s = [], 0
    for p in pairs:
        s += p[1]
        cum.append(s)
    return items, cum


def _pick(rng, table):
    return rng.choices(table[0], cum_weights=table[1])[0]


class Ev:
    __slots__ = ("d", "seq", "t", "ref", "a", "b", "c", "e", "case", "id")

    def __init__(self, case, t, d, ref, a, b, c, e, seq):
        self.case, self.t, self.d, self.ref, self.a, self.b, self.c, self.e, self.seq = case, t, d, ref, a, b, c, e, seq
        self.id = None


class Case:
    __slots__ = ("person", "area", "case_type", "unit", "opened", "events", "idx", "id")

    def __init__(self, person, area, case_type, unit, opened, idx):
        self.person, self.area, self.case_type, self.unit, self.opened = person, area, case_type, unit, opened
        self.events, self.idx, self.id = [], idx, None

    def ev(self, t, d, ref=None, a=None, b=None, c=None, e=None):
        ev = Ev(self, t, d, ref, a, b, c, e, len(self.events))
        self.events.append(ev)
        return ev

    def last(self):
        return max(e.d for e in self.events)


class Person:
    __slots__ = ("birth", "sex", "area", "idx", "units", "id", "pnr", "kind", "protected", "name")

    def __init__(self, birth, sex, area, idx):
        self.birth, self.sex, self.area, self.idx = birth, sex, area, idx
        self.units = {}
        self.id = self.pnr = self.name = None
        self.kind = "pnr"
        self.protected = False

    def age(self, o):
        b, d = date.fromordinal(self.birth), date.fromordinal(o)
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def luhn(digits):
    s = 0
    for i, ch in enumerate(digits):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        s += v - 9 if v > 9 else v
    return (10 - s % 10) % 10


def make_pnr(birth, serial, coordination=False):
    """YYYYMMDD-NNNN for a birth date and a three-digit serial (odd third digit = man)."""
    d = date.fromordinal(birth)
    day = d.day + (60 if coordination else 0)
    ten = f"{d.year % 100:02d}{d.month:02d}{day:02d}{serial:03d}"
    return f"{d.year:04d}{d.month:02d}{day:02d}-{serial:03d}{luhn(ten)}"


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------

class _Gen:
    def __init__(self, size, seed, start, end):
        if size not in PROFILES:
            raise ValueError(f"okänd storlek {size!r}; välj {', '.join(SIZES)}")
        if end < start:
            raise ValueError("end före start")
        self.size, self.seed = size, seed
        self.prof = PROFILES[size]
        self.start, self.end = start.toordinal(), end.toordinal()
        self.w0 = self.start - WARMUP_DAYS
        self.prefix = f"akta-synth/{size}/{seed}/{start.isoformat()}/{end.isoformat()}"
        self.persons = []
        self.cases = []
        self.unit_codes = {}
        for u in units_for(size):
            self.unit_codes.setdefault(u["area"], []).append(u["code"])
        self.pools = {a: [] for a in AREAS}  # adult persons created per area, for reuse
        self.moves = self.prof["moves"]
        self.spells = _table([((lo, hi), w) for w, lo, hi in self.prof["spells"]])
        self.tables = {}

    def rng(self, stream):
        return random.Random(f"{self.prefix}/{stream}")

    # -- persons and cases ------------------------------------------------------------------
    def new_person(self, rng, area, d, age, sex, reuse=0.0):
        if reuse and rng.random() < reuse:
            others = [a for a in ("vuxna_missbruk", "ekonomiskt_bistand", "vald_i_nara_relation", "vuxna_ovrigt") if a != area]
            pool = self.pools[rng.choice(others)]
            for _ in range(4):
                if not pool:
                    break
                p = pool[rng.randrange(len(pool))]
                if p.sex == sex and 18 <= p.age(d) <= 90:
                    return p
        birth = d - int(age * 365.25) - rng.randrange(365)
        p = Person(birth, sex, area, len(self.persons))
        self.persons.append(p)
        if age >= 18:
            self.pools[area].append(p)
        return p

    def new_case(self, rng, person, area, d, case_type=None):
        unit = person.units.get(area)
        if unit is None:
            codes = self.unit_codes[area]
            unit = person.units[area] = codes[rng.randrange(len(codes))] if len(codes) > 1 else codes[0]
        c = Case(person, area, case_type, unit, d, len(self.cases))
        self.cases.append(c)
        return c

    def close(self, rng, case, lo, hi, reason, move_p=0.0):
        """Close the case after its last event; with probability move_p the person moved away."""
        last = case.last()
        if move_p and rng.random() < move_p:
            case.ev(AVF, last)
            case.ev(ARE, last + rng.randint(0, 7), a="Avflyttad")
            return None
        c = last + rng.randint(lo, hi)
        case.ev(ARE, c, a=reason)
        return c

    # -- implementation of a decision -------------------------------------------------------
    def implement(self, rng, case, b, interv, F, child=False, cap=None, end_reason=None):
        """Erbjudande, verkställighet, avbrott/återupptagande, överväganden, insats avslutad.
        Returns the date the insats ended (or the last date it was touched). F forces choices
        (coverage of rare paths); it is empty for ordinary cases."""
        offer, (dlo, dhi), p_late, (ulo, uhi), p_avb, placement = IMPL[interv]
        bd = b.d
        coerced = b.a.startswith(("LVU", "LVM"))
        t = bd
        if offer and not coerced:
            od = bd + rng.randint(0, min(dhi, 30))
            decline = F["decline"] if "decline" in F else rng.random() < 0.06
            case.ev(ERB, od, ref=b, a=not decline)
            t = od
            if decline:
                if F or rng.random() < 0.5:
                    e = od + rng.randint(0, 14)
                    case.ev(INS, e, ref=b, a="Den enskilde tackade nej")
                    return e
                t = od + rng.randint(14, 60)
                case.ev(ERB, t, ref=b, a=True)
        if coerced:
            vd = bd + rng.randint(0, 1)
        elif F.get("late_impl") or (not F and rng.random() < p_late):
            vd = bd + int(rng.triangular(93, 330, 110))
            if not F and rng.random() < 0.3:
                # never implemented; ended when the need went away (or still waiting at end)
                e = vd + rng.randint(0, 120)
                case.ev(INS, e, ref=b, a="Behovet har upphört")
                return e
        else:
            vd = bd + rng.randint(dlo, min(dhi, 88))
        if vd < t:
            vd = t + rng.randint(0, 5)
        case.ev(VER, vd, ref=b)
        dur = rng.randint(ulo, uhi)
        if F.get("avbrott"):
            dur = max(dur, 200)
        if F.get("ov_late") or F.get("interv") in PLACEMENTS:
            dur = max(dur, 400)
        end = vd + dur
        if cap is not None and end > cap:
            end = max(cap, vd + 14)
        eff = end - vd
        mode = F.get("avbrott")
        if eff > 60 and (mode or (not F and rng.random() < p_avb)):
            ad = vd + rng.randint(10, eff - 30)
            case.ev(AVB, ad, ref=b, a=AVBROTT_REASONS[rng.randrange(len(AVBROTT_REASONS))])
            r = rng.random()
            if mode == "resume" or (not mode and r < 0.55):
                gap = rng.randint(3, 85)
            elif mode == "long" or (not mode and r < 0.75):
                gap = rng.randint(95, 220)
            else:
                e = ad + rng.randint(95, 250)
                case.ev(INS, e, ref=b, a="Avbrott, verkställigheten återupptogs inte")
                return e
            case.ev(ATE, ad + gap, ref=b)
            end = max(end + gap, ad + gap + 10)
        if child and (placement or coerced):
            o, late_first = vd, bool(F.get("ov_late"))
            while True:
                late = late_first or rng.random() < 0.10
                late_first = False
                o += rng.randint(190, 260) if late else rng.randint(140, 178)
                if o >= end:
                    break
                case.ev(OVV, o, ref=b)
        case.ev(INS, end, ref=b, a=end_reason or END_REASONS[rng.randrange(len(END_REASONS))])
        return end

    # -- streams ------------------------------------------------------------------------------
    def run_stream(self, stream, fn):
        rng = self.rng(stream)
        rate = self.prof["rates"][stream] * (1 - RETURNS.get(stream, 0.0)) / 365.25
        t = float(self.w0)
        if stream == "eb":
            # Spells are renewed monthly; a stationary stock at the start of a shorter warm-up
            # gives the same picture on `start` with far less history before it.
            t = float(self.start - EB_WARMUP_DAYS)
            self.eb_stock(rng, int(t))
        while True:
            t += rng.expovariate(rate)
            d = int(t)
            if d > self.end:
                break
            self.chain(fn, rng, d, None)

    def chain(self, fn, rng, d, person, months=None):
        while d is not None and d <= self.end:
            if months is None:
                case, person, d = fn(rng, person, d, NOFORCE)
            else:
                case, person, d = fn(rng, person, d, NOFORCE, months)
                months = None

    # barn och unga ---------------------------------------------------------------------------
    def bou(self, rng, person, d, F):
        if person is None:
            if F:
                age = F.get("age") or rng.randint(8, 13)
            else:
                age = _pick(rng, self.tab("bou_age", [(a, 5 if a == 0 else 4 if a <= 5 else 5 if a <= 12 else 8) for a in range(18)]))
            sex = "man" if rng.random() < 0.52 else "kvinna"
            person = self.new_person(rng, "barn_och_unga", d, age, sex)
        age = person.age(d)
        case = self.new_case(rng, person, "barn_och_unga", d)
        kind = F.get("kind") or _pick(rng, self.tab("bou_kind", [("anmalan", 82), ("ansokan", 7), ("annan_vag", 6), ("begaran_om_yttrande", 5)]))
        if kind == "begaran_om_yttrande":
            reporter = "åklagare" if age >= 15 else "tingsrätt"
        elif kind == "ansokan":
            reporter = "vårdnadshavare" if age < 15 or rng.random() < 0.5 else "den unge"
        else:
            reporter = _pick(rng, self.tab("bou_rep", BOU_REPORTERS))
        reasons = self.reasons(rng, "bou_rsn", BOU_REASONS)
        a = case.ev(AKT, d, a=kind, b=reporter, c=reasons)
        utr = None
        if kind in ("anmalan", "annan_vag"):
            if kind == "anmalan":
                self.skydd(rng, case, a)
            fd = d + self.forhand_days(rng, F)
            inleda = F["inleda"] if "inleda" in F else rng.random() < 0.33
            case.ev(FHB, fd, ref=a, a="inleda_utredning" if inleda else "inte_inleda_utredning")
            if inleda:
                utr = fd + (0 if rng.random() < 0.85 else rng.randint(1, 10))
        else:
            utr = d + rng.randint(0, 7 if kind == "ansokan" else 3)
        if utr is None:
            closed = self.close(rng, case, 0, 3, "Ingen utredning inleds")
            return case, person, self.bou_return(rng, person, closed)

        u = case.ev(UIN, utr, ref=a)
        due = add_months(utr, 4)
        if kind == "begaran_om_yttrande":
            ue = utr + rng.randint(10, 60)
        elif F.get("over") or (not F and rng.random() < 0.46):
            ue = due + int(rng.triangular(3, 160, 15))
            if F.get("forlangd") or (not F and rng.random() < 0.5):
                fl = due - rng.randint(1, 25)
                until = max(due + rng.randint(20, 90), fl + 1)
                case.ev(UFL, fl, ref=u, a=until, b=rng.choice(("Särskilda skäl: väntar på utlåtande från BUP",
                                                               "Särskilda skäl: polisutredning pågår",
                                                               "Särskilda skäl: utredning av vårdnadshavares förmåga")))
        else:
            span = due - utr - 2
            ue = utr + int(rng.triangular(14, span, span - 12))
        pick = rng.random()
        outcome = F.get("outcome") or ("insats" if pick < 0.5 else "ingen_insats" if pick < 0.95 else "overford")
        case.ev(UAV, ue, ref=u, a=outcome)
        if outcome == "overford":
            case.ev(AVF, ue + rng.randint(0, 5))
            case.ev(ARE, case.last() + rng.randint(0, 3), a="Ärendet överfört till annan kommun")
            return case, person, None
        if outcome == "ingen_insats":
            if kind == "ansokan":
                interv = "kontaktperson" if rng.random() < 0.5 else "oppenvard_intern"
                case.ev(BES, ue + rng.randint(0, 7), ref=u, a="SoL 4:1", b=interv, c="avslag")
            self.rereports(rng, case, a.d, case.last(), 0.6)
            closed = self.close(rng, case, 0, 14, "Utredning avslutad utan insats", self.moves["bou"])
            return case, person, self.bou_return(rng, person, closed)
        # insats
        opts = [((lb, iv), w) for lb, iv, w, lo, hi in BOU_INSATS
                if lo <= age <= hi and (kind in ("anmalan", "annan_vag") or not lb.startswith("LVU"))]
        if "basis" in F:
            forced = [o for o in opts if o[0][0] == F["basis"] and F.get("interv", o[0][1]) == o[0][1]]
            opts = forced or opts
        basis, interv = rng.choices([o[0] for o in opts], weights=[o[1] for o in opts])[0]
        if basis.startswith("LVU"):
            outcome_b = "bifall"
        else:
            outcome_b = "delvis_bifall" if F.get("delvis") or (not F and rng.random() < 0.05) else "bifall"
        bd = ue + (0 if rng.random() < 0.7 else rng.randint(1, 20))
        b = case.ev(BES, bd, ref=u, a=basis, b=interv, c=outcome_b)
        cap18 = add_months(person.birth, 18 * 12)
        cap = cap18 if basis == "LVU 2 §" else add_months(person.birth, 21 * 12)
        ends = [self.implement(rng, case, b, interv, F, child=True, cap=cap)]
        if not F and rng.random() < 0.15 and interv not in ("kontaktperson", "kontaktfamilj"):
            iv2 = "kontaktperson" if age >= 6 else "kontaktfamilj"
            b2 = case.ev(BES, bd + rng.randint(0, 60), ref=u, a="SoL 4:1", b=iv2, c="bifall")
            ends.append(self.implement(rng, case, b2, iv2, F, child=True, cap=cap))
        self.rereports(rng, case, a.d, max(ends), 0.8)
        closed = self.close(rng, case, 0, 30, "Insatserna avslutade", self.moves["bou"])
        return case, person, self.bou_return(rng, person, closed)

    def bou_return(self, rng, person, closed):
        if closed is None or rng.random() >= RETURNS["bou"]:
            return None
        nd = closed + rng.randint(30, 900)
        if nd >= add_months(person.birth, 18 * 12) - 1:
            return None
        return nd

    def skydd(self, rng, case, a):
        r = rng.random()
        sd = a.d if r < 0.89 else a.d + 1 if r < 0.97 else a.d + rng.randint(2, 7)
        case.ev(SKY, sd, ref=a)

    def forhand_days(self, rng, F):
        if F.get("forhand_late") or (not F and rng.random() < 0.04):
            return rng.randint(16, 45)
        return int(rng.triangular(0, 12.99, 8))

    def rereports(self, rng, case, lo, hi, per_year):
        """New anmälningar about a person whose case is already open (no new investigation)."""
        if hi - lo < 30:
            return
        child = case.area == "barn_och_unga"
        if child:
            hi = min(hi, add_months(case.person.birth, 18 * 12) - 1)
            if hi - lo < 30:
                return
        n = self.poisson(rng, per_year * (hi - lo) / 365.25)
        for _ in range(n):
            rd = rng.randint(lo + 7, hi - 15)
            table = BOU_REASONS if child else MISSBRUK_REASONS
            a = case.ev(AKT, rd, a="anmalan", b=_pick(rng, self.tab("bou_rep" if child else "mb_rep", BOU_REPORTERS if child else MISSBRUK_REPORTERS)),
                        c=self.reasons(rng, "bou_rsn" if child else "mb_rsn", table))
            if child:
                self.skydd(rng, case, a)
            case.ev(FHB, min(rd + int(rng.triangular(0, 12.99, 5)), hi), ref=a, a="inte_inleda_utredning")

    def umgangesstod(self, rng, person, d, F):
        person = self.new_person(rng, "barn_och_unga", d, rng.randint(1, 12), "man" if rng.random() < 0.5 else "kvinna")
        case = self.new_case(rng, person, "barn_och_unga", d, "umgangesstod")
        case.ev(AKT, d, a="annan_vag", b="tingsrätt")
        b = case.ev(BES, d + rng.randint(0, 21), a="FB", b="kontaktperson", c="bifall")
        vd = b.d + rng.randint(7, 60)
        case.ev(VER, vd, ref=b)
        case.ev(INS, vd + rng.randint(90, 365), ref=b, a="Förordnandet har upphört")
        self.close(rng, case, 0, 14, "Umgängesstödet avslutat")
        return case, person, None

    # vuxna missbruk ---------------------------------------------------------------------------
    def missbruk(self, rng, person, d, F):
        if person is None:
            sex = "man" if rng.random() < 0.68 else "kvinna"
            age = self.adult_age(rng, "mb_age", ((18, 29, 20), (30, 39, 25), (40, 49, 18), (50, 64, 25), (65, 80, 12)))
            person = self.new_person(rng, "vuxna_missbruk", d, age, sex, reuse=0.15)
        case = self.new_case(rng, person, "vuxna_missbruk", d)
        kind = "anmalan" if F.get("lvm") else _pick(rng, self.tab("mb_kind", [("anmalan", 55), ("ansokan", 30), ("annan_vag", 12), ("begaran_om_yttrande", 3)]))
        reporter = "den enskilde" if kind == "ansokan" else "frivård" if kind == "begaran_om_yttrande" else _pick(rng, self.tab("mb_rep", MISSBRUK_REPORTERS))
        a = case.ev(AKT, d, a=kind, b=reporter, c=self.reasons(rng, "mb_rsn", MISSBRUK_REASONS))
        utr = None
        lvm_possible = False
        if kind in ("anmalan", "annan_vag"):
            fd = d + self.forhand_days(rng, F)
            inleda = F.get("lvm") or rng.random() < 0.4
            case.ev(FHB, fd, ref=a, a="inleda_utredning" if inleda else "inte_inleda_utredning")
            if inleda:
                utr = fd + rng.randint(0, 5)
                lvm_possible = kind == "anmalan"
        else:
            utr = d + rng.randint(0, 7)
        if utr is None:
            self.rereports(rng, case, d, d + rng.randint(0, 60), 1.0)
            closed = self.close(rng, case, 0, 5, "Ingen utredning inleds")
            return case, person, self.adult_return(rng, "missbruk", closed)
        u = case.ev(UIN, utr, ref=a)
        if lvm_possible and (F.get("lvm") or rng.random() < 0.06):
            ue = utr + rng.randint(7, 30)
            case.ev(UAV, ue, ref=u, a="insats")
            b = case.ev(BES, ue, ref=u, a="LVM 4 §", b="hvb", c="bifall")
            end = self.implement(rng, case, b, "hvb", F, cap=b.d + 183, end_reason="LVM-vården upphört")
            if rng.random() < 0.6:
                iv = "stodboende_ifo" if rng.random() < 0.5 else "oppenvard_intern"
                b2 = case.ev(BES, max(b.d + 1, end - rng.randint(0, 14)), a="SoL 4:1", b=iv, c="bifall")
                self.implement(rng, case, b2, iv, F)
        else:
            ue = utr + (rng.randint(10, 40) if kind == "begaran_om_yttrande" else int(rng.triangular(14, 120, 40)))
            pick = rng.random()
            if kind == "begaran_om_yttrande":
                outcome = "ingen_insats" if pick < 0.7 else "insats"
            else:
                outcome = "insats" if pick < 0.70 else "ingen_insats" if pick < 0.95 else "overford"
            case.ev(UAV, ue, ref=u, a=outcome)
            if outcome == "overford":
                case.ev(AVF, ue + rng.randint(0, 5))
                case.ev(ARE, case.last() + rng.randint(0, 3), a="Ärendet överfört till annan kommun")
                return case, person, None
            if outcome == "ingen_insats" and kind == "ansokan":
                case.ev(BES, ue, ref=u, a="SoL 4:1", b="hvb", c="avslag")
            if outcome == "insats":
                basis, interv = self.pick_insats(rng, MISSBRUK_INSATS, F)
                if kind == "ansokan" and interv == "hvb" and rng.random() < 0.25:
                    case.ev(BES, ue, ref=u, a=basis, b="hvb", c="avslag")
                    interv = "oppenvard_intern"
                b = case.ev(BES, ue + rng.randint(0, 10), ref=u, a=basis, b=interv,
                            c="delvis_bifall" if rng.random() < 0.05 else "bifall")
                self.implement(rng, case, b, interv, F)
        self.rereports(rng, case, d, case.last(), 1.0)
        closed = self.close(rng, case, 0, 30, "Avslutat", self.moves["missbruk"])
        return case, person, self.adult_return(rng, "missbruk", closed)

    # vuxna övrigt -----------------------------------------------------------------------------
    def ovrigt(self, rng, person, d, F):
        if person is None:
            sex = "man" if rng.random() < 0.5 else "kvinna"
            age = self.adult_age(rng, "ov_age", ((18, 29, 25), (30, 49, 30), (50, 64, 25), (65, 90, 20)))
            person = self.new_person(rng, "vuxna_ovrigt", d, age, sex, reuse=0.1)
        case = self.new_case(rng, person, "vuxna_ovrigt", d)
        kind = "ansokan" if F else _pick(rng, self.tab("ov_kind", [("ansokan", 75), ("annan_vag", 15), ("anmalan", 10)]))
        reporter = "den enskilde" if kind == "ansokan" else rng.choice(("psykiatri", "hälso- och sjukvård", "anhörig", "god man"))
        a = case.ev(AKT, d, a=kind, b=reporter, c=self.reasons(rng, "ov_rsn", OVRIGT_REASONS))
        if kind == "anmalan":
            fd = d + self.forhand_days(rng, F)
            inleda = rng.random() < 0.6
            case.ev(FHB, fd, ref=a, a="inleda_utredning" if inleda else "inte_inleda_utredning")
            if not inleda:
                closed = self.close(rng, case, 0, 5, "Ingen utredning inleds")
                return case, person, self.adult_return(rng, "ovrigt", closed)
            utr = fd + rng.randint(0, 7)
        else:
            utr = d + rng.randint(0, 10)
        u = case.ev(UIN, utr, ref=a)
        ue = utr + int(rng.triangular(14, 100, 35))
        basis, interv = self.pick_insats(rng, OVRIGT_INSATS, F)
        age = person.age(ue)
        if interv == "sarskilt_boende" and age < 40:
            interv = "stodboende_ifo"
        granted = bool(F) or rng.random() < 0.78
        case.ev(UAV, ue, ref=u, a="insats" if granted else "ingen_insats")
        if not granted:
            case.ev(BES, ue + rng.randint(0, 10), ref=u, a=basis, b=interv, c="avslag")
        else:
            b = case.ev(BES, ue + rng.randint(0, 10), ref=u, a=basis, b=interv,
                        c="delvis_bifall" if rng.random() < 0.06 else "bifall")
            self.implement(rng, case, b, interv, F)
        closed = self.close(rng, case, 0, 30, "Avslutat", self.moves["ovrigt"])
        return case, person, self.adult_return(rng, "ovrigt", closed)

    # våld i nära relation ---------------------------------------------------------------------
    def vinr(self, rng, person, d, F):
        if person is None:
            sex = "kvinna" if rng.random() < 0.88 else "man"
            age = self.adult_age(rng, "vinr_age", ((19, 30, 25), (31, 49, 50), (50, 64, 18), (65, 85, 7)))
            person = self.new_person(rng, "vald_i_nara_relation", d, age, sex, reuse=0.15)
        case = self.new_case(rng, person, "vald_i_nara_relation", d)
        kind = _pick(rng, self.tab("vinr_kind", [("ansokan", 45), ("anmalan", 40), ("annan_vag", 15)]))
        reporter = "den enskilde" if kind == "ansokan" else rng.choice(("polis", "hälso- och sjukvård", "kvinnojour", "socialtjänsten"))
        a = case.ev(AKT, d, a=kind, b=reporter, c=self.reasons(rng, "vinr_rsn", VINR_REASONS))
        if kind != "ansokan":
            fd = d + self.forhand_days(rng, F)
            inleda = rng.random() < 0.65
            case.ev(FHB, fd, ref=a, a="inleda_utredning" if inleda else "inte_inleda_utredning")
            if not inleda:
                closed = self.close(rng, case, 0, 5, "Ingen utredning inleds")
                return case, person, self.adult_return(rng, "vinr", closed)
            utr = fd
        else:
            utr = d + rng.randint(0, 3)
        u = case.ev(UIN, utr, ref=a)
        if rng.random() < 0.3:
            sb = case.ev(BES, utr + rng.randint(0, 2), ref=u, a="SoL 4:1", b="skyddat_boende", c="bifall")
            self.implement(rng, case, sb, "skyddat_boende", F)
        ue = utr + int(rng.triangular(10, 75, 30))
        granted = rng.random() < 0.7
        case.ev(UAV, ue, ref=u, a="insats" if granted else "ingen_insats")
        if granted:
            basis, interv = self.pick_insats(rng, VINR_INSATS, F)
            b = case.ev(BES, ue + rng.randint(0, 7), ref=u, a=basis, b=interv, c="bifall")
            self.implement(rng, case, b, interv, F)
        closed = self.close(rng, case, 0, 30, "Avslutat", self.moves["vinr"])
        return case, person, self.adult_return(rng, "vinr", closed)

    # ekonomiskt bistånd -----------------------------------------------------------------------
    def eb(self, rng, person, d, F, months=None):
        if person is None:
            sex = "kvinna" if rng.random() < 0.41 else "man"
            age = self.adult_age(rng, "eb_age", ((18, 24, 20), (25, 34, 25), (35, 49, 28), (50, 64, 22), (65, 75, 5)))
            person = self.new_person(rng, "ekonomiskt_bistand", d, age, sex, reuse=0.1)
        case = self.new_case(rng, person, "ekonomiskt_bistand", d)
        living, rent, income = self.household(rng, person.sex)
        if months is None:
            lo, hi = _pick(rng, self.spells)
            months = rng.randint(lo, hi)
        a = case.ev(AKT, d, a="ansokan", b="den enskilde", c=[_pick(rng, self.tab("eb_rsn", EB_REASONS))])
        u = case.ev(UIN, d + rng.randint(0, 3), ref=a)
        ue = u.d + rng.randint(5, 25)
        granted = bool(F) or rng.random() >= 0.12
        case.ev(UAV, ue, ref=u, a="insats" if granted else "ingen_insats")
        if not granted:
            case.ev(BES, ue, ref=u, a="SoL 4:1", b="forsorjningsstod", c="avslag")
            closed = self.close(rng, case, 0, 14, "Avslag")
            return case, person, self.eb_return(rng, closed)
        b = case.ev(BES, ue, ref=u, a="SoL 4:1", b="forsorjningsstod", c="bifall", e=self.amount(rng, ue, living, rent, income))
        last_b = b
        last = case.ev(VER, ue + rng.randint(0, 3), ref=b).d
        prev = d
        for k in range(1, months):
            ad = max(d + round(k * 30.44) + rng.randint(-4, 4), prev + 1)
            prev = ad
            case.ev(AKT, ad, a="ansokan")
            bd = ad + rng.randint(1, 12)
            r = rng.random()
            oc = "bifall" if r < 0.90 else "delvis_bifall" if r < 0.94 else "avslag"
            if oc == "avslag":
                case.ev(BES, bd, a="SoL 4:1", b="forsorjningsstod", c="avslag")
                last = max(last, bd)
            else:
                amt = self.amount(rng, bd, living, rent, income)
                if oc == "delvis_bifall":
                    amt = int(amt * rng.uniform(0.6, 0.9))
                last_b = case.ev(BES, bd, a="SoL 4:1", b="forsorjningsstod", c=oc, e=amt)
                last = max(last, case.ev(VER, bd + rng.randint(0, 2), ref=last_b).d)
            if rng.random() < 0.15:
                xd = ad + rng.randint(3, 20)
                case.ev(AKT, xd, a="ansokan")
                xb = xd + rng.randint(1, 10)
                if rng.random() < 0.55:
                    xbe = case.ev(BES, xb, a="SoL 4:1", b="forsorjningsstod", c="bifall", e=rng.randint(3, 60) * 100)
                    last = max(last, case.ev(VER, xb + rng.randint(0, 2), ref=xbe).d)
                else:
                    case.ev(BES, xb, a="SoL 4:1", b="forsorjningsstod", c="avslag")
                    last = max(last, xb)
        if F.get("move") or rng.random() < self.moves["eb"]:
            ed = last + rng.randint(5, 30)
            case.ev(AVF, ed)
            case.ev(INS, ed, ref=last_b, a="Avflyttad")
            case.ev(ARE, ed + rng.randint(0, 7), a="Avflyttad")
            return case, person, None
        reason = _pick(rng, self.tab("eb_end_" + person.sex, [(r, w * (1.4 if (r == "Ej avhörd" and person.sex == "man") else 1)) for r, w in EB_END]))
        ed = last + (rng.randint(85, 100) if reason == "Ej avhörd" else rng.randint(10, 35))
        case.ev(INS, ed, ref=last_b, a=reason)
        closed = ed + rng.randint(0, 7)
        case.ev(ARE, closed, a=reason)
        return case, person, self.eb_return(rng, closed)

    def eb_stock(self, rng, d0):
        """Households already on försörjningsstöd when the simulation starts (two years before
        `start`): as many as the steady state holds, each with a length-biased remaining time."""
        classes = self.prof["spells"]
        mean = sum(w * (lo + hi) / 2 for w, lo, hi in classes) / sum(w for w, _, _ in classes)
        n = self.poisson(rng, self.prof["rates"]["eb"] * 0.88 * mean / 12)
        residual = _table([((lo, hi), w * (lo + hi) / 2) for w, lo, hi in classes])
        for _ in range(n):
            lo, hi = _pick(rng, residual)
            self.chain(self.eb, rng, d0 + rng.randrange(30), None, rng.randint(1, rng.randint(lo, hi)))

    def eb_return(self, rng, closed):
        r = rng.random()
        if r < 0.22:
            return closed + rng.randint(30, 360)
        if r < RETURNS["eb"]:
            return closed + rng.randint(370, 900)
        return None

    def household(self, rng, sex):
        """(living costs, rent and other costs, income) of a synthetic household, kr a month."""
        r = rng.random()
        adults, kids = (1, 0) if r < 0.55 else (1, rng.randint(1, 3)) if r < 0.75 else (2, 0) if r < 0.85 else (2, rng.randint(1, 4))
        living = LIVING_PER_ADULT * adults
        living += sum(LIVING_CHILD_MIN + LIVING_CHILD_STEP * rng.randrange(LIVING_CHILD_STEPS) for _ in range(kids))
        rent = rng.randint(40, 80) * 100 if adults + kids == 1 else rng.randint(60, 120) * 100
        rent += rng.randint(3, 7) * 100  # household electricity, home insurance
        income = 0 if rng.random() < 0.6 else rng.randint(5, 70) * 100  # a-kassa, bostadsbidrag, lön
        return living, rent, income

    def amount(self, rng, o, living, rent, income):
        """A month's synthetic amount: living costs grown by the year, plus costs, minus income."""
        growth = (1 + LIVING_GROWTH) ** (date.fromordinal(o).year - LIVING_BASE_YEAR)
        v = living * growth + rent - income * rng.uniform(0.8, 1.2)
        return max(300, int(round(v * rng.uniform(0.95, 1.05))))

    # familjerätt ------------------------------------------------------------------------------
    def faderskap(self, rng, person, d, F):
        born = d - rng.randint(3, 60)
        person = self.new_person(rng, "familjeratt", born + 1, 0, "man" if rng.random() < 0.51 else "kvinna")
        person.birth = born
        case = self.new_case(rng, person, "familjeratt", d, "faderskap")
        a = case.ev(AKT, d, a="annan_vag", b="skatteverket")
        u = case.ev(UIN, d + rng.randint(0, 14), ref=a)
        r = rng.random()
        dur = rng.randint(7, 90) if r < 0.8 else rng.randint(91, 365) if r < 0.97 else rng.randint(366, 500)
        case.ev(UAV, u.d + dur, ref=u, a="overford" if rng.random() < 0.05 else "ingen_insats")
        self.close(rng, case, 0, 7, "Faderskapet fastställt")
        return case, person, None

    def vbu(self, rng, person, d, F):
        person = self.new_person(rng, "familjeratt", d, rng.randint(1, 16), "man" if rng.random() < 0.5 else "kvinna")
        case = self.new_case(rng, person, "familjeratt", d, "vbu_utredning")
        a = case.ev(AKT, d, a="begaran_om_yttrande", b="tingsrätt")
        u = case.ev(UIN, d + rng.randint(0, 7), ref=a)
        due = add_months(u.d, 4)
        if rng.random() < 0.15:
            ue = due + rng.randint(5, 60)
            if rng.random() < 0.6:
                fl = due - rng.randint(1, 20)
                case.ev(UFL, fl, ref=u, a=max(due + rng.randint(20, 60), fl + 1), b="Tingsrätten har medgett förlängd tid")
        else:
            ue = u.d + rng.randint(40, due - u.d - 2)
        case.ev(UAV, ue, ref=u, a="ingen_insats")
        self.close(rng, case, 0, 14, "Yttrande lämnat till tingsrätten")
        return case, person, None

    def samarbetssamtal(self, rng, person, d, F):
        person = self.new_person(rng, "familjeratt", d, rng.randint(24, 55), "man" if rng.random() < 0.5 else "kvinna")
        case = self.new_case(rng, person, "familjeratt", d, "samarbetssamtal")
        case.ev(AKT, d, a="ansokan", b="den enskilde")
        case.ev(ARE, d + rng.randint(20, 150), a=rng.choice(("Överenskommelse", "Ingen överenskommelse", "Avbrutet")))
        return case, person, None

    def adoption(self, rng, person, d, F):
        person = self.new_person(rng, "familjeratt", d, rng.randint(30, 45), "kvinna" if rng.random() < 0.55 else "man")
        case = self.new_case(rng, person, "familjeratt", d, "adoption_medgivande")
        a = case.ev(AKT, d, a="ansokan", b="den enskilde")
        u = case.ev(UIN, d + rng.randint(0, 30), ref=a)
        case.ev(UAV, u.d + rng.randint(90, 240), ref=u, a="insats" if rng.random() < 0.85 else "ingen_insats")
        self.close(rng, case, 0, 14, "Utredning avslutad")
        return case, person, None

    # common helpers ---------------------------------------------------------------------------
    def adult_return(self, rng, stream, closed):
        if closed is None or rng.random() >= RETURNS[stream]:
            return None
        return closed + rng.randint(30, 730)

    def pick_insats(self, rng, table, F):
        rows = table
        if "basis" in F:
            rows = [r for r in table if r[0] == F["basis"] or (F["basis"] == "LSS" and r[0].startswith("LSS"))] or table
        idx = rng.choices(range(len(rows)), weights=[row[2] for row in rows])[0]
        return rows[idx][0], rows[idx][1]

    def adult_age(self, rng, key, bands):
        lo, hi = _pick(rng, self.tab(key, [((lo, hi), w) for lo, hi, w in bands]))
        return rng.randint(lo, hi)

    def reasons(self, rng, key, pairs):
        tab = self.tab(key, pairs)
        first = _pick(rng, tab)
        if rng.random() < 0.3:
            second = _pick(rng, tab)
            if second != first:
                return [first, second]
        return [first]

    def tab(self, key, pairs):
        t = self.tables.get(key)
        if t is None:
            t = self.tables[key] = _table(pairs)
        return t

    @staticmethod
    def poisson(rng, lam):
        if lam <= 0:
            return 0
        if lam > 30:  # exp(-lam) underflows for large lam; the normal approximation is fine here
            return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
        L, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= L:
                return k
            k += 1

    # -- finishing ----------------------------------------------------------------------------
    STREAMS = ("bou", "umgangesstod", "missbruk", "ovrigt", "vinr", "eb", "faderskap", "vbu", "samarbetssamtal", "adoption")

    def fn(self, stream):
        return getattr(self, stream)

    def trim(self, case):
        """Cut the case at `end`; return its kept events in order, or None when it is dropped."""
        end = self.end
        evs = [e for e in case.events if e.d <= end]
        if not evs or case.opened > end:
            return None
        evs.sort(key=lambda e: (e.d, e.t == ARE, e.seq))
        closed = evs[-1].t == ARE
        if closed and evs[-1].d < self.start:
            return None
        case.events = evs
        return evs

    def run(self):
        for stream in self.STREAMS:
            self.run_stream(stream, self.fn(stream))
        kept = []
        feats = set()
        for c in self.cases:
            evs = self.trim(c)
            if evs is not None:
                kept.append(c)
                case_features(c, evs, self.end, feats)
        # Coverage: make sure every area, event type, kind, outcome, legal basis, case type and
        # every kind of missed deadline appears, whatever the size and seed. A missing feature
        # gets one extra case with that path forced (a handful of cases in `small`, none in the
        # larger sizes); best effort when the window is too short for the path to finish.
        rng = self.rng("coverage")
        span = max(1, self.end - self.start - 500)
        for feature in REQUIRED_FEATURES:
            stream, force = force_for(feature)
            tries = 0
            while feature not in feats and tries < 25:
                tries += 1
                n0 = len(self.cases)
                self.fn(stream)(rng, None, self.start + rng.randrange(span), force)
                for c in self.cases[n0:]:
                    evs = self.trim(c)
                    if evs is not None:
                        kept.append(c)
                        case_features(c, evs, self.end, feats)
        kept.sort(key=lambda c: (c.opened, c.idx))
        return kept

    def identities(self, persons):
        """Personnummer, samordningsnummer or none; protected identity; names."""
        rng = self.rng("identities")
        n = len(persons)
        adults = [p for p in persons if p.age(self.end) >= 18]
        k_null = max(1, round(n * 0.004))
        k_coord = max(1, round(n * 0.015))
        chosen = rng.sample(adults, min(len(adults), k_null + k_coord))
        for p in chosen[:k_null]:
            p.kind = "null"
        for p in chosen[k_null:]:
            p.kind = "coord"
        nulls = [p for p in persons if p.kind == "null"]
        for p in nulls[: max(1, len(nulls) // 3)]:
            p.sex = "okänt"
        # protected identity ~1 %, weighted towards våld i nära relation
        weight = {"vald_i_nara_relation": 12.0, "barn_och_unga": 1.2, "familjeratt": 0.6}
        keyed = sorted(persons, key=lambda p: rng.random() ** (1.0 / weight.get(p.area, 0.5)), reverse=True)
        for p in keyed[: max(1, round(n * 0.01))]:
            p.protected = True
        used = set()
        for p in persons:
            if p.kind != "null":
                while True:
                    # the last digit of the birth number (second-to-last overall): odd = man
                    serial = rng.randrange(1, 500) * 2 + (1 if p.sex == "man" else 0)
                    pnr = make_pnr(p.birth, serial, p.kind == "coord")
                    if pnr not in used:
                        used.add(pnr)
                        p.pnr = pnr
                        break
            if p.sex == "kvinna":
                first = FEMALE_NAMES[rng.randrange(len(FEMALE_NAMES))]
            elif p.sex == "man":
                first = MALE_NAMES[rng.randrange(len(MALE_NAMES))]
            else:
                names = FEMALE_NAMES + MALE_NAMES
                first = names[rng.randrange(len(names))]
            p.name = f"{first} {LAST_NAMES[rng.randrange(len(LAST_NAMES))]}"


# ---------------------------------------------------------------------------------------------
# Coverage features (computed on the kept, trimmed events of one case)
# ---------------------------------------------------------------------------------------------

REQUIRED_FEATURES = (
    [("area", a) for a in AREAS]
    + [("type", t) for t in range(15)]
    + [("kind", k) for k in KINDS]
    + [("forhand", o) for o in ("inleda_utredning", "inte_inleda_utredning")]
    + [("utr", o) for o in ("insats", "ingen_insats", "overford")]
    + [("beslut", o) for o in ("bifall", "delvis_bifall", "avslag")]
    + [("basis", b) for b in ("SoL 4:1", "SoL 4:2", "LSS", "LVU 2 §", "LVU 3 §", "LVM 4 §", "FB")]
    + [("accepted", True), ("accepted", False)]
    + [("case_type", ct) for ct in CASE_TYPES]
    + [("late", x) for x in ("verkstallighet", "avbrott", "overvagande", "forhand", "utredning_4m")]
)
_AREA_STREAM = {"barn_och_unga": "bou", "vuxna_missbruk": "missbruk", "vuxna_ovrigt": "ovrigt",
                "ekonomiskt_bistand": "eb", "familjeratt": "faderskap", "vald_i_nara_relation": "vinr"}
_CT_STREAM = {"vbu_utredning": "vbu", "samarbetssamtal": "samarbetssamtal", "faderskap": "faderskap",
              "adoption_medgivande": "adoption", "umgangesstod": "umgangesstod"}


def force_for(feature):
    """The stream and the forced choices that produce a coverage feature."""
    k, v = feature
    inv = {"kind": "anmalan", "inleda": True, "outcome": "insats"}
    kp = {**inv, "basis": "SoL 4:1", "interv": "kontaktperson"}
    ov = {**inv, "basis": "SoL 4:1", "interv": "oppenvard_intern", "decline": False}
    if k == "area":
        return _AREA_STREAM[v], {"any": True}
    if k == "case_type":
        return _CT_STREAM[v], {"any": True}
    if k == "kind":
        return "bou", {"kind": v}
    if k == "forhand":
        return "bou", {"kind": "anmalan", "inleda": v == "inleda_utredning"}
    if k == "utr":
        return "bou", {"kind": "anmalan", "inleda": True, "outcome": v}
    if k == "beslut":
        if v == "avslag":
            return "bou", {"kind": "ansokan", "outcome": "ingen_insats"}
        return "bou", {**ov, "delvis": v == "delvis_bifall"}
    if k == "basis":
        if v == "LVM 4 §":
            return "missbruk", {"lvm": True}
        if v == "FB":
            return "umgangesstod", {"any": True}
        if v in ("LSS", "SoL 4:2"):
            return "ovrigt", {"basis": v}
        return "bou", {**inv, "basis": v, "age": 13 if v == "LVU 3 §" else None}
    if k == "accepted":
        return "bou", {**kp, "decline": not v}
    if feature == ("late", "verkstallighet"):
        return "bou", {**kp, "decline": False, "late_impl": True}
    if feature == ("late", "avbrott"):
        return "bou", {**ov, "avbrott": "long"}
    if feature == ("late", "overvagande"):
        return "bou", {**inv, "basis": "SoL 4:1", "interv": "familjehem", "ov_late": True}
    if feature == ("late", "forhand"):
        return "bou", {"kind": "anmalan", "forhand_late": True}
    if feature == ("late", "utredning_4m"):
        return "bou", {"kind": "anmalan", "inleda": True, "over": True}
    # event types
    if v == AVF:
        return "eb", {"move": True}
    if v == UFL:
        return "bou", {"kind": "anmalan", "inleda": True, "over": True, "forlangd": True}
    if v in (AVB, ATE):
        return "bou", {**ov, "avbrott": "resume"}
    if v == OVV:
        return "bou", {**inv, "basis": "SoL 4:1", "interv": "familjehem"}
    if v == ERB:
        return "bou", {**kp, "decline": False}
    return "bou", ov


def case_features(case, evs, end, out):
    out.add(("area", case.area))
    if case.case_type:
        out.add(("case_type", case.case_type))
    impl, resumed, ov, avb, ended = {}, {}, {}, {}, {}
    for e in evs:
        t = e.t
        out.add(("type", t))
        if t == AKT:
            out.add(("kind", e.a))
        elif t == FHB:
            out.add(("forhand", e.a))
            if e.d - e.ref.d > 14:
                out.add(("late", "forhand"))
        elif t == UAV:
            out.add(("utr", e.a))
            if case.area == "barn_och_unga" and e.d > add_months(e.ref.d, 4):
                out.add(("late", "utredning_4m"))
        elif t == BES:
            out.add(("beslut", e.c))
            out.add(("basis", "LSS" if e.a.startswith("LSS") else e.a))
        elif t == ERB:
            out.add(("accepted", e.a))
        elif t == VER:
            impl[e.ref] = e.d
            ov[e.ref] = e.d
        elif t == AVB:
            avb[e.ref] = e.d
        elif t == ATE:
            if e.d - avb.get(e.ref, e.d) > 92:
                out.add(("late", "avbrott"))
            resumed[e.ref] = True
            ov[e.ref] = e.d if e.ref not in ov else ov[e.ref]
        elif t == INS:
            ended[e.ref] = e.d
        elif t == OVV:
            if e.ref in ov and e.d - ov[e.ref] > 183:
                out.add(("late", "overvagande"))
            ov[e.ref] = e.d
    for e in evs:
        if e.t == BES and e.c != "avslag" and (e.a == "SoL 4:1" or e.a.startswith("LSS")):
            v = impl.get(e, ended.get(e, end))
            if v - e.d > 92:
                out.add(("late", "verkstallighet"))
        if e.t == AVB and e.ref not in resumed:
            if ended.get(e.ref, end) - e.d > 92:
                out.add(("late", "avbrott"))


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

_ISO = {}


def _iso(o):
    s = _ISO.get(o)
    if s is None:
        s = _ISO[o] = date.fromordinal(o).isoformat()
    return s


_Q = {}


def _q(s):
    """JSON string literal, as json.dumps(s, ensure_ascii=False) writes it (cached)."""
    v = _Q.get(s)
    if v is None:
        v = _Q[s] = json.dumps(s, ensure_ascii=False)
    return v


def _event_line(e):
    """One events.jsonl line; identical to json.dumps(<dict in spec field order>, ensure_ascii=False)."""
    t = e.t
    head = f'{{"id": "{e.id}", "case_id": "{e.case.id}", "type": "{EVENT_TYPES[t]}", "date": "{_iso(e.d)}"'
    if t == AKT:
        s = f'{head}, "kind": "{e.a}"'
        if e.b is not None:
            s += f', "reporter": {_q(e.b)}'
        if e.c is not None:
            s += ', "reasons": [' + ", ".join(_q(x) for x in e.c) + "]"
        return s + "}"
    if t == SKY:
        return f'{head}, "aktualisering_id": "{e.ref.id}"}}'
    if t == FHB:
        return f'{head}, "aktualisering_id": "{e.ref.id}", "outcome": "{e.a}"}}'
    if t == UIN:
        return head + (f', "aktualisering_id": "{e.ref.id}"}}' if e.ref is not None else "}")
    if t == UFL:
        return f'{head}, "utredning_id": "{e.ref.id}", "until": "{_iso(e.a)}", "reason": {_q(e.b)}}}'
    if t == UAV:
        return f'{head}, "utredning_id": "{e.ref.id}", "outcome": "{e.a}"}}'
    if t == BES:
        s = f'{head}, "legal_basis": {_q(e.a)}, "intervention": "{e.b}", "outcome": "{e.c}"'
        if e.ref is not None:
            s += f', "utredning_id": "{e.ref.id}"'
        if e.e is not None:
            s += f', "amount_sek": {int(e.e)}'
        return s + "}"
    if t == ERB:
        return f'{head}, "beslut_id": "{e.ref.id}", "accepted": {"true" if e.a else "false"}}}'
    if t in (VER, ATE, OVV):
        return f'{head}, "beslut_id": "{e.ref.id}"}}'
    if t in (AVB, INS):
        s = f'{head}, "beslut_id": "{e.ref.id}"'
        return s + (f', "reason": {_q(e.a)}}}' if e.a is not None else "}")
    if t == ARE:
        return head + (f', "reason": {_q(e.a)}}}' if e.a is not None else "}")
    return head + "}"


# Same output as json.dumps(obj, ensure_ascii=False), without re-creating the encoder per line.
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def generate(size, seed, out_dir, start=date(2023, 1, 1), end=date(2026, 10, 31)):
    """Write a synthetic municipality as an exchange directory; return what was written.

    The counts: persons, persons_by_sex, protected, cases, cases_by_area, events,
    events_by_type, municipality, size, seed."""
    g = _Gen(size, int(seed), start, end)
    cases = g.run()

    # ids: cases in order of opening, persons in order of their first case
    persons = []
    for i, c in enumerate(cases, 1):
        c.id = f"C{i:07d}"
        c.idx = i
        p = c.person
        if p.id is None:
            persons.append(p)
            p.id = f"P{len(persons):07d}"
    g.identities(persons)

    # events: by date, then case, then causal order inside the case
    events = [e for c in cases for e in c.events]
    events.sort(key=lambda e: (e.d, e.case.idx, e.t == ARE, e.seq))
    for i, e in enumerate(events, 1):
        e.id = f"E{i:08d}"

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "municipality": {"code": g.prof["code"], "name": g.prof["name"]},
        "source_system": "akta-synth",
        "generator": {"size": size, "seed": int(seed), "start": start.isoformat(), "end": end.isoformat()},
        "units": units_for(size),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    by_sex = {"kvinna": 0, "man": 0, "okänt": 0}
    protected = 0
    with open(out / "persons.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in persons:
            rec = {"id": p.id, "personnummer": p.pnr}
            if p.pnr is None:
                rec["birth_date"] = _iso(p.birth)
            rec["sex"] = p.sex
            rec["protected_identity"] = p.protected
            rec["name"] = p.name
            f.write(_dumps(rec) + "\n")
            by_sex[p.sex] += 1
            protected += p.protected

    by_area = {a: 0 for a in AREAS}
    with open(out / "cases.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for c in cases:
            rec = {"id": c.id, "person_id": c.person.id, "area": c.area}
            if c.case_type:
                rec["case_type"] = c.case_type
            rec["opened"] = _iso(c.opened)
            rec["unit"] = c.unit
            f.write(_dumps(rec) + "\n")
            by_area[c.area] += 1

    by_type = {t: 0 for t in EVENT_TYPES}
    with open(out / "events.jsonl", "w", encoding="utf-8", newline="\n") as f:
        buf = []
        for e in events:
            buf.append(_event_line(e))
            by_type[EVENT_TYPES[e.t]] += 1
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")

    return {
        "size": size,
        "seed": int(seed),
        "municipality": dict(manifest["municipality"]),
        "persons": len(persons),
        "persons_by_sex": by_sex,
        "protected": protected,
        "cases": len(cases),
        "cases_by_area": by_area,
        "events": len(events),
        "events_by_type": by_type,
    }

