"""Deadline rules on hand-written histories (akta.deadlines.engine).

Every expected date below was counted by hand from the law text, not by the code under test:
lag (1930:173) 1 § (a month/year period ends on the same date number, or the month's last
day) and 2 § (a last day on a Saturday, Sunday, public holiday, midsommarafton, julafton or
nyårsafton moves to the next weekday — only for rules whose law data says so).
"""
import datetime as dt
import sys

import pytest

from akta.deadlines.engine import compute
from akta.deadlines.models import KronparmGallring, LocalDeadlineRule
from akta.deadlines.tests.helpers import History, at

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
METHOD = "auto"


@pytest.fixture(params=["sql", "python"], autouse=True)
def method(request, monkeypatch):
    """Every history is read twice: by the SQL anti-joins and by the plain-Python reference."""
    monkeypatch.setattr(sys.modules[__name__], "METHOD", "auto" if request.param == "sql" else "python")


@pytest.fixture
def h(db):
    return History()


def rows(as_of, rule=None, **kw):
    out = compute(D(as_of), include_local=kw.pop("include_local", False), method=METHOD, **kw)
    return [d for d in out if rule is None or d.rule == rule]


def one(as_of, rule, **kw):
    found = rows(as_of, rule, **kw)
    assert len(found) == 1, [(d.rule, d.subject_id, d.due) for d in found]
    return found[0]


# --- 11 kap. 1 a § SoL: skyddsbedömning "genast" -------------------------------------------

def test_skyddsbedomning_is_due_the_same_day_even_on_julafton(h):
    """11 kap. 1 a § SoL: "genast"; 2 § lagen (1930:173) does not move it (rules.toml)."""
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2024-12-24", kind="anmalan")
    d = one("2024-12-24", "skyddsbedomning_0d")
    assert (d.subject_id, d.due, d.overdue) == (a.ext_id, D("2024-12-24"), False)
    assert d.legal_reference == "11 kap. 1 a § SoL (2001:453)"
    assert one("2024-12-25", "skyddsbedomning_0d").overdue is True
    h.ev(c, "skyddsbedomning", "2024-12-27", aktualisering=a)
    assert one("2024-12-26", "skyddsbedomning_0d").overdue is True  # before the assessment is dated
    assert rows("2024-12-27", "skyddsbedomning_0d") == []


# --- 11 kap. 1 a § SoL: förhandsbedömning within 14 days -----------------------------------

@pytest.mark.parametrize("received, due", [
    ("2025-06-06", "2025-06-23"),  # nationaldagen +14 = 20 June midsommarafton -> Sat, Sun -> Monday 23
    ("2024-12-17", "2025-01-02"),  # +14 = nyårsafton -> nyårsdagen -> Thursday 2 January
    ("2025-04-04", "2025-04-22"),  # +14 = långfredagen -> Sat, påskdagen, annandag påsk -> Tuesday 22
    ("2025-03-03", "2025-03-17"),  # +14 = a Monday: no move
])
def test_forhandsbedomning_14_days_moved_by_2_section(h, received, due):
    c = h.case(h.person())
    h.ev(c, "aktualisering", received, kind="anmalan")
    d = one(received, "forhandsbedomning_14d")
    assert d.due == D(due) and d.overdue is False
    assert one(due, "forhandsbedomning_14d").overdue is False  # the last day itself is not late
    assert one((D(due) + dt.timedelta(days=1)).isoformat(), "forhandsbedomning_14d").overdue is True


def test_forhandsbedomning_met_by_a_decision_or_by_opening_an_investigation(h):
    c = h.case(h.person())
    a1 = h.ev(c, "aktualisering", "2025-03-03", kind="anmalan")
    a2 = h.ev(c, "aktualisering", "2025-03-04", kind="anmalan")
    h.ev(c, "forhandsbedomning", "2025-03-10", aktualisering=a1, outcome="inte_inleda_utredning")
    h.ev(c, "utredning_inledd", "2025-03-12", aktualisering=a2)
    assert [d.subject_id for d in rows("2025-03-11", "forhandsbedomning_14d")] == [a2.ext_id]
    assert rows("2025-03-12", "forhandsbedomning_14d") == []


