"""The indicator catalogue: every indicator defined once (id, title, definition, reference,
parameters, computation). The v1 indicators are a contract (spec/exchange-v1.md §4): their ids,
columns and definitions must not change meaning.

Common rules (docs: the "Definitioner" section of the follow-up page renders these texts):

* Effective events only (corrections applied, voided events removed), as reported at the
  recording cut-off when one is given (:mod:`akta.cases.derived.events`).
* Sex is the person's recorded sex (kvinna, man, okänt); ``totalt`` is the sum of the three.
* A period is inclusive: ``--year 2024`` = 2024-01-01 … 2024-12-31; "as of" a date means at the
  end of that day, counting events dated on or before it.
* A case is open from ``opened`` until its effective ``arende_avslutat``; a later aktualisering
  re-opens it (as akta.cases.derived). It is open on its closing day (it was open when the day began).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from akta.access.models import Area
from akta.cases.schema import (
    AKTUALISERING_KINDS,
    BESLUT_OUTCOMES,
    INTERVENTIONS,
    LEGAL_BASIS_EXAMPLES,
)
from akta.cases.derived.events import corrections_exist
from akta.followup.engine import (
    SEXES,
    TOTAL,
    Derived,
    Dim,
    Indicator,
    Measure,
    ParameterError,
    round_half_up,
)
from akta.cases.derived.assignment import unassigned_sql
from akta.cases.derived.decisions import clocks_sql
from akta.cases.derived.sql import calendar_values
from akta.cases.derived.state import extended_until_sql, open_investigations_sql
from akta.cases.derived.status import closed_cases_sql
from akta.law import services as law

AREA = Dim("area", "Område", order=tuple(Area.values), labels=dict(Area.choices))
CASE_TYPE = Dim("case_type", "Ärendetyp")
KIND = Dim("kind", "Slag", order=tuple(AKTUALISERING_KINDS), labels=AKTUALISERING_KINDS)
AGE_BANDS = ("0-12", "13-18", "19-20", "21-29", "30-49", "50-64", "65+")
AGE_BAND = Dim("age_band", "Ålder", values=AGE_BANDS, labels={b: b.replace("-", "–") + " år" for b in AGE_BANDS})
BUCKETS = ("0-30", "31-60", "61-90", "91-100", "101-120", "121-150", "151+")
BUCKET = Dim("bucket", "Utredningstid (dagar)", values=BUCKETS,
             labels={**{b: b.replace("-", "–") for b in BUCKETS}, "mean_days": "Medelvärde (dagar)", "median_days": "Median (dagar)"})
LEGAL_BASIS = Dim("legal_basis", "Lagrum", order=tuple(LEGAL_BASIS_EXAMPLES))
INTERVENTION = Dim("intervention", "Insats", order=tuple(INTERVENTIONS), labels=INTERVENTIONS)
REASON = Dim("reason", "Orsak")
OUTCOME = Dim("outcome", "Utfall", order=tuple(BESLUT_OUTCOMES), labels=BESLUT_OUTCOMES)
AKT_REASON = Dim("reason", "Aktualiseringsorsak")
REPORTER = Dim("reporter", "Anmälare/sökande")

CASES = Measure("count", "Antal ärenden", unit="ärenden")
PERSONS = Measure("count", "Antal personer", agg="persons", unit="personer")
EVENTS = Measure("count", "Antal", unit="händelser")

PERSON_JOIN = "JOIN known_cases k ON k.id = {e}.case_id JOIN cases_person p ON p.id = k.person_id"


def pct(part, whole, places=1):
    return None if not whole else round_half_up(part * 100 / whole, places)


# ---------------------------------------------------------------------------------------------
# Calendar helpers: lag (1930:173) in Python, passed to SQL as dates.

def first_start_due_on_or_after(rule_id, on: dt.date) -> dt.date:
    """The earliest start date S whose due date under ``rule_id`` is on or after ``on``.

    Due dates never decrease when the start moves later, so "started on or after this date"
    is the same as "still within the period at the end of ``on``".
    """
    s = law.add_period(on - dt.timedelta(days=400), days=0)
    lo, hi = s, on
    while lo < hi:  # binary search on a monotone function
        mid = lo + (hi - lo) // 2
        if law.due(rule_id, mid) >= on:
            hi = mid
        else:
            lo = mid + dt.timedelta(days=1)
    return lo


def first_start_not_passed(months: int, on: dt.date) -> dt.date:
    """The earliest start S for which ``on`` is not after the end of a period of ``months``
    months counted per lag (1930:173) 1 § (without the 2 § move). A start before it has
    waited more than ``months`` months at the end of ``on``."""
    lo, hi = on - dt.timedelta(days=31 * months + 31), on
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if law.add_period(mid, months=months) >= on:
            hi = mid
        else:
            lo = mid + dt.timedelta(days=1)
    return lo


@lru_cache(maxsize=64)
def due_table(rule_id, first: dt.date, last: dt.date):
    """(start, due) for every start date in [first, last], per the rule version in force on
    each start date (law.rule(...).due: lag 1930:173 1 §, and 2 § when the rule says so)."""
    out = []
    d = first
    r = None
    while d <= last:
        if r is None or not r.applies_on(d):
            r = law.rule(rule_id, d)
        out.append((d, r.due(d)))
        d += dt.timedelta(days=1)
    return tuple(out)


def _check_law(fn):
    try:
        return fn()
    except law.LawDataMissing as e:
        raise ParameterError(f"lagdata saknas för perioden: {e}") from None


# ---------------------------------------------------------------------------------------------
# Base queries (one row per counted unit).

def base_cases_opened(c):
    return (f"WITH known_cases AS NOT MATERIALIZED ({c.cases()}) "
            "SELECT k.id AS case_id, k.person_id, p.sex, k.area, k.case_type FROM known_cases k "
            "JOIN cases_person p ON p.id = k.person_id "
            f"WHERE k.opened >= {c.day(c.start)} AND k.opened <= {c.day(c.end)}")


def _active_cases(c):
    """Cases open on at least one day of [start, end]: opened by the end, and either opened in
    the period, not closed at the end of the day before it, or re-opened by an aktualisering in
    it. Two narrow relations: the status events up to the day before, and the period's
    aktualiseringar."""
    before = c.start - dt.timedelta(days=1)
    reopened = "SELECT case_id FROM " + f"({c.eff('aktualisering', since=c.start, fields=())}) r"
    return (
        f"WITH eff AS ({c.eff('aktualisering', 'arende_avslutat', until=before, fields=())}), "
        f"known_cases AS NOT MATERIALIZED ({c.cases()}), closed_before AS ({closed_cases_sql(c.d, before)}), "
        f"reopened AS ({reopened}) "
        "SELECT k.id AS case_id, k.person_id, p.sex, k.area, k.case_type FROM known_cases k "
        "JOIN cases_person p ON p.id = k.person_id "
        f"WHERE k.opened <= {c.day(c.end)} AND (k.opened >= {c.day(c.start)} "
        "OR k.id NOT IN (SELECT case_id FROM closed_before) OR k.id IN (SELECT case_id FROM reopened))"
    )


def base_cases_closed(c):
    closed = ("SELECT DISTINCT case_id FROM eff WHERE type = 'arende_avslutat' "
              f"AND date >= {c.day(c.start)} AND date <= {c.day(c.end)}")
    return (c.with_eff("arende_avslutat", since=c.start, fields=(), materialized=False, extra=f", closed_in_period AS ({closed})")
            + "SELECT k.id AS case_id, k.person_id, p.sex, k.area FROM closed_in_period JOIN known_cases k ON k.id = closed_in_period.case_id "
            "JOIN cases_person p ON p.id = k.person_id")


def base_persons_moved(c):
    return (c.with_eff("avflyttad", since=c.start, fields=(), materialized=False) + "SELECT e.case_id, k.person_id, p.sex, k.area FROM eff e "
            + PERSON_JOIN.format(e="e") +
            f" WHERE e.type = 'avflyttad' AND e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")


def _age_band_sql(age):
    return (f"CASE WHEN {age} <= 12 THEN '0-12' WHEN {age} <= 18 THEN '13-18' WHEN {age} <= 20 THEN '19-20' "
            f"WHEN {age} <= 29 THEN '21-29' WHEN {age} <= 49 THEN '30-49' WHEN {age} <= 64 THEN '50-64' ELSE '65+' END")


def base_aktualiseringar(c):
    inner = (c.with_eff("aktualisering", since=c.start, fields=("kind",), materialized=False)
             + "SELECT e.case_id, k.person_id, p.sex, k.area, e.kind, "
             f"{c.d.age('p.birth_date', 'e.date')} AS age FROM eff e " + PERSON_JOIN.format(e="e")
             + f" WHERE e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")
    # The age is computed once per event, then banded.
    return f"SELECT case_id, person_id, sex, area, kind, {_age_band_sql('age')} AS age_band FROM ({inner}) a"


def base_akt_reason(c):
    return (c.with_eff("aktualisering", since=c.start, fields=("reasons",), materialized=False)
            + "SELECT e.case_id, k.person_id, p.sex, k.area, COALESCE(r.value, '') AS reason FROM eff e " + PERSON_JOIN.format(e="e") + " "
            + c.d.json_items("e.reasons", "r")
            + f" WHERE e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")


def base_akt_reporter(c):
    return (c.with_eff("aktualisering", since=c.start, fields=("reporter",), materialized=False)
            + "SELECT e.case_id, k.person_id, p.sex, k.area, COALESCE(e.reporter, '') AS reporter FROM eff e " + PERSON_JOIN.format(e="e")
            + f" WHERE e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")


def allowed_days_sql(d, pairs, col, default):
    """The number of days allowed from the date in ``col`` to its due date: ``default`` unless
    the due date moves (lag 1930:173 2 §), listed as a CASE over those start dates — no join."""
    moved = [(start, (due - start).days) for start, due in pairs if (due - start).days != default]
    if not moved:
        return str(default)
    whens = " ".join(f"WHEN {d.date(start)} THEN {n}" for start, n in moved)
    return f"CASE {col} {whens} ELSE {default} END"


def base_forhandsbedomning(c):
    first = c.start - dt.timedelta(days=40)
    pairs = _check_law(lambda: due_table("forhandsbedomning_14d", first, c.end))
    # Received earlier than `first`: due at most 14 + 4 days later, before the period, so
    # late whatever the default says; every due date in the table is 14 days or more. Such
    # aktualiseringar are not read at all (received is then NULL: late, as when missing).
    allowed = allowed_days_sql(c.d, pairs, "f.received", 14)
    # Each förhandsbedömning with the date of the aktualisering it refers to, by a window (a
    # sort, no join whose plan depends on the planner's estimates).
    # Only the aktualiseringar those förhandsbedömningar refer to (an uncorrelated IN: a hash or
    # an ephemeral index, built once), then a window over both.
    assessments = c.eff("forhandsbedomning", since=c.start, fields=("aktualisering_id",))
    with_received = ("SELECT case_id, type, date, MAX(CASE WHEN type = 'aktualisering' THEN date END) OVER "
         "(PARTITION BY CASE WHEN type = 'aktualisering' THEN id ELSE aktualisering_id END) AS received FROM "
         "(SELECT id, case_id, type, date, aktualisering_id FROM assessments UNION ALL SELECT id, case_id, type, date, NULL "
         "FROM eff WHERE id IN (SELECT aktualisering_id FROM assessments)) u")
    return (c.with_eff("aktualisering", since=first, fields=(), materialized=False,
                       extra=f", assessments AS MATERIALIZED ({assessments}), with_received AS ({with_received})")
            + "SELECT f.case_id, k.person_id, p.sex, CASE WHEN f.received IS NOT NULL AND "
            f"{c.d.days('f.date', 'f.received')} <= {allowed} THEN 1 ELSE 0 END AS within FROM with_received f "
            + PERSON_JOIN.format(e="f")
            + f" WHERE f.type = 'forhandsbedomning' AND f.date >= {c.day(c.start)}")


def base_utredningar_open(c):
    """Open investigations (akta.cases.derived.state) and their latest extension."""
    a = c.as_of
    la = c.day(a)
    t = _check_law(lambda: first_start_due_on_or_after("utredning_4m", a))
    return (c.with_eff("utredning_inledd", "utredning_avslutad", "utredning_forlangd", fields=("utredning_id", "until"),
                       extra=f", open_investigations AS ({open_investigations_sql(c.d, a)}), "
                             f"extensions AS ({extended_until_sql(c.d, a)})")
            + "SELECT u.case_id, k.person_id, p.sex, "
            f"CASE WHEN u.date >= {c.day(t)} THEN 1 ELSE 0 END AS within_4m, "
            f"CASE WHEN u.date < {c.day(t)} THEN 1 ELSE 0 END AS over_4m, "
            f"CASE WHEN u.date < {c.day(t)} AND x.until >= {la} THEN 1 ELSE 0 END AS over_4m_extended "
            "FROM open_investigations u LEFT JOIN extensions x ON x.utredning_id = u.id "
            + PERSON_JOIN.format(e="u"))


def base_cases_unassigned(c):
    """Open cases with no caseworker at the end of the day (akta.cases.derived.assignment), with
    the days each has waited."""
    a = c.as_of
    return (c.with_eff("aktualisering", "arende_avslutat", "tilldelad", fields=("caseworker",),
                       extra=f", closed AS ({closed_cases_sql(c.d, a)}), unassigned AS ({unassigned_sql(c.d, a)})")
            + f"SELECT u.case_id, k.person_id, p.sex, k.area, {c.d.days(c.day(a), 'u.waiting_from')} AS days_waiting "
            "FROM unassigned u " + PERSON_JOIN.format(e="u")
            + " WHERE u.case_id NOT IN (SELECT case_id FROM closed)")


def _closed_investigations(c):
    """Investigations closed in the period with their length in days; the opening date comes
    from a window over the investigation's events (one sort, no join)."""
    closings = c.eff("utredning_avslutad", since=c.start, fields=("utredning_id",))
    with_opened = ("SELECT case_id, type, date, MAX(CASE WHEN type = 'utredning_inledd' THEN date END) OVER "
         "(PARTITION BY CASE WHEN type = 'utredning_inledd' THEN id ELSE utredning_id END) AS opened FROM "
         "(SELECT id, case_id, type, date, utredning_id FROM closings_in_period UNION ALL SELECT id, case_id, type, date, NULL "
         "FROM eff WHERE id IN (SELECT utredning_id FROM closings_in_period)) u")
    days = c.d.days("e.date", "e.opened")
    return (c.with_eff("utredning_inledd", fields=(), materialized=False,
                       extra=f", closings_in_period AS MATERIALIZED ({closings}), with_opened AS ({with_opened})")
            + f"SELECT e.case_id, k.person_id, p.sex, {days} AS days FROM with_opened e " + PERSON_JOIN.format(e="e")
            + " WHERE e.type = 'utredning_avslutad' AND e.opened IS NOT NULL")


