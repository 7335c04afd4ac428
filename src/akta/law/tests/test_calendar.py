"""Lag (1930:173) om beräkning av lagstadgad tid, 1 § and 2 §, and working days.

Every expected date below was worked out by hand from the law text and a calendar.
"""

import datetime as dt

import holidays
import pytest

from akta.law.calendar import (
    add_period,
    add_working_days,
    closed_day_reason,
    is_closed_day,
    legal_due,
    next_open_day,
    working_days_between,
)
from akta.law.errors import LawDataMissing

D = dt.date


# --- 1 §: periods in days, weeks, months and years ------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (
            D(2025, 1, 31),
            1,
            D(2025, 2, 28),
        ),  # 1 §: February 2025 has no 31st -> last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year: last day is the 29th
        (D(2025, 3, 31), 1, D(2025, 4, 30)),  # 30-day month has no 31st
        (D(2025, 4, 30), 1, D(2025, 5, 30)),  # same date number, not "month end"
        (D(2025, 1, 30), 1, D(2025, 2, 28)),
        (D(2024, 1, 29), 1, D(2024, 2, 29)),
        (D(2025, 1, 29), 1, D(2025, 2, 28)),
        (D(2025, 10, 31), 4, D(2026, 2, 28)),  # across a year end
        (D(2023, 10, 31), 4, D(2024, 2, 29)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2025, 12, 31), 3, D(2026, 3, 31)),
        (D(2025, 2, 28), 1, D(2025, 3, 28)),  # a month end start is not "month end"
        (D(2025, 6, 15), 12, D(2026, 6, 15)),
    ],
)
def test_1_section_month_periods_end_on_same_date_or_month_end(start, months, expected):
    """Lag (1930:173) 1 §: same date number, or the end month's last day."""
    assert add_period(start, months=months) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (D(2024, 2, 29), 1, D(2025, 2, 28)),  # 1 §: 2025 has no 29 February
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2024, 2, 29), 2, D(2026, 2, 28)),
        (D(2023, 12, 24), 2, D(2025, 12, 24)),
        (D(2099, 2, 28), 1, D(2100, 2, 28)),
    ],
)
def test_1_section_year_periods(start, years, expected):
    """Lag (1930:173) 1 §: years end on the same date number, 29 Feb -> 28 Feb."""
    assert add_period(start, years=years) == expected


def test_1_section_weeks_end_on_same_weekday_name():
    """Lag (1930:173) 1 §: a period in weeks ends on the same weekday name."""
    start = D(2025, 12, 10)  # Wednesday
    end = add_period(start, weeks=2)
    assert end == D(2025, 12, 24)
    assert end.weekday() == start.weekday()


def test_day_periods_are_a_plain_count():
    """14 days from receipt on day D end on D + 14 (the day of receipt is not counted)."""
    assert add_period(D(2025, 3, 3), days=14) == D(2025, 3, 17)
    assert add_period(D(2025, 2, 20), days=14) == D(2025, 3, 6)
    assert add_period(D(2024, 2, 20), days=14) == D(2024, 3, 5)  # leap year
    assert add_period(D(2025, 3, 3), days=0) == D(2025, 3, 3)


def test_combined_units_apply_months_first():
    assert add_period(D(2025, 1, 31), months=1, days=1) == D(2025, 3, 1)
    assert add_period(D(2024, 2, 29), years=1, months=1) == D(2025, 3, 29)


def test_add_period_refuses_negative_periods_and_timestamps():
    with pytest.raises(ValueError):
        add_period(D(2025, 1, 1), months=-1)
    with pytest.raises(TypeError):
        add_period(dt.datetime(2025, 1, 1, 12), days=1)