def test_only_an_anmalan_about_a_child_in_barn_och_unga_starts_the_clocks(h):
    child, adult = h.person("2015-03-10"), h.person("2006-01-01")  # the adult turned 18 on 2024-01-01
    c = h.case(child)
    h.ev(c, "aktualisering", "2025-03-03", kind="ansokan")
    h.ev(c, "aktualisering", "2025-03-03", kind="annan_vag")
    h.ev(h.case(adult), "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(h.case(child, area="vuxna_missbruk"), "aktualisering", "2025-03-03", kind="anmalan")
    assert rows("2025-03-04", "forhandsbedomning_14d") == []
    assert rows("2025-03-04", "skyddsbedomning_0d") == []


def test_closing_the_case_ends_an_open_deadline_but_not_a_missed_one(h):
    c1, c2 = h.case(h.person()), h.case(h.person())
    h.ev(c1, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c1, "skyddsbedomning", "2025-03-03", aktualisering=c1.events.get())
    h.ev(c1, "arende_avslutat", "2025-03-10")  # closed before the 14 days ran out (due 03-17)
    a2 = h.ev(c2, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c2, "skyddsbedomning", "2025-03-03", aktualisering=a2)
    h.ev(c2, "arende_avslutat", "2025-03-20")  # closed after it was missed
    found = rows("2025-04-01", "forhandsbedomning_14d")
    assert [(d.subject_id, d.due, d.overdue) for d in found] == [(a2.ext_id, D("2025-03-17"), True)]


def test_closing_on_the_due_day_or_the_same_day_is_not_a_missed_deadline(h):
    c1, c2 = h.case(h.person()), h.case(h.person())
    a1 = h.ev(c1, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c1, "skyddsbedomning", "2025-03-03", aktualisering=a1)
    h.ev(c1, "arende_avslutat", "2025-03-17")  # the last day of the 14 days: not missed
    a2 = h.ev(c2, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c2, "arende_avslutat", "2025-03-03")  # closed the same day, after the anmälan
    assert one("2025-03-16", "forhandsbedomning_14d").subject_id == a1.ext_id
    assert rows("2025-03-20", "forhandsbedomning_14d") == []
    assert rows("2025-03-20", "skyddsbedomning_0d") == []  # "genast" = that day: closed the same day
    assert a2


# --- 11 kap. 2 § SoL: child investigation within four months --------------------------------

@pytest.mark.parametrize("opened, due", [
    ("2025-01-31", "2025-06-02"),  # 31 May is a Saturday -> Monday 2 June
    ("2023-10-31", "2024-02-29"),  # leap year: February's last day, a Thursday
    ("2022-10-31", "2023-02-28"),  # no 31 February -> 28 February (Tuesday)
    ("2024-08-24", "2024-12-27"),  # 24 December julafton, 25-26 holidays -> Friday 27
])
def test_utredning_four_months_month_end_rule_and_2_section(h, opened, due):
    c = h.case(h.person())
    h.ev(c, "utredning_inledd", opened)
    d = one(opened, "utredning_4m")
    assert d.due == D(due)


def test_utredning_extension_counts_from_the_day_it_is_decided(h):
    c = h.case(h.person())
    u = h.ev(c, "utredning_inledd", "2025-01-31")
    h.ev(c, "utredning_forlangd", "2025-05-20", utredning=u, until="2025-07-15", reason="inväntar utlåtande")
    assert one("2025-05-19", "utredning_4m").due == D("2025-06-02")
    d = one("2025-05-20", "utredning_4m")
    assert (d.due, d.extended_until) == (D("2025-07-15"), D("2025-07-15"))
    assert one("2025-07-16", "utredning_4m").overdue is True
    h.ev(c, "utredning_avslutad", "2025-07-10", utredning=u, outcome="insats")
    assert rows("2025-07-16", "utredning_4m") == []


def test_legal_reference_is_the_text_in_force_on_the_as_of_date(h):
    c = h.case(h.person())
    h.ev(c, "utredning_inledd", "2025-05-02")
    assert one("2025-06-30", "utredning_4m").legal_reference == "11 kap. 2 § SoL (2001:453)"
    assert one("2025-07-01", "utredning_4m").legal_reference == (
        "motsvarande bestämmelse i SoL (2025:400) (tidigare 11 kap. 2 § SoL (2001:453))")


# --- 16 kap. 6 f § SoL, 28 f § LSS: implementation within three months ------------------------

def test_verkstallighet_three_months_from_the_decision_without_2_section(h):
    c = h.case(h.person("1950-05-05"), area="vuxna_ovrigt")
    b = h.ev(c, "beslut", "2024-11-30", legal_basis="SoL 4:1", intervention="sarskilt_boende", outcome="bifall")
    h.ev(c, "erbjudande", "2025-01-10", beslut=b, accepted=False)  # a declined offer does not stop the clock
    d = one("2025-02-28", "verkstallighet_3m")  # 30 Nov + 3 months: no 30 Feb -> 28 Feb
    assert (d.subject_id, d.due, d.overdue) == (b.ext_id, D("2025-02-28"), False)
    assert d.legal_reference == "16 kap. 6 f § SoL (2001:453)"
    assert one("2025-03-01", "verkstallighet_3m").overdue is True
    h.ev(c, "verkstalld", "2025-03-10", beslut=b)
    assert one("2025-03-09", "verkstallighet_3m").overdue is True
    assert rows("2025-03-10", "verkstallighet_3m") == []


def test_verkstallighet_only_favourable_sol_4_1_and_lss_decisions(h):
    c = h.case(h.person("1980-01-01"), area="vuxna_ovrigt")
    kw = {"intervention": "kontaktperson"}
    h.ev(c, "beslut", "2025-01-10", legal_basis="SoL 4:1", outcome="avslag", **kw)
    h.ev(c, "beslut", "2025-01-10", legal_basis="SoL 4:2", outcome="bifall", **kw)
    h.ev(c, "beslut", "2025-01-10", legal_basis="LVM 4 §", outcome="bifall", intervention="lvm_hem")
    lss = h.ev(c, "beslut", "2025-01-10", legal_basis="LSS 9 § 9", outcome="delvis_bifall", intervention="boende_lss")
    d = one("2025-05-01", "verkstallighet_3m")
    assert (d.subject_id, d.due, d.legal_reference) == (lss.ext_id, D("2025-04-10"), "28 f § LSS (1993:387)")


def test_an_ended_decision_is_no_longer_to_be_implemented(h):
    c = h.case(h.person("1980-01-01"), area="vuxna_ovrigt")
    b = h.ev(c, "beslut", "2025-01-10", legal_basis="SoL 4:1", outcome="bifall", intervention="kontaktperson")
    h.ev(c, "insats_avslutad", "2025-05-02", beslut=b, reason="vill inte längre ha insatsen")
    assert one("2025-05-01", "verkstallighet_3m").overdue is True
    assert rows("2025-05-02", "verkstallighet_3m") == []


def test_interruption_three_months_until_resumed(h):
    c = h.case(h.person("1980-01-01"), area="vuxna_ovrigt")
    b = h.ev(c, "beslut", "2024-10-01", legal_basis="LSS 9 § 10", outcome="bifall", intervention="daglig_verksamhet")
    h.ev(c, "verkstalld", "2024-10-15", beslut=b)
    h.ev(c, "avbrott", "2025-03-31", beslut=b, reason="sjukdom")
    d = one("2025-04-01", "verkstallighet_avbrott_3m")
    assert (d.subject_id, d.start, d.due) == (b.ext_id, D("2025-03-31"), D("2025-06-30"))
    h.ev(c, "aterupptagen", "2025-05-02", beslut=b)
    assert rows("2025-05-02", "verkstallighet_avbrott_3m") == []
    h.ev(c, "avbrott", "2025-08-31", beslut=b)  # a second interruption: a new clock
    assert one("2025-09-01", "verkstallighet_avbrott_3m").due == D("2025-11-30")


# --- 6 kap. 8 § SoL, 13 § LVU: överväganden and omprövning ------------------------------------

def test_overvagande_every_six_months_from_placement_then_from_last_consideration(h):
    c = h.case(h.person("2015-03-10"))
    b = h.ev(c, "beslut", "2024-08-20", legal_basis="LVU 2 §", outcome="bifall", intervention="familjehem")
    assert rows("2024-08-25", "overvagande_6m") == []  # not yet implemented: no placement yet
    h.ev(c, "verkstalld", "2024-08-31", beslut=b)
    d = one("2024-09-01", "overvagande_6m")
    assert (d.due, d.legal_reference) == (D("2025-02-28"), "13 § LVU (1990:52)")  # 31 Aug + 6 months
    h.ev(c, "overvagande", "2025-02-20", beslut=b)
    assert one("2025-02-20", "overvagande_6m").due == D("2025-08-20")


def test_overvagande_sol_placement_only_for_a_child_and_only_placements(h):
    teen = h.person("2007-01-15")  # 18 on 2025-01-15
    c = h.case(teen)
    hvb = h.ev(c, "beslut", "2024-09-01", legal_basis="SoL 4:1", outcome="bifall", intervention="hvb")
    h.ev(c, "verkstalld", "2024-09-01", beslut=hvb)  # due 2025-03-03: no longer a child then
    kp = h.ev(h.case(h.person()), "beslut", "2024-09-01", legal_basis="SoL 4:1", outcome="bifall",
              intervention="kontaktperson")
    h.ev(kp.case, "verkstalld", "2024-09-01", beslut=kp)
    child = h.case(h.person("2012-05-05"))
    fh = h.ev(child, "beslut", "2024-09-01", legal_basis="SoL 4:1", outcome="bifall", intervention="natverkshem")
    h.ev(child, "verkstalld", "2024-09-01", beslut=fh)
    d = one("2024-10-01", "overvagande_6m")
    # 1 Sep + 6 months = 1 March 2025, a Saturday -> Monday 3 March
    assert (d.subject_id, d.due, d.legal_reference) == (fh.ext_id, D("2025-03-03"), "6 kap. 8 § SoL (2001:453)")


def test_omprovning_lvu_3_within_six_months_of_implementation(h):
    c = h.case(h.person("2009-06-01"))
    b = h.ev(c, "beslut", "2025-01-10", legal_basis="LVU 3 §", outcome="bifall", intervention="sarskilt_ungdomshem")
    h.ev(c, "verkstalld", "2025-01-15", beslut=b)
    assert one("2025-02-01", "omprovning_lvu3_6m").due == D("2025-07-15")
    h.ev(c, "overvagande", "2025-07-01", beslut=b)
    assert one("2025-07-01", "omprovning_lvu3_6m").due == D("2026-01-02")  # 1 Jan nyårsdagen -> Friday 2 Jan
    h.ev(c, "insats_avslutad", "2025-09-01", beslut=b, reason="vården upphörde")
    assert rows("2025-09-01", "omprovning_lvu3_6m") == []


def test_vardnadsoverflyttning_two_years_in_the_same_familjehem(h):
    c = h.case(h.person("2014-02-02"))
    b = h.ev(c, "beslut", "2023-06-20", legal_basis="SoL 4:1", outcome="bifall", intervention="familjehem")
    h.ev(c, "verkstalld", "2023-06-21", beslut=b)
    d = one("2025-06-01", "vardnadsoverflyttning_2y")
    assert d.due == D("2025-06-21")  # midsommardagen, but the day a duty arises is not moved
    assert one("2025-06-23", "vardnadsoverflyttning_2y").overdue is True
    h.ev(c, "overvagande", "2025-06-25", beslut=b)
    assert rows("2025-06-25", "vardnadsoverflyttning_2y") == []


# --- föräldrabalken, HSLF-FS 2017:51 ------------------------------------------------------------

def test_vbu_utredning_four_months(h):
    c = h.case(h.person("2016-01-01"), area="familjeratt", case_type="vbu_utredning")
    h.ev(c, "aktualisering", "2024-11-28", kind="begaran_om_yttrande")
    h.ev(c, "utredning_inledd", "2024-11-30")
    d = one("2024-12-01", "vbu_utredning_4m")
    assert (d.due, d.legal_reference) == (D("2025-03-31"), "6 kap. 19 § föräldrabalken (1949:381)")  # 30 Mar Sunday
    assert rows("2024-12-01", "utredning_4m") == []  # not a child investigation under 11 kap. 2 § SoL


def test_samarbetssamtal_within_14_days(h):
    c = h.case(h.person("1985-01-01"), area="familjeratt", case_type="samarbetssamtal")
    a = h.ev(c, "aktualisering", "2025-12-17", kind="ansokan")
    d = one("2025-12-18", "samarbetssamtal_14d")
    assert (d.subject_id, d.due, d.legal_reference) == (a.ext_id, D("2026-01-02"), "HSLF-FS 2017:51")
    h.ev(c, "utredning_inledd", "2025-12-30")
    assert rows("2025-12-30", "samarbetssamtal_14d") == []


def test_faderskap_one_year_from_leap_day(h):
    c = h.case(h.person("2024-02-20"), area="familjeratt", case_type="faderskap")
    u = h.ev(c, "utredning_inledd", "2024-02-29")
    assert one("2024-03-01", "faderskap_1y").due == D("2025-02-28")
    h.ev(c, "utredning_avslutad", "2025-01-10", utredning=u, outcome="ingen_insats")
    assert rows("2025-01-10", "faderskap_1y") == []


# --- JO 1998-12-18 dnr 3500-1998: kronologisk pärm --------------------------------------------

def test_kronparm_culling_listed_from_the_day_it_may_take_place(h):
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2023-03-01", kind="anmalan")
    h.ev(c, "skyddsbedomning", "2023-03-01", aktualisering=a)
    h.ev(c, "forhandsbedomning", "2023-03-15", aktualisering=a, outcome="inte_inleda_utredning")
    assert rows("2025-03-14", "kronparm_gallring_2y") == []
    d = one("2025-03-15", "kronparm_gallring_2y")  # a Saturday: a permission date is not moved
    assert (d.subject_id, d.due, d.overdue, d.legal_reference) == (
        a.ext_id, D("2025-03-15"), False, "JO 1998-12-18, dnr 3500-1998")
    KronparmGallring.objects.create(unit=c.unit, culled_through=D("2023-12-31"), performed_on=D("2025-04-01"))
    assert one("2025-03-31", "kronparm_gallring_2y").overdue is True
    assert rows("2025-04-01", "kronparm_gallring_2y") == []


def test_kronparm_not_when_an_investigation_was_opened_later(h):
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2023-03-01", kind="anmalan")
    h.ev(c, "forhandsbedomning", "2023-03-15", aktualisering=a, outcome="inte_inleda_utredning")
    a2 = h.ev(c, "aktualisering", "2024-01-10", kind="anmalan")
    h.ev(c, "utredning_inledd", "2024-01-15", aktualisering=a2)
    assert rows("2025-06-01", "kronparm_gallring_2y") == []


# --- corrections -----------------------------------------------------------------------------

def test_a_corrected_date_changes_the_deadline_from_the_time_it_was_recorded(h):
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c, "aktualisering", "2025-03-05", kind="anmalan", corrects=a, recorded=at("2025-03-10", 14))
    assert one("2025-03-09", "forhandsbedomning_14d").due == D("2025-03-17")
    d = one("2025-03-10", "forhandsbedomning_14d")
    assert (d.subject_id, d.due) == (a.ext_id, D("2025-03-19"))  # still the original's id


