"""Statutory time: lag (1930:173) om beräkning av lagstadgad tid, and working days.

Pure date arithmetic, no framework code. Every deadline in Akta is computed here.

* **1 §** – a period counted in weeks, months or years ends on the day with the same
  weekday name (weeks) or the same date number (months, years) as the start day; if the
  end month has no such date, the period ends on the last day of that month.
  :func:`add_period` implements this. Day periods are a plain count: 14 days from a
  receipt on day D end on D + 14.
* **2 §** – if the last day for an action falls on a Sunday or another public holiday, a
  Saturday, midsommarafton, julafton or nyårsafton, the action may be taken on the next
  weekday. :func:`is_closed_day`, :func:`next_open_day` and :func:`legal_due` implement
  this.
* **Lag (1989:253) om allmänna helgdagar** – the public holidays themselves. They come
  from the ``holidays`` package (country ``SE``, category ``PUBLIC`` only). That package
  leaves Sundays out unless asked (``include_sundays``, whose default has changed between
  releases) and puts the three eves in a separate ``DE_FACTO`` category (not in all
  releases). So this module asks for public holidays *without* Sundays and adds
  weekends and the three eves itself, explicitly, whatever the package version does.
* **Arbetsdagar** – local service promises (e.g. a decision on försörjningsstöd within
  10 working days) count days that are not closed in the sense of 2 §:
  :func:`add_working_days`, :func:`working_days_between`.

Whether 2 § applies to a given deadline is a property of the rule (law data), decided in
``akta/law/data/rules.toml``; this module only does the arithmetic.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

from akta.law.errors import LawDataMissing

__all__ = [
    "add_period",
    "add_working_days",
    "closed_day_reason",
    "is_closed_day",
    "legal_due",
    "next_open_day",
    "working_days_between",
]

_SATURDAY = 5
_SUNDAY = 6
_FIRST_HOLIDAY_YEAR = 1953


def _check_date(value: object, name: str = "date") -> dt.date:
    # datetime is a subclass of date; a timestamp here is almost certainly a bug
    # (which day is it, in which time zone?), so refuse it.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def _last_day_of_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def add_period(
    start: dt.date, *, days: int = 0, weeks: int = 0, months: int = 0, years: int = 0
) -> dt.date:
    """Last day of a period starting on ``start``, lag (1930:173) 1 §.

    Months and years end on the same date number as ``start``; if the end month has no
    such date, on its last day (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year;
    29 Feb 2024 + 1 year = 28 Feb 2025). Weeks end on the same weekday name (+7 days
    each). Days are a plain count (start + days). When several units are given, months
    and years are applied first, then weeks and days. Negative periods are refused.
    """
    _check_date(start, "start")
    if min(days, weeks, months, years) < 0:
        raise ValueError("periods must not be negative")
    total_months = months + 12 * years
    end = start
    if total_months:
        month_index = start.year * 12 + (start.month - 1) + total_months
        year, month = divmod(month_index, 12)
        month += 1
        day = min(start.day, _last_day_of_month(year, month))
        end = dt.date(year, month, day)
    return end + dt.timedelta(days=days + 7 * weeks)


@cache
def _closed_non_weekend_days(year: int) -> dict[dt.date, str]:
    """Closed days of ``year`` other than plain Saturdays and Sundays, with Swedish names.

    Public holidays (lag 1989:253) from the ``holidays`` package, category PUBLIC,
    Sundays explicitly excluded (we handle weekends ourselves), plus the three eves that
    lag (1930:173) 2 § names: midsommarafton (the Friday 19–25 June), julafton (24 Dec)
    and nyårsafton (31 Dec).
    """
    if year < _FIRST_HOLIDAY_YEAR:
        # The holidays package has no Swedish calendar before Act 1952:48.
        raise LawDataMissing(f"no Swedish holiday calendar for the year {year}")
    public = holidays.country_holidays(
        "SE",
        years=year,
        categories=(holidays.PUBLIC,),
        include_sundays=False,
        language="sv",
    )
    days: dict[dt.date, str] = {day: str(name) for day, name in public.items()}
    june_19 = dt.date(year, 6, 19)
    midsommarafton = june_19 + dt.timedelta(days=(4 - june_19.weekday()) % 7)
    days.setdefault(midsommarafton, "Midsommarafton")
    days.setdefault(dt.date(year, 12, 24), "Julafton")
    days.setdefault(dt.date(year, 12, 31), "Nyårsafton")
    return days


def closed_day_reason(d: dt.date) -> str | None:
    """Why ``d`` is closed under lag (1930:173) 2 § (Swedish name), or None if open.

    A holiday's own name wins over the weekday ("Påskdagen", not "Söndag").
    """
    _check_date(d)
    named = _closed_non_weekend_days(d.year).get(d)
    if named:
        return named
    if d.weekday() == _SATURDAY:
        return "Lördag"
    if d.weekday() == _SUNDAY:
        return "Söndag"
    return None


def is_closed_day(d: dt.date) -> bool:
    """True if a deadline on ``d`` moves under lag (1930:173) 2 §.

    Saturdays, Sundays, public holidays under lag (1989:253), midsommarafton, julafton
    and nyårsafton.
    """
    _check_date(d)
    return d.weekday() >= _SATURDAY or d in _closed_non_weekend_days(d.year)


def next_open_day(d: dt.date) -> dt.date:
    """``d`` if it is open, otherwise the next weekday that is not closed (2 §)."""
    while is_closed_day(d):
        d += dt.timedelta(days=1)
    return d


def legal_due(
    start: dt.date, *, days: int = 0, weeks: int = 0, months: int = 0, years: int = 0
) -> dt.date:
    """Last day for an action: lag (1930:173) 1 § for the period, then 2 § for closed days."""
    return next_open_day(
        add_period(start, days=days, weeks=weeks, months=months, years=years)
    )


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    Working days are days that are not closed under lag (1930:173) 2 §. ``n == 0`` gives
    ``start`` unchanged. "Decision within 10 working days of receipt" = the 10th working
    day after the day of receipt.
    """
    _check_date(start, "start")
    if n < 0:
        raise ValueError("n must not be negative")
    d = start
    while n:
        d += dt.timedelta(days=1)
        if not is_closed_day(d):
            n -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Number of working days ``d`` with ``a < d <= b`` (negative if ``b < a``).

    Inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n))
    == n``.
    """
    _check_date(a, "a")
    _check_date(b, "b")
    if b < a:
        return -working_days_between(b, a)
    count = 0
    d = a
    one = dt.timedelta(days=1)
    while d < b:
        d += one
        if not is_closed_day(d):
            count += 1
    return count
