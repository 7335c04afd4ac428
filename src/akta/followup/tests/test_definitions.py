"""The v1 indicators (spec/exchange-v1.md §4) on histories built by hand from their definitions.

Every expected number below is worked out from the definition quoted in the test's docstring,
not from the implementation.
"""
import pytest

from akta.followup.services import compute
from akta.followup.tests.history import D, History, rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    return History()


def count(table, *key):
    return rows_of(table)[tuple(key)]["count"]


# cases_opened / cases_active / persons_active ----------------------------------------------------

def test_case_opened_31_december_and_closed_1_january_counts_in_both_years(h):
    """cases_opened: "cases with opened in the year"; cases_active: "cases open on at least one
    day of the year". Opened 2023-12-31 and closed 2024-01-01: opened in 2023 only, open on
    31 December 2023 and (until closed) on 1 January 2024, so active in both years."""
    p = h.person("kvinna")
    c = h.case(p, opened="2023-12-31")
    h.akt(c, "2023-12-31")
    h.closed(c, "2024-01-01")
    assert count(compute("cases_opened", year=2023), "barn_och_unga", "", "kvinna") == 1
    assert "barn_och_unga" not in {k[0] for k in rows_of(compute("cases_opened", year=2024))}
    assert count(compute("cases_active", year=2023), "barn_och_unga", "", "kvinna") == 1
    assert count(compute("cases_active", year=2024), "barn_och_unga", "", "kvinna") == 1
    assert rows_of(compute("cases_active", year=2025)) == {}


def test_case_closed_on_31_december_is_not_active_next_year(h):
    p = h.person("man")
    c = h.case(p, opened="2023-03-01")
    h.akt(c, "2023-03-01")
    h.closed(c, "2023-12-31")
    assert count(compute("cases_active", year=2023), "barn_och_unga", "", "man") == 1
    assert rows_of(compute("cases_active", year=2024)) == {}


def test_a_new_aktualisering_reopens_a_closed_case(h):
    """As akta.cases.derived: an aktualisering after arende_avslutat re-opens the case. Another
    event in a closed case does not."""
    p1, p2 = h.person("kvinna"), h.person("man")
    c1 = h.case(p1, area="vuxna_missbruk", opened="2022-05-01")
    h.akt(c1, "2022-05-01")
    h.closed(c1, "2022-09-01")
    h.akt(c1, "2024-03-01")  # re-opened in 2024
    c2 = h.case(p2, area="vuxna_missbruk", opened="2022-05-01")
    h.akt(c2, "2022-05-01")
    h.closed(c2, "2022-09-01")
    h.ev(c2, "avflyttad", "2024-03-01")  # not a re-opening
    t = compute("cases_active", year=2024)
    assert count(t, "vuxna_missbruk", "", "kvinna") == 1
    assert count(t, "vuxna_missbruk", "", "man") == 0
    assert count(t, "vuxna_missbruk", "", "totalt") == 1
    assert rows_of(compute("cases_active", year=2023)) == {}


def test_persons_active_counts_distinct_persons_per_area(h):
    """persons_active: "distinct persons with an active case", per area."""
    p = h.person("kvinna")
    for area in ("ekonomiskt_bistand", "ekonomiskt_bistand", "vuxna_ovrigt"):
        c = h.case(p, area=area, opened="2024-02-01")
        h.akt(c, "2024-02-01")
    t = compute("persons_active", year=2024)
    assert count(t, "ekonomiskt_bistand", "kvinna") == 1
    assert count(t, "vuxna_ovrigt", "kvinna") == 1
    assert count(compute("cases_active", year=2024), "ekonomiskt_bistand", "", "kvinna") == 2


def test_from_to_period_is_inclusive(h):
    p = h.person("man")
    h.case(p, opened="2024-03-01")
    h.case(p, opened="2024-03-31")
    h.case(p, opened="2024-04-01")
    t = compute("cases_opened", from_date="2024-03-01", to_date="2024-03-31")
    assert count(t, "barn_och_unga", "", "man") == 2


# aktualiseringar ------------------------------------------------------------------------------