def test_a_voided_correction_removes_the_event_it_corrects(h):
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2025-03-03", kind="anmalan")
    f = h.ev(c, "forhandsbedomning", "2025-03-06", aktualisering=a, outcome="inleda_utredning")
    assert rows("2025-03-20", "forhandsbedomning_14d") == []
    h.ev(c, "forhandsbedomning", "2025-03-06", aktualisering=a, outcome="inleda_utredning", corrects=f, voided=True,
         recorded=at("2025-03-21"))
    assert one("2025-03-21", "forhandsbedomning_14d").overdue is True
    assert rows("2025-03-20", "forhandsbedomning_14d") == []  # as known at the end of 20 March


def test_an_event_recorded_later_is_not_known_on_an_earlier_as_of_date(h):
    c = h.case(h.person())
    a = h.ev(c, "aktualisering", "2025-03-03", kind="anmalan")
    h.ev(c, "skyddsbedomning", "2025-03-03", aktualisering=a, recorded=at("2025-03-05"))
    assert one("2025-03-04", "skyddsbedomning_0d").overdue is True
    assert rows("2025-03-05", "skyddsbedomning_0d") == []


# --- the committee's own rules ---------------------------------------------------------------

def test_local_rule_in_working_days_with_its_decision_reference(h):
    LocalDeadlineRule.objects.create(
        code="forsorjningsstod_10ad", title="Beslut om försörjningsstöd inom 10 arbetsdagar", working_days=10,
        decision_reference="SN 2014-03-26 § 41", area="ekonomiskt_bistand", anchor_type="aktualisering",
        anchor_kind="ansokan", closing_type="beslut", valid_from=D("2014-04-01"))
    c = h.case(h.person("1990-01-01"), area="ekonomiskt_bistand")
    a = h.ev(c, "aktualisering", "2025-12-19", kind="ansokan")
    assert rows("2025-12-20", "forsorjningsstod_10ad") == []  # only with include_local
    d = one("2025-12-20", "forsorjningsstod_10ad", include_local=True)
    # 22, 23, 29, 30 Dec, 2, 5, 7, 8, 9, 12 Jan (julafton–annandag, nyår, trettondagen, weekends skipped)
    assert (d.subject_id, d.due, d.kind, d.legal_reference) == (a.ext_id, D("2026-01-12"), "lokal", "SN 2014-03-26 § 41")
    h.ev(c, "beslut", "2026-01-08", legal_basis="SoL 4:1", outcome="bifall", intervention="forsorjningsstod")
    assert rows("2026-01-08", "forsorjningsstod_10ad", include_local=True) == []