# --- 2 §: closed days ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (D(2025, 1, 1), "Nyårsdagen"),
        (D(2025, 1, 6), "Trettondedag jul"),
        (D(2025, 4, 18), "Långfredagen"),
        (D(2025, 4, 20), "Påskdagen"),
        (D(2025, 4, 21), "Annandag påsk"),
        (D(2025, 5, 1), "Första maj"),
        (D(2025, 5, 29), "Kristi himmelsfärdsdag"),
        (D(2025, 6, 6), "Nationaldagen"),
        (D(2025, 6, 8), "Pingstdagen"),
        (D(2025, 6, 20), "Midsommarafton"),
        (D(2025, 6, 21), "Midsommardagen"),
        (D(2025, 11, 1), "Alla helgons dag"),
        (D(2025, 12, 24), "Julafton"),
        (D(2025, 12, 25), "Juldagen"),
        (D(2025, 12, 26), "Annandag jul"),
        (D(2025, 12, 31), "Nyårsafton"),
        (D(2026, 4, 3), "Långfredagen"),
        (D(2026, 4, 5), "Påskdagen"),
        (D(2026, 4, 6), "Annandag påsk"),
        (D(2026, 5, 14), "Kristi himmelsfärdsdag"),
        (D(2026, 6, 19), "Midsommarafton"),
        (D(2026, 6, 20), "Midsommardagen"),
        (D(2026, 10, 31), "Alla helgons dag"),
        (D(2025, 12, 27), "Lördag"),
        (D(2025, 12, 28), "Söndag"),
    ],
)
def test_2_section_closed_days(day, reason):
    """Lag (1930:173) 2 § with lag (1989:253): the day is closed, for the stated reason."""
    assert is_closed_day(day)
    assert closed_day_reason(day) == reason


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 5),  # trettondagsafton, Monday: not closed
        D(2025, 4, 17),  # skärtorsdagen: not closed
        D(2025, 4, 30),  # valborgsmässoafton: not closed
        D(2025, 5, 28),  # day before Kristi himmelsfärd
        D(2025, 6, 19),  # day before midsommarafton
        D(2025, 10, 31),  # allhelgonaafton: not closed
        D(2026, 10, 30),  # allhelgonaafton 2026
        D(2025, 12, 23),
        D(2025, 6, 9),  # annandag pingst is no longer a holiday (since 2005)
        D(2025, 12, 29),
    ],
)
def test_2_section_open_days_that_look_like_holidays(day):
    """Lag (1930:173) 2 § names only the three eves; other eves are ordinary weekdays."""
    assert day.weekday() < 5
    assert not is_closed_day(day)
    assert closed_day_reason(day) is None


@pytest.mark.parametrize(
    ("last_day", "moved_to"),
    [
        # Easter 2025: långfredagen 18 Apr, påskafton (Sat), påskdagen, annandag påsk 21 Apr
        (D(2025, 4, 18), D(2025, 4, 22)),
        (D(2025, 4, 19), D(2025, 4, 22)),
        (D(2025, 4, 20), D(2025, 4, 22)),
        (D(2025, 4, 21), D(2025, 4, 22)),
        (D(2025, 4, 17), D(2025, 4, 17)),  # skärtorsdagen stays
        # Easter 2026: 3–6 April
        (D(2026, 4, 3), D(2026, 4, 7)),
        (D(2026, 4, 6), D(2026, 4, 7)),
        # Kristi himmelsfärdsdag (Thursday) -> Friday
        (D(2025, 5, 29), D(2025, 5, 30)),
        (D(2026, 5, 14), D(2026, 5, 15)),
        # Midsommar: afton (Fri) and dagen (Sat), then Sunday -> Monday
        (D(2025, 6, 20), D(2025, 6, 23)),
        (D(2025, 6, 21), D(2025, 6, 23)),
        (D(2026, 6, 19), D(2026, 6, 22)),
        (D(2026, 6, 20), D(2026, 6, 22)),
        # Nationaldagen on a weekday
        (D(2025, 6, 6), D(2025, 6, 9)),  # Friday -> Monday
        (D(2024, 6, 6), D(2024, 6, 7)),  # Thursday -> Friday
        (D(2023, 6, 6), D(2023, 6, 7)),  # Tuesday -> Wednesday
        # Alla helgons dag (Saturday) and the Sunday after
        (D(2025, 11, 1), D(2025, 11, 3)),
        (D(2026, 10, 31), D(2026, 11, 2)),
        # Christmas 2025: julafton Wed, juldagen Thu, annandag Fri, Sat, Sun -> Mon 29 Dec
        (D(2025, 12, 24), D(2025, 12, 29)),
        (D(2025, 12, 25), D(2025, 12, 29)),
        (D(2025, 12, 26), D(2025, 12, 29)),
        # New year 2025/26: nyårsafton Wed, nyårsdagen Thu -> Fri 2 Jan
        (D(2025, 12, 31), D(2026, 1, 2)),
        (D(2026, 1, 1), D(2026, 1, 2)),
        (D(2026, 1, 6), D(2026, 1, 7)),  # trettondedag jul
        # Christmas 2026: julafton Thu ... Sun 27 -> Mon 28; nyårsafton Thu ... -> Mon 4 Jan
        (D(2026, 12, 24), D(2026, 12, 28)),
        (D(2026, 12, 31), D(2027, 1, 4)),
        # Christmas 2022: julafton on a Saturday, juldagen Sunday, annandag Monday -> Tue
        (D(2022, 12, 24), D(2022, 12, 27)),
        # Första maj on a Thursday
        (D(2025, 5, 1), D(2025, 5, 2)),
        # Annandag pingst was a holiday until 2004; nationaldagen from 2005
        (D(2004, 5, 31), D(2004, 6, 1)),
        (D(2005, 5, 16), D(2005, 5, 16)),
        (D(2005, 6, 6), D(2005, 6, 7)),
        # An ordinary weekday stays
        (D(2025, 3, 12), D(2025, 3, 12)),
    ],
)
def test_2_section_next_open_day(last_day, moved_to):
    """Lag (1930:173) 2 §: a last day on a closed day moves to the next weekday."""
    assert next_open_day(last_day) == moved_to