def test_aktualiseringar_age_at_the_event_in_exact_bands(h):
    """aktualiseringar: "aktualisering events in the year (not distinct persons); age at the
    event; bands 0-12, 13-18, 19-20, 21-29, 30-49, 50-64, 65+"."""
    child = h.person("man", born="2011-05-10")
    c = h.case(child, opened="2024-01-01")
    h.akt(c, "2024-05-09")  # 12 years old: 0-12
    h.akt(c, "2024-05-10", kind="ansokan")  # 13th birthday: 13-18
    young = h.person("kvinna", born="2005-06-01")
    c2 = h.case(young, area="vuxna_ovrigt", opened="2024-01-01")
    h.akt(c2, "2024-05-31")  # 18: 13-18
    h.akt(c2, "2024-06-01")  # 19: 19-20
    old = h.person("kvinna", born="1959-12-31")
    c3 = h.case(old, area="vuxna_ovrigt", opened="2024-01-01")
    h.akt(c3, "2024-12-30")  # 64: 50-64
    h.akt(c3, "2024-12-31")  # 65: 65+
    t = rows_of(compute("aktualiseringar", year=2024))
    assert t[("barn_och_unga", "anmalan", "0-12", "man")]["count"] == 1
    assert t[("barn_och_unga", "ansokan", "13-18", "man")]["count"] == 1
    assert t[("vuxna_ovrigt", "anmalan", "13-18", "kvinna")]["count"] == 1
    assert t[("vuxna_ovrigt", "anmalan", "19-20", "kvinna")]["count"] == 1
    assert t[("vuxna_ovrigt", "anmalan", "50-64", "kvinna")]["count"] == 1
    assert t[("vuxna_ovrigt", "anmalan", "65+", "kvinna")]["count"] == 1
    # Every band is present for each (area, kind), so the table shape does not depend on the data.
    bands = [k[2] for k in t if k[:2] == ("vuxna_ovrigt", "anmalan") and k[3] == "totalt"]
    assert bands == ["0-12", "13-18", "19-20", "21-29", "30-49", "50-64", "65+"]


def test_aktualiseringar_counts_events_not_persons(h):
    p = h.person("kvinna", born="2015-01-01")
    c = h.case(p, opened="2024-01-01")
    for d in ("2024-01-01", "2024-02-01", "2024-03-01"):
        h.akt(c, d)
    h.akt(c, "2025-01-01")
    assert rows_of(compute("aktualiseringar", year=2024))[("barn_och_unga", "anmalan", "0-12", "kvinna")]["count"] == 3


# forhandsbedomning_14d --------------------------------------------------------------------------

def _fb(h, sex, received, decided):
    p = h.person(sex, born="2012-01-01")
    c = h.case(p, opened=received)
    a = h.akt(c, received)
    h.ev(c, "forhandsbedomning", decided, aktualisering=a, outcome="inte_inleda_utredning")


def test_forhandsbedomning_day_14_on_a_saturday_moves_to_monday(h):
    """forhandsbedomning_14d: within 14 days (1930:173) of the aktualisering. Received Saturday
    2024-02-17: day 14 is Saturday 2024-03-02, so under 2 § the decision may be taken on Monday
    2024-03-04; Tuesday 2024-03-05 is late."""
    assert D("2024-03-02").weekday() == 5 and D("2024-03-04").weekday() == 0
    _fb(h, "kvinna", "2024-02-17", "2024-03-04")  # within (2 §)
    _fb(h, "kvinna", "2024-02-17", "2024-03-05")  # late
    _fb(h, "man", "2024-03-01", "2024-03-15")  # day 14, a Friday: within
    _fb(h, "man", "2024-03-01", "2024-03-16")  # day 15: late
    # Midsommarafton (Fri 21 June 2024), midsommardagen, Sunday: day 14 = 21 June moves to Mon 24 June.
    _fb(h, "okänt", "2024-06-07", "2024-06-24")
    t = rows_of(compute("forhandsbedomning_14d", year=2024))
    assert (t[("kvinna",)]["total"], t[("kvinna",)]["within"]) == (2, 1)
    assert (t[("man",)]["total"], t[("man",)]["within"]) == (2, 1)
    assert (t[("okänt",)]["total"], t[("okänt",)]["within"]) == (1, 1)
    assert (t[("totalt",)]["total"], t[("totalt",)]["within"], t[("totalt",)]["share_pct"]) == (5, 3, 60.0)
    assert t[("kvinna",)]["share_pct"] == 50.0