def base_utredningar_closed(c):
    return ("SELECT case_id, person_id, sex, days, CASE WHEN days <= 30 THEN '0-30' WHEN days <= 60 THEN '31-60' "
            "WHEN days <= 90 THEN '61-90' WHEN days <= 100 THEN '91-100' WHEN days <= 120 THEN '101-120' "
            f"WHEN days <= 150 THEN '121-150' ELSE '151+' END AS bucket FROM ({_closed_investigations(c)}) ci")


def summary_sql_utredningar_closed(c):
    """Over the base relation b: the sum of days per sex, and the median per sex and overall
    (the middle value, or the mean of the two middle values), as (part, bucket, sex, count)."""
    return (
        "SELECT 's' AS part, 'sum_days' AS bucket, sex, SUM(days) FROM b GROUP BY sex "
        "UNION ALL SELECT 'm', 'median_days', g, AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days END) "
        "FROM (SELECT g, days, ROW_NUMBER() OVER (PARTITION BY g ORDER BY days) AS rn, "
        "COUNT(*) OVER (PARTITION BY g) AS n FROM (SELECT sex AS g, days FROM b UNION ALL "
        f"SELECT '{TOTAL}' AS g, days FROM b) x) r GROUP BY g"
    )


def summary_utredningar_closed(table, rows):
    """mean_days and median_days per sex, and for totalt.

    The mean is the sum of days / the number of investigations (the sum of the sex's bucket
    counts); the totalt mean is derived from the parts. A median cannot be derived from
    medians, so the totalt median is taken over all investigations.
    """
    sums = {sex: int(v or 0) for _, sex, v in ((b, s, v) for b, s, v in rows if b == "sum_days")}
    meds = {sex: v for b, sex, v in rows if b == "median_days"}
    n = {s: 0 for s in (*SEXES, TOTAL)}
    for r in table.records():
        n[r["sex"]] += r["count"]
    sums[TOTAL] = sum(sums.get(s, 0) for s in SEXES)
    out = []
    for sex in (*SEXES, TOTAL):
        mean = round_half_up(sums.get(sex, 0) / n[sex], 1) if n[sex] else None
        med = meds.get(sex)
        med = round_half_up(float(med), 1) if med is not None else None
        out.append({"sex": sex, "bucket": "mean_days", "count": mean})
        out.append({"sex": sex, "bucket": "median_days", "count": med})
    return out


