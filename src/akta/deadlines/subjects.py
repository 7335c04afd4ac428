"""Which subjects each statutory deadline rule applies to, and what meets or ends it.

This is the part of the deadline logic that maps the law's words onto the case history
(exchange-v1 §2). Periods, due dates and citations are *not* here: they are law data
(``akta/law/data/rules.toml``, read through :mod:`akta.law.services`). The constants below
are only event-type and code sets; :mod:`akta.deadlines.engine` turns them into one SQL
query per rule (and a Python reference for cases with corrections).

Conventions used by every rule
------------------------------
* **As of a date D.** Only *effective* events count (a correction replaces the event it
  corrects, a voided correction removes it; :func:`akta.cases.derived.events.effective_events`),
  dated on or before D and recorded before the end of D (Europe/Stockholm).
* **Open or missed.** A deadline is listed when its subject exists and the event that meets
  it does not (yet) exist. ``overdue`` is ``due < D``: on the due day itself the action may
  still be taken (lag 1930:173 2 § speaks of "the last day").
* **Closed cases.** For rules about an aktualisering or an investigation, an ``arende_avslutat``
  dated on or after the subject's start ends the duty *unless the deadline had already been
  missed* (due before the closing day): a missed deadline stays listed as overdue, because the
  spec lists deadlines that were "missed and [are] still unmet". For rules about a decision,
  the end of the decision (``insats_avslutad``) or of the case (``arende_avslutat`` on or after
  the decision or interruption) ends the duty: there is nothing left to implement or consider.
  The quarterly IVO report (:mod:`akta.deadlines.evb`) gives such decisions their closing
  report. "On or after": a closing is the last step of its day
  (:data:`akta.cases.schema.SAME_DAY_ORDER`), and so is an event that meets a deadline
  compared with the event that started it (a resumption on the day of the interruption, an
  investigation opened on the day of a förhandsbedömning).
* **Children.** 11 kap. 1 a § and 2 § SoL and 6 kap. 8 § SoL speak of a *barn* (under 18,
  föräldrabalken 9 kap. 1 §). Those rules apply only if the person is under 18 on the day the
  clock starts (11 kap.) or on the due date (6 kap. 8 §, whose duty recurs while the child is
  placed).

The rules (stable ids of ``rules.toml``; citations in force on D come from the law data)
------------------------------------------------------------------------------------------
``skyddsbedomning_0d`` – 11 kap. 1 a § SoL. Subject: an ``aktualisering`` of kind ``anmalan``
  in area ``barn_och_unga`` about a child. Met by a ``skyddsbedomning`` referring to it.
  Anmälan only: the paragraph speaks of "en anmälan"; an ansökan or information "på annat
  sätt" starts no clock here.
``forhandsbedomning_14d`` – 11 kap. 1 a § SoL. Same subjects. Met by a ``forhandsbedomning``
  referring to it, or by an ``utredning_inledd`` referring to it (opening an investigation
  is the decision "att inleda utredning").
``utredning_4m`` – 11 kap. 2 § SoL. Subject: an ``utredning_inledd`` in area ``barn_och_unga``
  about a child. Met by ``utredning_avslutad``. The latest ``utredning_forlangd`` (by date)
  gives the decided ``until`` (never earlier than the four-month day).
``verkstallighet_3m`` – 16 kap. 6 f § SoL, 28 f § LSS. Subject: the decision clock of a
  favourable ``beslut`` on a reportable legal basis (:data:`akta.cases.schema.REPORTABLE_BASES`)
  that waits at the end of the day (:mod:`akta.cases.derived.decisions`, the same clocks as the
  EVB report). Met by ``verkstalld``. An ``erbjudande`` (accepted or declined) does not stop the clock.
``verkstallighet_avbrott_3m`` – same paragraphs. Subject: the decision (``subject_id`` is the
  ``beslut`` id) whose interruption clock waits: from its earliest ``avbrott`` on or after the
  implementation not followed by an ``aterupptagen`` dated the same day or later. Met by ``aterupptagen``.
``overvagande_6m`` – 6 kap. 8 § SoL, 13 § LVU. Subject: an implemented (``verkstalld``)
  favourable ``beslut`` that places a child: legal basis ``SoL 4:1``/``SoL 4:2`` with an
  intervention in :data:`SOL_PLACEMENTS` (familjehem, jourhem, nätverkshem – kinds of
  familjehem –, HVB and stödboende: "familjehem, hem för vård eller boende eller stödboende"),
  or legal basis ``LVU 2 §`` with any intervention (13 § LVU: all care under 2 §). The clock
  runs from the implementation, then from the latest ``overvagande``; recurring.
``omprovning_lvu3_6m`` – 13 § LVU. Subject: an implemented favourable ``beslut`` on
  ``LVU 3 §``; from the implementation ("den dag då verkställigheten … påbörjades"), then from
  the latest ``overvagande`` (the prövning); recurring.
``vardnadsoverflyttning_2y`` – 6 kap. 8 § SoL. Subject: an implemented favourable ``beslut``
  placing a child in a familjehem (:data:`FAMILJEHEM`) on ``SoL 4:1``, ``SoL 4:2``, ``LVU 2 §``
  or ``LVU 3 §``. Due two years after the implementation (no 2 § move: the day the duty
  arises). Met by an ``overvagande`` of the placement dated on or after the due date.
``vbu_utredning_4m`` – 6 kap. 19 § FB. Subject: an ``utredning_inledd`` in a case of type
  ``vbu_utredning``. Met by ``utredning_avslutad``; a court's other time is registered as
  ``utredning_forlangd``.
``samarbetssamtal_14d`` – HSLF-FS 2017:51. Subject: an ``aktualisering`` in a case of type
  ``samarbetssamtal``. Exchange v1 has no event for "samtal erbjudet", so the deadline is met by
  the committee's next registered step in the case on or after the request: any event in
  :data:`SAMARBETSSAMTAL_STEPS`.
``faderskap_1y`` – 2 kap. 1 § FB (the 1-year limit is the committee's routine, seed 004).
  Subject: an ``utredning_inledd`` in a case of type ``faderskap``. Met by ``utredning_avslutad``.
``kronparm_gallring_2y`` – JO 1998-12-18 dnr 3500-1998. Subject: the ``aktualisering`` of a
  ``forhandsbedomning`` with outcome ``inte_inleda_utredning`` in area ``barn_och_unga``; the
  clock runs from the förhandsbedömning. Due = the day culling may take place; the bevakning is
  listed from that day (before it there is nothing to do: culling is not yet allowed). Ended when an
  investigation is opened in the case on or after that day (the documents then belong to the
  personakt) or when a :class:`~akta.deadlines.models.KronparmGallring` records that the
  unit's kronpärm was culled up to that date. Case closure does not end it.
"""
from akta.cases.models import EventType
from akta.cases.schema import FAVOURABLE_OUTCOMES as FAVOURABLE