def test_forhandsbedomning_counts_decisions_in_the_year_received_the_year_before(h):
    _fb(h, "kvinna", "2023-12-28", "2024-01-08")  # day 14 = 11 Jan: within, counted in 2024
    t = rows_of(compute("forhandsbedomning_14d", year=2024))
    assert (t[("kvinna",)]["total"], t[("kvinna",)]["within"]) == (1, 1)
    assert rows_of(compute("forhandsbedomning_14d", year=2023))[("totalt",)]["total"] == 0


# utredningar_open -------------------------------------------------------------------------------

def _utr(h, sex, opened, closed=None, extensions=()):
    p = h.person(sex, born="2012-01-01")
    c = h.case(p, opened=opened)
    u = h.ev(c, "utredning_inledd", opened)
    for decided, until in extensions:
        h.ev(c, "utredning_forlangd", decided, utredning=u, until=until, reason="särskilda skäl")
    if closed:
        h.ev(c, "utredning_avslutad", closed, utredning=u, outcome="insats")
    return u


def test_utredningar_open_four_months_and_extension_expiring_on_the_as_of_date(h):
    """utredningar_open: open at the end of the day; age from utredning_inledd; within_4m per
    lag (1930:173); extended = an extension whose until is on or after the as-of date.
    As of Tuesday 2024-10-15: opened 2024-06-15 ends its 4 months on 2024-10-15 (within);
    opened 2024-06-14 ended on Monday 2024-10-14 (over)."""
    _utr(h, "kvinna", "2024-06-15")  # within
    _utr(h, "kvinna", "2024-06-14", extensions=[("2024-10-01", "2024-10-15")])  # over, extended (until = as-of)
    _utr(h, "man", "2024-06-14", extensions=[("2024-10-01", "2024-10-14")])  # over, extension expired
    _utr(h, "man", "2024-02-01", extensions=[("2024-11-01", "2024-12-31")])  # over; extension decided after as-of
    _utr(h, "man", "2024-05-01", closed="2024-10-15")  # closed on the day: not open at its end
    _utr(h, "man", "2024-10-16")  # opened after the date
    t = rows_of(compute("utredningar_open", as_of="2024-10-15"))
    assert t[("kvinna",)] == {"sex": "kvinna", "total": 2, "within_4m": 1, "over_4m": 1, "over_4m_extended": 1}
    assert t[("man",)] == {"sex": "man", "total": 2, "within_4m": 0, "over_4m": 2, "over_4m_extended": 0}
    assert t[("totalt",)] == {"sex": "totalt", "total": 4, "within_4m": 1, "over_4m": 3, "over_4m_extended": 1}


def test_utredningar_open_month_end_and_weekend(h):
    """Opened 2024-07-31: November has no 31st, so 4 months end on 2024-11-30 (1 §), a
    Saturday, so the last day is Monday 2024-12-02 (2 §)."""
    _utr(h, "kvinna", "2024-07-31")
    assert rows_of(compute("utredningar_open", as_of="2024-12-02"))[("kvinna",)]["within_4m"] == 1
    assert rows_of(compute("utredningar_open", as_of="2024-12-03"))[("kvinna",)]["over_4m"] == 1


# utredningar_closed -----------------------------------------------------------------------------