def _clocks(c, **kw):
    """The decision clocks (akta.cases.derived.decisions) as of the indicator's day."""
    if c.corrections is None:
        c.corrections = corrections_exist(c.recorded_by)
    return clocks_sql(c.d, c.as_of, recorded_by=c.recorded_by, corrections=c.corrections, **kw)


def base_evb_waiting(c):
    """The clocks waiting at the end of the day whose three months (the rule's due date) have
    passed: the same clocks and due dates as the EVB report and the deadline list."""
    a = c.as_of
    t3 = {rule: _check_law(lambda r=rule: first_start_due_on_or_after(r, a))
          for rule in ("verkstallighet_3m", "verkstallighet_avbrott_3m")}
    t6, t9, t12 = (first_start_not_passed(m, a) for m in (6, 9, 12))
    since = "COALESCE(waiting.interruption_date, waiting.decision_date)"
    passed = (f"CASE WHEN waiting.interruption_date IS NULL THEN waiting.decision_date < {c.day(t3['verkstallighet_3m'])} "
              f"ELSE waiting.interruption_date < {c.day(t3['verkstallighet_avbrott_3m'])} END")
    waiting_clocks = _clocks(c, unresolved_from=a + dt.timedelta(days=1))
    return (f"WITH known_cases AS NOT MATERIALIZED ({c.cases()}), waiting AS MATERIALIZED ({waiting_clocks}) "
            "SELECT waiting.case_id, k.person_id, p.sex, waiting.legal_basis, "
            f"CASE WHEN {since} >= {c.day(t6)} THEN 1 ELSE 0 END AS months_3_6, "
            f"CASE WHEN {since} < {c.day(t6)} AND {since} >= {c.day(t9)} THEN 1 ELSE 0 END AS months_6_9, "
            f"CASE WHEN {since} < {c.day(t9)} AND {since} >= {c.day(t12)} THEN 1 ELSE 0 END AS months_9_12, "
            f"CASE WHEN {since} < {c.day(t12)} THEN 1 ELSE 0 END AS months_12_plus "
            "FROM waiting " + PERSON_JOIN.format(e="waiting") + f" WHERE {passed}")


