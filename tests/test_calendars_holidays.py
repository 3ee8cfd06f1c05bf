"""Working calendars with public holidays from the ``holidays`` package (the [holidays] extra)."""

from __future__ import annotations

import builtins
import sys
from datetime import date

import pytest

from tiktok_aftersales.domain.calendars import WorkingCalendar, public_holidays
from tiktok_aftersales.domain.vocabulary import Region, region
from tiktok_aftersales.errors import InvalidValue, MissingExtra

KNOWN = ("US", "GB", "ID", "MY", "PH", "SG", "TH", "VN", "MX")


@pytest.fixture
def holidays_package():
    return pytest.importorskip("holidays", reason="needs the [holidays] extra (holidays)")


@pytest.mark.parametrize("code", KNOWN)
def test_every_known_region_gets_its_public_holidays_and_they_are_not_working_days(
    code, holidays_package
):
    where = region(code)
    listed = public_holidays(where, [2026])
    assert listed and all(d.year == 2026 for d in listed)
    assert list(listed) == sorted(listed)
    calendar = WorkingCalendar.with_public_holidays(where, [2026])
    assert calendar.timezone == where.timezone
    assert calendar.weekend == frozenset(where.weekend)
    assert not any(calendar.is_working_day(d) for d in listed)


def test_the_calendar_is_the_package_dates_for_the_years_asked(holidays_package):
    expected = {
        d for d in holidays_package.country_holidays("US", years=[2026, 2027]) if d.year >= 2026
    }
    calendar = WorkingCalendar.with_public_holidays(region("US"), range(2026, 2028))
    assert calendar.holidays == frozenset(expected)
    assert date(2026, 7, 4) in calendar.holidays


def test_christmas_and_boxing_day_push_a_one_day_window_past_them_in_gb(holidays_package):
    gb = WorkingCalendar.with_public_holidays(region("GB"), [2026])
    assert gb.next_working_days(date(2026, 12, 24), 1) == (date(2026, 12, 29),)


def test_the_host_dates_take_precedence_over_the_package(holidays_package):
    us = region("US")
    independence = date(2026, 7, 4)  # a Saturday; observed Friday 3 July
    observed = date(2026, 7, 3)
    shop_closed = date(2026, 7, 6)
    calendar = WorkingCalendar.with_public_holidays(
        us, [2026], holidays=[shop_closed], working_days=[observed.isoformat()]
    )
    assert calendar.is_working_day(observed)
    assert not calendar.is_working_day(shop_closed)
    assert independence in calendar.holidays
    assert calendar.next_working_days(date(2026, 7, 2), 2) == (observed, date(2026, 7, 7))


def test_a_date_both_holiday_and_working_day_is_refused(holidays_package):
    with pytest.raises(InvalidValue) as info:
        WorkingCalendar.with_public_holidays(
            region("US"), [2026], holidays=["2026-07-03"], working_days=[date(2026, 7, 3)]
        )
    assert info.value.field == "working_days"


def test_a_region_or_subdivision_the_package_does_not_know_names_the_field(holidays_package):
    with pytest.raises(InvalidValue) as info:
        public_holidays(Region("ZZ", "Nowhere", "UTC", "USD"), [2026])
    assert (info.value.field, info.value.value) == ("region", "ZZ")
    with pytest.raises(InvalidValue) as info:
        public_holidays(region("US"), [2026], subdivision="XX")
    assert (info.value.field, info.value.value) == ("subdivision", "XX")


def test_a_state_adds_its_own_holidays(holidays_package):
    nationwide = set(public_holidays(region("US"), [2026]))
    texas = set(public_holidays(region("US"), [2026], subdivision="TX"))
    assert date(2026, 3, 2) in texas - nationwide  # Texas Independence Day


def test_without_the_package_the_error_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_holidays(name, *args, **kwargs):
        if name == "holidays" or name.startswith("holidays."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_holidays)
    monkeypatch.delitem(sys.modules, "holidays", raising=False)
    with pytest.raises(MissingExtra) as info:
        WorkingCalendar.with_public_holidays(region("GB"), [2026])
    assert info.value.extra == "holidays"
    assert "tiktok-aftersales[holidays]" in str(info.value)