def test_2_section_legal_due_14_days_into_christmas():
    """1 § + 2 §: 14 days from Wed 10 Dec 2025 is julafton; the action may be taken Mon 29 Dec."""
    assert add_period(D(2025, 12, 10), days=14) == D(2025, 12, 24)
    assert legal_due(D(2025, 12, 10), days=14) == D(2025, 12, 29)


def test_2_section_legal_due_month_end_on_saturday():
    """1 § + 2 §: 31 Oct 2025 + 4 months = Sat 28 Feb 2026, moved to Mon 2 Mar 2026."""
    assert legal_due(D(2025, 10, 31), months=4) == D(2026, 3, 2)


def test_2_section_legal_due_into_midsommar():
    """1 § + 2 §: 20 Feb 2025 + 4 months = midsommarafton 20 Jun 2025 -> Mon 23 Jun."""
    assert legal_due(D(2025, 2, 20), months=4) == D(2025, 6, 23)


def test_every_sunday_is_closed_whatever_the_holidays_package_default():
    """Lag (1989:253): all Sundays are public holidays; we do not rely on include_sundays."""
    d = D(2025, 1, 5)
    while d.year == 2025:
        assert is_closed_day(d)
        d += dt.timedelta(days=7)


def test_the_three_eves_are_added_explicitly_and_agree_with_holidays_de_facto():
    """2 § names midsommarafton, julafton, nyårsafton; holidays' PUBLIC category omits them."""
    for year in range(1990, 2041):
        public = holidays.country_holidays(
            "SE", years=year, categories=(holidays.PUBLIC,)
        )
        eves = {d for d in public if d.month == 12 and d.day in (24, 31)}
        assert not eves, (
            "holidays now counts an eve as a public holiday: review calendar.py"
        )
        midsommarafton = next(
            D(year, 6, day) for day in range(19, 26) if D(year, 6, day).weekday() == 4
        )
        assert closed_day_reason(midsommarafton) == "Midsommarafton"
        assert is_closed_day(D(year, 12, 24)) and is_closed_day(D(year, 12, 31))
        if hasattr(holidays, "DE_FACTO"):
            de_facto = holidays.country_holidays(
                "SE", years=year, categories=(holidays.DE_FACTO,)
            )
            assert set(de_facto) == {midsommarafton, D(year, 12, 24), D(year, 12, 31)}


def test_midsommar_days_in_their_windows():
    """Midsommarafton is the Friday 19–25 June, midsommardagen the Saturday 20–26 June."""
    for year in range(1990, 2041):
        afton = [
            D(year, 6, d)
            for d in range(19, 26)
            if closed_day_reason(D(year, 6, d)) == "Midsommarafton"
        ]
        dagen = [
            D(year, 6, d)
            for d in range(20, 27)
            if closed_day_reason(D(year, 6, d)) == "Midsommardagen"
        ]
        assert len(afton) == 1 and afton[0].weekday() == 4
        assert dagen == [afton[0] + dt.timedelta(days=1)]


def test_years_without_a_swedish_holiday_calendar_are_an_error():
    with pytest.raises(LawDataMissing, match="1950"):
        is_closed_day(D(1950, 3, 1))


# --- Working days (local service promises) ----------------------------------------------


def test_add_working_days_skips_weekends_and_holidays():
    """Arbetsdagar exclude the days of lag (1930:173) 2 § (seed 001: 10 arbetsdagar)."""
    assert add_working_days(D(2025, 3, 3), 10) == D(
        2025, 3, 17
    )  # Mon -> Mon two weeks on
    assert add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 10)  # Fri -> Mon
    assert add_working_days(D(2025, 3, 8), 1) == D(2025, 3, 10)  # Sat -> Mon
    assert add_working_days(D(2025, 3, 3), 0) == D(2025, 3, 3)
    # Easter 2025: Thu 17 Apr + 1 working day = Tue 22 Apr
    assert add_working_days(D(2025, 4, 17), 1) == D(2025, 4, 22)
    # Christmas 2025: Tue 23 Dec + 10 working days: 29, 30 Dec, 2, 5, 7, 8, 9, 12, 13, 14 Jan
    assert add_working_days(D(2025, 12, 23), 10) == D(2026, 1, 14)
    # Midsommar 2026: Thu 18 Jun + 1 = Mon 22 Jun
    assert add_working_days(D(2026, 6, 18), 1) == D(2026, 6, 22)


def test_working_days_between():
    assert working_days_between(D(2025, 12, 23), D(2026, 1, 14)) == 10
    assert working_days_between(D(2026, 1, 14), D(2025, 12, 23)) == -10
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 3)) == 0
    assert working_days_between(D(2025, 4, 17), D(2025, 4, 21)) == 0  # all closed
    assert working_days_between(D(2025, 4, 17), D(2025, 4, 22)) == 1


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 1), -1)