def base_kkik(c):
    first, last = c.start, dt.date(c.start.year, 6, 30)
    pairs = []
    d = first
    while d <= last:
        pairs.append((d, law.add_period(d, months=12)))
        d += dt.timedelta(days=1)
    year_after = calendar_values(c.d, pairs)
    last_endings = (  # each person's last ending in ekonomiskt bistånd in the half-year
        "SELECT person_id, case_id, date FROM (SELECT k.person_id, e.case_id, e.date, ROW_NUMBER() OVER "
        "(PARTITION BY k.person_id ORDER BY e.date DESC, e.id DESC) AS rn FROM endings e JOIN known_cases k ON k.id = e.case_id "
        "WHERE k.area = 'ekonomiskt_bistand') s WHERE rn = 1"
    )
    returned = ("SELECT k.person_id, e.date FROM eff e JOIN known_cases k ON k.id = e.case_id "
               f"WHERE e.type = 'aktualisering' AND k.area = 'ekonomiskt_bistand' AND e.date > {c.day(first)} "
               "AND k.person_id IN (SELECT person_id FROM last_endings)")
    endings = c.eff("insats_avslutad", "arende_avslutat", since=first, until=last, fields=())
    return (c.with_eff("aktualisering", since=first, fields=(), extra=f", endings AS MATERIALIZED ({endings}), year_after AS ({year_after}), last_endings AS ({last_endings}), "
                       f"returned AS ({returned})")
            + "SELECT n.case_id, n.person_id, p.sex, 1 AS a, MAX(CASE WHEN r.person_id IS NULL THEN 0 ELSE 1 END) AS b "
            "FROM last_endings n JOIN year_after ON year_after.s_date = n.date JOIN cases_person p ON p.id = n.person_id "
            "LEFT JOIN returned r ON r.person_id = n.person_id AND r.date > n.date AND r.date <= year_after.due "
            "GROUP BY n.case_id, n.person_id, p.sex")