def test_utredningar_closed_buckets_mean_and_median(h):
    """utredningar_closed: investigations closed in the year by duration in days, buckets
    0-30, 31-60, 61-90, 91-100, 101-120, 121-150, 151+, and mean/median summary rows."""
    for days, sex in ((30, "kvinna"), (31, "kvinna"), (100, "kvinna"), (101, "man"), (151, "man")):
        opened = D("2024-01-01")
        closed = opened.fromordinal(opened.toordinal() + days)
        _utr(h, sex, opened.isoformat(), closed=closed.isoformat())
    _utr(h, "man", "2023-06-01", closed="2023-12-31")  # closed the year before
    t = rows_of(compute("utredningar_closed", year=2024))
    assert t[("kvinna", "0-30")]["count"] == 1
    assert t[("kvinna", "31-60")]["count"] == 1
    assert t[("kvinna", "91-100")]["count"] == 1
    assert t[("man", "101-120")]["count"] == 1
    assert t[("man", "151+")]["count"] == 1
    assert t[("totalt", "151+")]["count"] == 1
    assert t[("kvinna", "mean_days")]["count"] == pytest.approx((30 + 31 + 100) / 3, abs=0.05)
    assert t[("kvinna", "median_days")]["count"] == 31
    assert t[("man", "median_days")]["count"] == 126  # (101 + 151) / 2
    assert t[("totalt", "mean_days")]["count"] == pytest.approx((30 + 31 + 100 + 101 + 151) / 5, abs=0.05)
    assert t[("totalt", "median_days")]["count"] == 100
    assert t[("okänt", "mean_days")]["count"] is None


# evb_waiting --------------------------------------------------------------------------------------

def _beslut(h, sex, date, basis="SoL 4:1", outcome="bifall", intervention="kontaktperson", area="vuxna_ovrigt"):
    p = h.person(sex)
    c = h.case(p, area=area, opened=date)
    return c, h.ev(c, "beslut", date, legal_basis=basis, intervention=intervention, outcome=outcome)


def test_evb_waiting_by_months_since_decision_or_interruption(h):
    """evb_waiting: favourable SoL 4:1 / LSS decisions not implemented at the date, by time
    since the decision (or the interruption). Decided 2024-01-31: April has no 31st, so 3 months
    end on 2024-04-30 (lag 1930:173 1 §), and the decision has waited *more* than 3 months from
    2024-05-01."""
    _beslut(h, "kvinna", "2024-01-31")  # exactly 3 months on 2024-04-30: not yet counted
    _beslut(h, "kvinna", "2024-01-29")  # 3 months ended 2024-04-29: 3-6
    _beslut(h, "man", "2023-01-15", basis="LSS 9 § 9", intervention="boende_lss")  # 12+ months
    _beslut(h, "man", "2023-10-01", basis="SoL 4:2")  # not SoL 4:1 / LSS: never counted
    _beslut(h, "man", "2023-10-01", outcome="avslag")  # not favourable
    c, b = _beslut(h, "kvinna", "2023-06-01")
    h.ev(c, "verkstalld", "2023-06-10", beslut=b)  # implemented
    c, b = _beslut(h, "man", "2023-06-01")
    h.ev(c, "verkstalld", "2023-06-10", beslut=b)
    h.ev(c, "avbrott", "2023-10-15", beslut=b)  # interrupted 2023-10-15: 6-9 months on 2024-04-30
    c, b = _beslut(h, "man", "2023-06-01")
    h.ev(c, "verkstalld", "2023-06-10", beslut=b)
    h.ev(c, "avbrott", "2023-08-01", beslut=b)
    h.ev(c, "aterupptagen", "2023-09-01", beslut=b)  # resumed: not waiting
    c, b = _beslut(h, "kvinna", "2023-03-01")
    h.ev(c, "insats_avslutad", "2023-12-01", beslut=b, reason="återtagen ansökan")  # ended
    t = rows_of(compute("evb_waiting", as_of="2024-04-30"))
    sol = t[("SoL 4:1", "kvinna")]
    assert (sol["months_3_6"], sol["months_6_9"], sol["months_9_12"], sol["months_12_plus"]) == (1, 0, 0, 0)
    sol_m = t[("SoL 4:1", "man")]
    assert (sol_m["months_3_6"], sol_m["months_6_9"]) == (0, 1)
    assert t[("LSS 9 § 9", "man")]["months_12_plus"] == 1
    assert not any(k[0] == "SoL 4:2" for k in t)
    t2 = rows_of(compute("evb_waiting", as_of="2024-05-01"))
    assert t2[("SoL 4:1", "kvinna")]["months_3_6"] == 2