BARN_OCH_UNGA = "barn_och_unga"
ANMALAN = "anmalan"
INTE_INLEDA = "inte_inleda_utredning"

# 6 kap. 8 § SoL: "familjehem, hem för vård eller boende eller stödboende". Jourhem and
# nätverkshem are familjehem (6 kap. 6 § SoL); stodboende_ifo is the adults' form.
SOL_PLACEMENTS = ("familjehem", "jourhem", "natverkshem", "hvb", "stodboende")
SOL_PLACEMENT_BASES = ("SoL 4:1", "SoL 4:2")
LVU_2 = "LVU 2 §"
LVU_3 = "LVU 3 §"
# The 2-year rule: "samma familjehem" (nätverkshem is a familjehem; jourhem is temporary).
FAMILJEHEM = ("familjehem", "natverkshem")
FAMILJEHEM_BASES = ("SoL 4:1", "SoL 4:2", LVU_2, LVU_3)

VBU_CASE_TYPE = "vbu_utredning"
SAMARBETSSAMTAL_CASE_TYPE = "samarbetssamtal"
FADERSKAP_CASE_TYPE = "faderskap"
SAMARBETSSAMTAL_STEPS = (
    EventType.SKYDDSBEDOMNING,
    EventType.FORHANDSBEDOMNING,
    EventType.UTREDNING_INLEDD,
    EventType.BESLUT,
    EventType.ERBJUDANDE,
    EventType.VERKSTALLD,
)

# Rules whose subject must be a child on the start day / on the due day.
CHILD_AT_START = frozenset({"skyddsbedomning_0d", "forhandsbedomning_14d", "utredning_4m"})
CHILD_AT_DUE = frozenset({"vardnadsoverflyttning_2y"})  # and overvagande_6m on SoL

# Rules listed only from their due date: the day is when an action becomes permitted, not the
# last day for it (kronpärm: the day culling may take place).
LISTED_FROM_DUE = frozenset({"kronparm_gallring_2y"})

# Rules that a case closure ends unless already missed (about an aktualisering/investigation).
LAPSE_ON_CLOSURE = frozenset({
    "skyddsbedomning_0d", "forhandsbedomning_14d", "utredning_4m", "vbu_utredning_4m",
    "samarbetssamtal_14d", "faderskap_1y",
})

LAW_RULES = (
    "skyddsbedomning_0d",
    "forhandsbedomning_14d",
    "utredning_4m",
    "verkstallighet_3m",
    "verkstallighet_avbrott_3m",
    "overvagande_6m",
    "omprovning_lvu3_6m",
    "vardnadsoverflyttning_2y",
    "vbu_utredning_4m",
    "samarbetssamtal_14d",
    "faderskap_1y",
    "kronparm_gallring_2y",
)

def is_overvagande_subject(legal_basis, intervention):
    return legal_basis == LVU_2 or (legal_basis in SOL_PLACEMENT_BASES and intervention in SOL_PLACEMENTS)


def is_omprovning_subject(legal_basis, intervention):
    return legal_basis == LVU_3


def is_vardnadsoverflyttning_subject(legal_basis, intervention):
    return legal_basis in FAMILJEHEM_BASES and intervention in FAMILJEHEM