def _active_interventions(c):
    """Favourable decisions implemented by the day and neither ended, closed (the case's closing
    on or after the decision) nor interrupted: a decision clock resolved by its implementation
    with no interruption clock waiting (akta.cases.derived.decisions)."""
    return (f"WITH known_cases AS NOT MATERIALIZED ({c.cases()}), decision_clocks AS MATERIALIZED ({_clocks(c, reportable_only=False)}) "
            "SELECT active.case_id, k.person_id, p.sex, active.intervention FROM decision_clocks active " + PERSON_JOIN.format(e="active")
            + " WHERE active.interruption_date IS NULL AND active.implemented IS NOT NULL AND active.ended IS NULL "
            "AND active.closed IS NULL AND active.beslut_pk NOT IN (SELECT beslut_pk FROM decision_clocks WHERE "
            "interruption_date IS NOT NULL AND implemented IS NULL AND ended IS NULL AND closed IS NULL)")


def base_interventions_ended(c):
    return (c.with_eff("beslut", "insats_avslutad", fields=("beslut_id", "intervention", "reason"))
            + "SELECT e.case_id, k.person_id, p.sex, COALESCE(b.intervention, '') AS intervention, "
            "COALESCE(e.reason, '') AS reason FROM eff e " + PERSON_JOIN.format(e="e")
            + " LEFT JOIN eff b ON b.id = e.beslut_id AND b.type = 'beslut' "
            f"WHERE e.type = 'insats_avslutad' AND e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")