# kkik_u31462 --------------------------------------------------------------------------------------

def _eb_spell(h, person, opened, ended, end_type="arende_avslutat"):
    c = h.case(person, area="ekonomiskt_bistand", opened=opened)
    h.akt(c, opened, kind="ansokan")
    b = h.ev(c, "beslut", opened, legal_basis="SoL 4:1", intervention="forsorjningsstod", outcome="bifall")
    h.ev(c, "verkstalld", opened, beslut=b)
    if end_type == "insats_avslutad":
        h.ev(c, "insats_avslutad", ended, beslut=b, reason="arbete")
    else:
        h.ev(c, "insats_avslutad", ended, beslut=b, reason="arbete")
        h.closed(c, ended)
    return c


def test_kkik_u31462_edges(h):
    """kkik_u31462: A = persons whose försörjningsstöd ended (last insats_avslutad or
    arende_avslutat in ekonomiskt_bistand) in Jan–Jun; B = of those, a new aktualisering in
    ekonomiskt_bistand within 12 months after the end."""
    a1 = h.person("kvinna")
    _eb_spell(h, a1, "2023-10-01", "2024-06-30")
    h.akt(h.case(a1, area="ekonomiskt_bistand", opened="2025-06-30"), "2025-06-30", kind="ansokan")  # 12 months: B
    a2 = h.person("kvinna")
    _eb_spell(h, a2, "2023-10-01", "2024-01-31")
    h.akt(h.case(a2, area="ekonomiskt_bistand", opened="2025-02-01"), "2025-02-01", kind="ansokan")  # 12 m + 1 d: not B
    a3 = h.person("man")
    _eb_spell(h, a3, "2023-10-01", "2024-03-15", end_type="insats_avslutad")  # insats ended, case open
    h.akt(h.case(a3, area="vuxna_ovrigt", opened="2024-05-01"), "2024-05-01")  # other area: not B
    not_a = h.person("man")
    _eb_spell(h, not_a, "2023-10-01", "2024-07-01")  # July: not in A
    not_a2 = h.person("man")
    _eb_spell(h, not_a2, "2023-06-01", "2023-12-31")  # previous year
    t = rows_of(compute("kkik_u31462", year=2024))
    assert (t[("kvinna",)]["a_ended_h1"], t[("kvinna",)]["b_returned_12m"], t[("kvinna",)]["value_pct"]) == (2, 1, 50)
    assert (t[("man",)]["a_ended_h1"], t[("man",)]["b_returned_12m"], t[("man",)]["value_pct"]) == (1, 0, 100)
    assert t[("okänt",)]["value_pct"] is None  # A = 0
    assert (t[("totalt",)]["a_ended_h1"], t[("totalt",)]["b_returned_12m"], t[("totalt",)]["value_pct"]) == (3, 1, 67)


