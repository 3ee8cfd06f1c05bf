"""Durations, working-day calendars (dateutil.rrule) and local-day counting (dateutil.tz)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import InvalidValue
from tiktok_aftersales.domain import region
from tiktok_aftersales.domain.calendars import (
    Duration,
    DurationUnit,
    WorkingCalendar,
    add_calendar_days,
    add_duration,
    add_hours,
    zone,
)
from tiktok_aftersales.errors import NaiveDatetime

BANGKOK = timezone(timedelta(hours=7))
LA = "America/Los_Angeles"

# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "duration", "shown"),
    [
        ("48h", Duration.hours(48), "48 h"),
        ("5d", Duration.days(5), "5 calendar days"),
        ("1wd", Duration.working_days(1), "1 working day"),
        (" 8 d ", Duration.days(8), "8 calendar days"),
    ],
)
def test_durations_parse_and_print(text: str, duration: Duration, shown: str) -> None:
    assert Duration.parse(text) == duration
    assert str(duration) == shown
    assert Duration.parse(duration.short) == duration


@pytest.mark.parametrize("text", ["", "48", "2w", "-1h", "1.5h", 48, None])
def test_malformed_durations_are_refused(text: object) -> None:
    with pytest.raises(InvalidValue) as err:
        Duration.parse(text)  # type: ignore[arg-type]
    assert err.value.field == "duration"
    assert err.value.value == text


@pytest.mark.parametrize("amount", [-1, 1.5, True, "3"])
def test_duration_amounts_must_be_whole_and_not_negative(amount: object) -> None:
    with pytest.raises(InvalidValue) as err:
        Duration(amount, DurationUnit.HOURS)  # type: ignore[arg-type]
    assert err.value.field == "duration.amount"


# --- hours ----------------------------------------------------------------------------------


def test_hours_are_elapsed_time_even_across_a_dst_change() -> None:
    # 2026-03-08 02:00 America/Los_Angeles springs forward; 24 elapsed hours stay 24 hours
    start = datetime(2026, 3, 7, 12, tzinfo=zone(LA))
    due = add_hours(start, 24)
    assert due == datetime(2026, 3, 8, 20, tzinfo=UTC)
    # Python's same-zone arithmetic adds wall time, which would be an hour short here
    assert due != start + timedelta(hours=24)
    assert due.tzinfo is UTC
    assert (due - start.astimezone(UTC)) == timedelta(hours=24)
    assert due.astimezone(zone(LA)).hour == 13  # the wall clock moved, the deadline did not


# --- calendar days --------------------------------------------------------------------------


def test_calendar_days_keep_the_local_wall_time_across_spring_forward() -> None:
    start = datetime(2026, 3, 7, 18, tzinfo=UTC)  # Saturday 10:00 PST
    due = add_calendar_days(start, 5, LA)
    assert due == datetime(2026, 3, 12, 17, tzinfo=UTC)  # Thursday 10:00 PDT
    assert due.astimezone(zone(LA)).hour == 10


def test_calendar_days_keep_the_local_wall_time_across_fall_back() -> None:
    start = datetime(2026, 10, 30, 17, tzinfo=UTC)  # Friday 10:00 PDT
    due = add_calendar_days(start, 5, LA)
    assert due == datetime(2026, 11, 4, 18, tzinfo=UTC)  # Wednesday 10:00 PST
    assert due.astimezone(zone(LA)).hour == 10


def test_a_wall_time_skipped_by_spring_forward_moves_to_after_the_gap() -> None:
    start = datetime(2026, 3, 7, 2, 30, tzinfo=zone(LA))  # 02:30 exists on the 7th only
    due = add_calendar_days(start, 1, LA)
    assert due.astimezone(zone(LA)).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)


def test_calendar_days_count_local_dates_not_utc_dates() -> None:
    # 23:30 in Jakarta on 1 March is 16:30 UTC; one local day later is 23:30 on 2 March
    start = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert add_calendar_days(start, 1, "Asia/Jakarta") == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)


def test_unknown_time_zones_are_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        zone("Mars/Olympus_Mons")
    assert err.value.field == "timezone"
    with pytest.raises(InvalidValue):
        WorkingCalendar("Nowhere/Else")


def test_naive_datetimes_are_refused_everywhere() -> None:
    naive = datetime(2026, 3, 7, 10)
    cal = WorkingCalendar("Asia/Bangkok")
    for call in (
        lambda: add_hours(naive, 1),
        lambda: add_calendar_days(naive, 1, LA),
        lambda: cal.add_working_days(naive, 1),
        lambda: add_duration(naive, Duration.hours(1), cal),
    ):
        with pytest.raises(NaiveDatetime) as err:
            call()
        assert err.value.field == "start"
        assert err.value.value == naive


# --- working days ---------------------------------------------------------------------------

SONGKRAN = [date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15)]


def test_one_working_day_spans_a_weekend_and_a_holiday_in_thailand() -> None:
    th = WorkingCalendar.for_region(region("TH"), holidays=[date(2026, 4, 13)])
    friday = datetime(2026, 4, 10, 10, tzinfo=BANGKOK)
    due = th.add_working_days(friday, 1)
    assert due == datetime(2026, 4, 14, 10, tzinfo=BANGKOK)  # Tuesday, same local time
    assert due.tzinfo is UTC


def test_one_working_day_spans_a_holiday_pair_and_a_weekend_in_vietnam() -> None:
    # 30 April (Reunification Day, Thursday) and 1 May (Labour Day, Friday)
    vn = WorkingCalendar.for_region(region("VN"), ["2026-04-30", "2026-05-01"])
    wednesday = datetime(2026, 4, 29, 3, tzinfo=UTC)  # 10:00 in Ho Chi Minh City
    assert vn.add_working_days(wednesday, 1) == datetime(2026, 5, 4, 3, tzinfo=UTC)


def test_a_request_made_on_a_weekend_gets_the_whole_next_working_day() -> None:
    th = WorkingCalendar.for_region(region("TH"), SONGKRAN)
    saturday = datetime(2026, 4, 11, 15, tzinfo=BANGKOK)
    # Sunday, then Songkran Monday to Wednesday: the whole of Thursday is the working day
    assert th.add_working_days(saturday, 1) == datetime(2026, 4, 17, 0, tzinfo=BANGKOK)


def test_working_days_are_computed_with_rrule_excluding_holidays() -> None:
    th = WorkingCalendar("Asia/Bangkok", holidays=SONGKRAN)
    assert th.next_working_days(date(2026, 4, 9), 3) == (
        date(2026, 4, 10),
        date(2026, 4, 16),
        date(2026, 4, 17),
    )
    assert th.next_working_days(date(2026, 4, 9), 0) == ()


def test_a_region_weekend_is_respected() -> None:
    # a host market with a Friday-Saturday weekend
    cal = WorkingCalendar("Asia/Riyadh", weekend=[5, 6])
    thursday = datetime(2026, 4, 9, 9, tzinfo=UTC)
    assert cal.add_working_days(thursday, 1) == datetime(2026, 4, 12, 9, tzinfo=UTC)


def test_zero_working_days_is_the_start_instant() -> None:
    cal = WorkingCalendar("Asia/Bangkok")
    start = datetime(2026, 4, 11, 8, tzinfo=UTC)
    assert cal.add_working_days(start, 0) == start


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weekend": [1, 2, 3, 4, 5, 6, 7]}, "weekend"),
        ({"weekend": [0]}, "weekend"),
        ({"holidays": ["2026-02-30"]}, "holidays"),
        ({"holidays": [datetime(2026, 1, 1, tzinfo=UTC)]}, "holidays"),
        ({"holidays": "2026-01-01"}, "holidays"),
    ],
)
def test_malformed_calendars_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as err:
        WorkingCalendar("Asia/Bangkok", **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


_INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
_ZONES = st.sampled_from([LA, "Europe/London", "Asia/Jakarta", "Asia/Bangkok", "Europe/Berlin"])


@settings(max_examples=300, deadline=None)
@given(start=_INSTANTS, days=st.integers(0, 40), where=_ZONES)
def test_calendar_days_land_on_the_same_local_wall_time(
    start: datetime, days: int, where: str
) -> None:
    due = add_calendar_days(start, days, where)
    local_start = start.astimezone(zone(where))
    local_due = due.astimezone(zone(where))
    assert local_due.date() == local_start.date() + timedelta(days=days)
    # equal wall time, unless the start's wall time does not exist on the due date (DST gap)
    gap = abs(
        local_due.replace(tzinfo=None) - datetime.combine(local_due.date(), local_start.time())
    )
    assert gap <= timedelta(hours=1)
    assert due.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(
    start=_INSTANTS,
    days=st.integers(1, 15),
    holidays=st.sets(st.dates(date(2025, 1, 1), date(2029, 3, 1)), max_size=30),
)
def test_working_day_deadlines_fall_on_working_days_after_the_start(
    start: datetime, days: int, holidays: set[date]
) -> None:
    cal = WorkingCalendar("Asia/Bangkok", holidays=holidays)
    due = cal.add_working_days(start, days)
    local_start = start.astimezone(BANGKOK)
    local_due = due.astimezone(BANGKOK)
    assert due > start
    counted = [
        local_start.date() + timedelta(days=i)
        for i in range(1, (local_due.date() - local_start.date()).days + 1)
    ]
    working = [d for d in counted if cal.is_working_day(d)]
    if cal.is_working_day(local_start.date()):
        assert len(working) == days
        assert cal.is_working_day(local_due.date())
        assert local_due.time() == local_start.time()
    else:
        # the deadline is the midnight that ends the last working day
        assert local_due.time() == datetime.min.time()
        assert len([d for d in working if d < local_due.date()]) == days