def base_decisions(c):
    return (c.with_eff("beslut", since=c.start, fields=("outcome",), materialized=False) + "SELECT e.case_id, k.person_id, p.sex, k.area, e.outcome FROM eff e "
            + PERSON_JOIN.format(e="e")
            + f" WHERE e.date >= {c.day(c.start)} AND e.date <= {c.day(c.end)}")


# ---------------------------------------------------------------------------------------------
# The catalogue.

SPEC = "Akta exchange-v1 §4"

INDICATORS = {}


def register(ind: Indicator):
    INDICATORS[ind.id] = ind
    return ind


register(Indicator(
    "cases_opened", "Öppnade ärenden",
    "Ärenden vars öppningsdatum (opened) ligger i perioden, per område och ärendetyp.",
    (), "year",
    (AREA, CASE_TYPE), (CASES,), base_cases_opened, spec=True,
    sources=f"{SPEC}; seed 004 tabell 6.1–6.6 (\"öppnade\")"))

register(Indicator(
    "cases_active", "Aktuella ärenden",
    "Ärenden som var öppna minst en dag i perioden: öppnade senast periodens sista dag och inte "
    "avslutade före periodens första dag (en ny aktualisering öppnar ett avslutat ärende igen). "
    "Ett ärende räknas som öppet även den dag det avslutas.",
    (), "year",
    (AREA, CASE_TYPE), (CASES,), _active_cases, spec=True, cost=5,
    sources=f"{SPEC}; seed 004 tabell 6.1–6.6 (\"aktuella\")"))

register(Indicator(
    "persons_active", "Aktuella personer",
    "Unika personer med minst ett aktuellt ärende i perioden (se Aktuella ärenden), per område. "
    "En person räknas en gång per område.",
    (), "year",
    (AREA,), (PERSONS,), lambda c: _active_cases(c), spec=True, cost=5,
    sources=f"{SPEC}; seed 000 \"Jämförelsetal klientmängd\""))

register(Indicator(
    "aktualiseringar", "Aktualiseringar",
    "Aktualiseringar (anmälan, ansökan, på annat sätt, begäran om yttrande) daterade i perioden; "
    "händelser, inte unika personer. Ålder i hela år den dag aktualiseringen kom in "
    "(ett ofött barn räknas till 0–12).",
    ("sol.11.1",), "year",
    (AREA, KIND, AGE_BAND), (EVENTS,), base_aktualiseringar, spec=True, cost=4,
    sources=f"{SPEC}; seed 000 \"Aktualiseringar\""))

register(Indicator(
    "forhandsbedomning_14d", "Förhandsbedömningar inom 14 dagar",
    "Förhandsbedömningar beslutade i perioden, och hur många av dem som beslutades inom 14 dagar "
    "från aktualiseringen räknat enligt {law:lag_1930_173.1}: dag 14 = mottagningsdagen + 14; infaller "
    "den på lördag, söndag, helgdag, midsommar-, jul- eller nyårsafton räcker nästa vardag ({law:lag_1930_173.2}). "
    "Andel = inom / totalt × 100, en decimal.",
    ("sol.11.1a",), "year",
    (), (Measure("total", "Totalt", unit="förhandsbedömningar"),
         Measure("within", "Inom 14 dagar", flag="within", unit="förhandsbedömningar")),
    base_forhandsbedomning,
    derived=(Derived("share_pct", "Andel inom 14 dagar (%)", ("within", "total"), pct),), spec=True, cost=5,
    sources=f"{SPEC}; regel forhandsbedomning_14d; seed 004 (cirka 96 %)"))

