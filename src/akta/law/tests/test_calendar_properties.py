"""Property tests of lag (1930:173) 1 § and 2 § and of working days (Hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from akta.law.calendar import (
    add_period,
    add_working_days,
    is_closed_day,
    legal_due,
    next_open_day,
    working_days_between,
)

D = dt.date
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))
periods = st.one_of(
    st.builds(dict, days=st.integers(0, 400)),
    st.builds(dict, weeks=st.integers(0, 60)),
    st.builds(dict, months=st.integers(0, 48)),
    st.builds(dict, years=st.integers(0, 5)),
)
# The longest run of closed days is five: julafton on a Wednesday to the Sunday after
# (24–28 Dec 2025), or a weekend followed by julafton–annandag jul (22–26 Dec 2029). So
# 2 § moves a date at most five days.
MAX_MOVE = dt.timedelta(days=5)


@settings(max_examples=400, deadline=None)
@given(start=dates, period=periods)
def test_legal_due_is_never_closed_never_early_and_never_far(start, period):
    """Lag (1930:173) 2 §: the due date is an open day, on or after the plain count (1 §)."""
    plain = add_period(start, **period)
    due = legal_due(start, **period)
    assert not is_closed_day(due)
    assert plain <= due <= plain + MAX_MOVE
    # every day skipped was a closed day
    d = plain
    while d < due:
        assert is_closed_day(d)
        d += dt.timedelta(days=1)


@settings(max_examples=400, deadline=None)
@given(start=dates, months=st.integers(0, 120))
def test_month_periods_keep_the_date_number_or_land_on_month_end(start, months):
    """Lag (1930:173) 1 §: same date number, or the last day of a month that lacks it."""
    end = add_period(start, months=months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    if end.day != start.day:
        assert end.day < start.day
        assert (end + dt.timedelta(days=1)).day == 1  # the last day of its month


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates, n=st.integers(0, 40))
def test_add_working_days_is_monotonic_and_inverse(a, b, n):
    """Working days: a later start never gives an earlier due date; between() inverts add()."""
    lo, hi = min(a, b), max(a, b)
    assert add_working_days(lo, n) <= add_working_days(hi, n)
    end = add_working_days(a, n)
    assert add_working_days(a, n + 1) > end
    assert working_days_between(a, end) == n
    if n:
        assert not is_closed_day(end)


def test_no_run_of_closed_days_is_longer_than_five_1990_2040():
    """Exhaustive check of the bound used above, and next_open_day's contract, 1990–2040."""
    d = D(1990, 1, 1)
    longest = 0
    while d <= D(2040, 12, 31):
        moved = next_open_day(d)
        assert not is_closed_day(moved)
        longest = max(longest, (moved - d).days)
        d += dt.timedelta(days=1)
    assert longest == 5