def test_kkik_u31462_norrtalje_example(h):
    """DOMAIN §4 / seed 004 table 7.5: women A = 60, B = 19 → 68 %; men A = 98, B = 16 → 84 %.
    Total A = 158 as stated; the total B must be the sum of the parts (35), not the stated 40,
    so the total value is round((158 − 35) / 158 × 100) = 78, while the seed's own total
    (B = 40 → 75) disagrees with its parts."""
    from akta.cases.models import Case, Event, Person

    unit = h.unit("ekonomiskt_bistand")
    persons, cases, events = [], [], []
    spec = [("kvinna", 60, 19), ("man", 98, 16)]
    n = 0
    for sex, a, b in spec:
        for i in range(a):
            n += 1
            persons.append(Person(ext_id=f"KP{n}", birth_date=D("1980-01-01"), sex=sex))
    Person.objects.bulk_create(persons)
    persons = list(Person.objects.filter(ext_id__startswith="KP").order_by("id"))
    for p in persons:
        cases.append(Case(ext_id=f"K{p.ext_id}", person=p, area="ekonomiskt_bistand", opened=D("2020-01-10"), unit=unit))
    Case.objects.bulk_create(cases)
    cases = {c.person_id: c for c in Case.objects.filter(ext_id__startswith="KKP")}
    from akta.followup.tests.history import at

    idx = 0
    for sex, a, b in spec:
        group = [p for p in persons if p.sex == sex]
        for i, p in enumerate(group):
            c = cases[p.pk]
            events.append(Event(ext_id=f"KE{idx}a", case=c, type="arende_avslutat", date=D("2021-03-15"), recorded_at=at("2021-03-15")))
            if i < b:
                events.append(Event(ext_id=f"KE{idx}b", case=c, type="aktualisering", kind="ansokan",
                                    date=D("2021-11-02"), recorded_at=at("2021-11-02")))
            idx += 1
    Event.objects.bulk_create(events)
    t = rows_of(compute("kkik_u31462", year=2021))
    assert (t[("kvinna",)]["a_ended_h1"], t[("kvinna",)]["b_returned_12m"], t[("kvinna",)]["value_pct"]) == (60, 19, 68)
    assert (t[("man",)]["a_ended_h1"], t[("man",)]["b_returned_12m"], t[("man",)]["value_pct"]) == (98, 16, 84)
    tot = t[("totalt",)]
    assert (tot["a_ended_h1"], tot["b_returned_12m"]) == (158, 35)
    assert tot["value_pct"] == round((158 - 35) / 158 * 100) == 78


# extensions ----------------------------------------------------------------------------------------

def test_cases_closed_persons_moved_and_interventions(h):
    p = h.person("kvinna")
    c = h.case(p, area="vuxna_missbruk", opened="2024-01-10")
    h.akt(c, "2024-01-10")
    b = h.ev(c, "beslut", "2024-02-01", legal_basis="SoL 4:1", intervention="hvb", outcome="bifall")
    h.ev(c, "verkstalld", "2024-02-05", beslut=b)
    h.ev(c, "beslut", "2024-02-01", legal_basis="LVM 4 §", intervention="lvm_hem", outcome="avslag")
    assert rows_of(compute("interventions_active", as_of="2024-03-01"))[("hvb", "kvinna")]["insatser"] == 1
    h.ev(c, "insats_avslutad", "2024-05-01", beslut=b, reason="mal_uppfyllt")
    h.ev(c, "avflyttad", "2024-05-02")
    h.closed(c, "2024-05-03")
    assert rows_of(compute("interventions_active", as_of="2024-05-01")) == {}
    assert count(compute("cases_closed", year=2024), "vuxna_missbruk", "kvinna") == 1
    assert count(compute("persons_moved", year=2024), "vuxna_missbruk", "kvinna") == 1
    assert count(compute("interventions_ended", year=2024), "hvb", "mal_uppfyllt", "kvinna") == 1
    d = rows_of(compute("decisions_outcome", year=2024))
    assert d[("vuxna_missbruk", "bifall", "kvinna")]["count"] == 1
    assert d[("vuxna_missbruk", "avslag", "kvinna")]["count"] == 1


def test_aktualiseringar_by_reason_and_reporter(h):
    p = h.person("man", born="2010-01-01")
    c = h.case(p, opened="2024-01-01")
    h.akt(c, "2024-01-05", reporter="skola", reasons=["vald", "missbruk_foralder"])
    h.akt(c, "2024-02-05", reporter="polis")
    r = rows_of(compute("aktualiseringar_reason", year=2024))
    assert r[("barn_och_unga", "vald", "man")]["count"] == 1
    assert r[("barn_och_unga", "missbruk_foralder", "man")]["count"] == 1
    assert r[("barn_och_unga", "", "man")]["count"] == 1
    rep = rows_of(compute("aktualiseringar_reporter", year=2024))
    assert rep[("barn_och_unga", "skola", "man")]["count"] == 1
    assert rep[("barn_och_unga", "polis", "totalt")]["count"] == 1