register(Indicator(
    "utredningar_open", "Pågående utredningar",
    "Utredningar (utredning_inledd utan utredning_avslutad) öppna vid dagens slut. Inom 4 månader: "
    "fyramånadersdagen räknad från utredning_inledd enligt {law:lag_1930_173.1} (samma datum, eller "
    "månadens sista dag), flyttad enligt {law:lag_1930_173.2}, har inte passerats. Förlängd = över 4 månader och med "
    "ett beslut om förlängning vars \"until\" är samma dag eller senare.",
    ("sol.11.2",), "as_of",
    (), (Measure("total", "Totalt", unit="utredningar"),
         Measure("within_4m", "Inom 4 månader", flag="within_4m", unit="utredningar"),
         Measure("over_4m", "Över 4 månader", flag="over_4m", unit="utredningar"),
         Measure("over_4m_extended", "Varav förlängda", flag="over_4m_extended", unit="utredningar")),
    base_utredningar_open, relations=(("total", ("within_4m", "over_4m")),), spec=True, cost=4,
    sources=f"{SPEC}; regel utredning_4m; seed 002 § 26"))

register(Indicator(
    "cases_unassigned", "Ej fördelade ärenden",
    "Öppna ärenden utan handläggare vid dagens slut: aldrig tilldelade, eller vars senaste "
    "tilldelning saknar handläggare. Väntetid i dagar från det senare av ärendets öppningsdatum "
    "och den senaste fråntagningen; max_days_waiting är den längsta väntetiden.",
    (), "as_of",
    (AREA,), (CASES, Measure("max_days_waiting", "Längsta väntetid (dagar)", agg="max", of="days_waiting",
                             unit="dagar")),
    base_cases_unassigned,
    sources="Akta contract-v2 §2; seed 004 (70 ärenden ofördelade i kö)"))

register(Indicator(
    "utredningar_closed", "Avslutade utredningar efter utredningstid",
    "Utredningar avslutade i perioden efter antal dagar från utredning_inledd till "
    "utredning_avslutad. Summeringsrader: bucket = mean_days (medelvärde, en decimal) och "
    "median_days (median) med värdet i kolumnen count. Totalt-medelvärdet räknas ur delarna "
    "(summa dagar / antal); medianen för totalt tas över alla utredningar.",
    (), "year",
    (BUCKET,), (Measure("count", "Antal", unit="utredningar"),), base_utredningar_closed,
    columns=("sex", "bucket", "count"), summary_sql=summary_sql_utredningar_closed,
    summary=summary_utredningar_closed, spec=True, cost=4, sources=f"{SPEC}; seed 004 figur 6.6–6.7"))

register(Indicator(
    "evb_waiting", "Ej verkställda gynnande beslut",
    "Gynnande beslut (bifall, delvis bifall) enligt {law:sol.4.1} och LSS som vid dagens slut "
    "inte är verkställda, eller vars verkställighet är avbruten och inte återupptagen, och som "
    "varken avslutats (insats_avslutad) eller fått sitt ärende avslutat (arende_avslutat) sedan "
    "beslutet (eller avbrottet), efter tid sedan beslutet (eller avbrottet). Samma beslut som "
    "kvartalsrapporten om ej verkställda beslut och bevakningslistan. Månader räknas enligt "
    "{law:lag_1930_173.1} utan {law:lag_1930_173.2} (regel verkstallighet_3m): 3–6 = mer än 3 men högst 6 månader osv.; "
    "kortare väntan än 3 månader redovisas inte.",
    ("sol.16.6f", "lss.28f"), "as_of",
    (LEGAL_BASIS,), tuple(Measure(n, lbl, flag=n, unit="beslut") for n, lbl in (
        ("months_3_6", "3–6 månader"), ("months_6_9", "6–9 månader"),
        ("months_9_12", "9–12 månader"), ("months_12_plus", "Mer än 12 månader"))),
    base_evb_waiting, spec=True, cost=6, sources=f"{SPEC}; seed 001, 003", nested_loops=True))

register(Indicator(
    "kkik_u31462", "Ej återaktualiserade personer med ekonomiskt bistånd ett år efter avslut (U31462)",
    "A = unika personer vars försörjningsstöd avslutades under januari–juni: personens sista "
    "insats_avslutad eller arende_avslutat i ett ärende inom ekonomiskt bistånd under halvåret. "
    "B = av dessa, personer med en ny aktualisering inom ekonomiskt bistånd efter avslutsdagen och "
    "senast 12 månader efter den ({law:lag_1930_173.1}). Värde = avrundning((A − B) / A × 100) "
    "(halva avrundas uppåt); totalt räknas ur totalt A och B.",
    (), "year_only",
    (), (Measure("a_ended_h1", "A. Avslutade första halvåret", unit="personer"),
         Measure("b_returned_12m", "B. Återkommit inom ett år", flag="b", unit="personer")),
    base_kkik, horizon=lambda c: dt.date(c.start.year + 1, 6, 30), derived=(Derived("value_pct", "Ej återaktualiserade (%)", ("a_ended_h1", "b_returned_12m"),
                                lambda a, b: pct(a - b, a, 0)),), spec=True, cost=3,
    sources=f"{SPEC}; Kolada U31462; DOMAIN §4; seed 004 tabell 7.5–7.6"))

# Extensions (documented; not in exchange-v1 §4).
register(Indicator(
    "cases_closed", "Avslutade ärenden",
    "Ärenden med minst ett ärende avslutat (arende_avslutat) daterat i perioden, per område.",
    (), "year", (AREA,), (CASES,), base_cases_closed, cost=2, sources="Seed 000 \"Avslutade\""))

register(Indicator(
    "persons_moved", "Avflyttade personer",
    "Unika personer med en händelse avflyttad i perioden, per område för det ärende där "
    "avflyttningen registrerades.",
    (), "year",
    (AREA,), (PERSONS,), base_persons_moved, sources="Seed 000 \"Avflyttade, under tid de varit aktuella inom Ifo\""))

register(Indicator(
    "interventions_active", "Pågående insatser",
    "Gynnande beslut som vid dagens slut är verkställda, inte avslutade (insats_avslutad), inte "
    "avbrutna utan återupptagande och vars ärende inte avslutats sedan beslutet (ett ärende som "
    "öppnas igen kräver nya beslut), per insats: antal beslut och unika personer.",
    (), "as_of",
    (INTERVENTION,), (Measure("insatser", "Antal insatser (beslut)", unit="insatser"),
                      Measure("persons", "Antal personer", agg="persons", unit="personer")),
    _active_interventions, cost=34, sources="DOMAIN §4; seed 004"))

register(Indicator(
    "interventions_ended", "Avslutade insatser efter orsak",
    "Insatser avslutade (insats_avslutad) i perioden, per insats och avslutsorsak.",
    (), "year",
    (INTERVENTION, REASON), (EVENTS,), base_interventions_ended, cost=6,
    sources="DOMAIN §3 (avslutsorsak); seed 004 figur 7.9–7.10"))

register(Indicator(
    "decisions_outcome", "Beslut efter utfall",
    "Beslut (beslut) daterade i perioden, per område och utfall (bifall, delvis bifall, avslag).",
    ("sol.4.1",), "year",
    (AREA, OUTCOME), (Measure("count", "Antal beslut", unit="beslut"),), base_decisions, cost=3, sources="seed 001"))

register(Indicator(
    "aktualiseringar_reason", "Aktualiseringar efter orsak",
    "Aktualiseringar daterade i perioden per område och orsakskod (reasons). En aktualisering med "
    "flera orsaker räknas en gång per orsak, utan orsak som (uppgift saknas); summan kan därför "
    "överstiga antalet aktualiseringar.",
    (), "year", (AREA, AKT_REASON), (EVENTS,), base_akt_reason, cost=7, sources="Seed 004 (aktualiseringsorsak)"))

register(Indicator(
    "aktualiseringar_reporter", "Aktualiseringar efter anmälare",
    "Aktualiseringar daterade i perioden per område och anmälare/sökande (reporter).",
    (), "year", (AREA, REPORTER), (EVENTS,), base_akt_reporter, cost=3, sources="Seed 004 figur 8.4"))


def get(indicator_id) -> Indicator:
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise ParameterError(
            f"okänd indikator {indicator_id!r}; välj bland: {', '.join(INDICATORS)}") from None
