"""Durations, working-day calendars and day counting in a region's local time.

Deadlines are measured in one of three units
([`DurationUnit`][tiktok_aftersales.domain.calendars.DurationUnit]):

- **hours** are elapsed time: 48 hours after an instant is that instant plus
  48 × 3600 seconds, whatever the local clocks do;
- **calendar days** are counted on the region's local calendar: 5 days after
  10:00 local time is 10:00 local time five dates later, so a daylight-saving
  change in between does not move the deadline by an hour;
- **working days** skip the region's weekend and the host's holidays
  ([`WorkingCalendar`][tiktok_aftersales.domain.calendars.WorkingCalendar], computed with
  `dateutil.rrule`); with the ``[holidays]`` extra,
  [`WorkingCalendar.with_public_holidays`][tiktok_aftersales.domain.calendars.WorkingCalendar.with_public_holidays]
  adds the region's public holidays from the ``holidays`` package, the host's own dates taking
  precedence.

Every function takes timezone-aware datetimes and returns timezone-aware UTC
instants. Nothing here reads the clock.
"""

from __future__ import annotations

import enum
import importlib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from typing import Any

import attrs

from ..errors import InvalidValue, MissingExtra, NaiveDatetime
from .vocabulary import Region

__all__ = [
    "Duration",
    "DurationUnit",
    "WorkingCalendar",
    "add_calendar_days",
    "add_duration",
    "add_hours",
    "public_holidays",
    "require_aware",
    "zone",
]


def require_aware(value: Any, field: str = "at") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime.

    Raises:
        NaiveDatetime: ``value`` is a datetime without a time zone.
        InvalidValue: ``value`` is not a datetime at all.

    """
    if not isinstance(value, datetime):
        raise InvalidValue(field, value, "a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetime(field, value)
    return value


def zone(name: str) -> tzinfo:
    """Return the IANA time zone called ``name`` (via `dateutil.tz.gettz`).

    Raises:
        InvalidValue: ``name`` is not a known time zone.

    """
    from dateutil import tz  # imported on first use: a fast start for the command line

    found = tz.gettz(name) if isinstance(name, str) and name.strip() else None
    if found is None:
        raise InvalidValue("timezone", name, "an IANA time zone name such as 'Asia/Jakarta'")
    return found


def _local_to_utc(day: date, wall: time, where: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    A wall time that does not exist (skipped by a spring-forward change) is
    moved forward by the gap; an ambiguous one (repeated in the autumn) is
    read as its first occurrence.
    """
    from dateutil import tz  # imported on first use: a fast start for the command line

    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=where)
    if not tz.datetime_exists(local):
        local = tz.resolve_imaginary(local)
    return local.astimezone(UTC)


class DurationUnit(enum.StrEnum):
    """How a window's length is counted."""

    HOURS = "hours"
    """Elapsed hours (time-zone independent)."""
    CALENDAR_DAYS = "calendar_days"
    """Dates on the region's local calendar, same local wall time."""
    WORKING_DAYS = "working_days"
    """Local dates that are neither weekend nor holiday, same local wall time."""


_SHORT = {
    DurationUnit.HOURS: "h",
    DurationUnit.CALENDAR_DAYS: "d",
    DurationUnit.WORKING_DAYS: "wd",
}
_PARSE = re.compile(r"^\s*(\d+)\s*(h|d|wd)\s*$")


@attrs.frozen(order=True)
class Duration:
    """A window's length: an amount of hours, calendar days or working days.

    >>> Duration.parse("48h"), Duration.days(5), str(Duration.working_days(1))
    (Duration(amount=48, unit=<DurationUnit.HOURS: 'hours'>), Duration(amount=5, \
unit=<DurationUnit.CALENDAR_DAYS: 'calendar_days'>), '1 working day')

    Attributes:
        amount: How many units (zero or more).
        unit: The unit.

    """

    amount: int = attrs.field()
    unit: DurationUnit = attrs.field(converter=DurationUnit)

    @amount.validator
    def _check_amount(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidValue("duration.amount", value, "a whole number, zero or more")

    @classmethod
    def hours(cls, amount: int) -> Duration:
        """A duration of ``amount`` elapsed hours."""
        return cls(amount, DurationUnit.HOURS)

    @classmethod
    def days(cls, amount: int) -> Duration:
        """A duration of ``amount`` local calendar days."""
        return cls(amount, DurationUnit.CALENDAR_DAYS)

    @classmethod
    def working_days(cls, amount: int) -> Duration:
        """A duration of ``amount`` working days of the region's calendar."""
        return cls(amount, DurationUnit.WORKING_DAYS)

    @classmethod
    def parse(cls, text: str | Duration) -> Duration:
        """Read ``"48h"``, ``"5d"`` (calendar days) or ``"1wd"`` (working days).

        A [`Duration`][tiktok_aftersales.domain.calendars.Duration] is returned as it is.

        Raises:
            InvalidValue: The text is not in one of these forms.

        """
        if isinstance(text, Duration):
            return text
        found = _PARSE.match(text) if isinstance(text, str) else None
        if found is None:
            raise InvalidValue("duration", text, "like '48h', '5d' or '1wd'")
        unit = next(u for u, short in _SHORT.items() if short == found.group(2))
        return cls(int(found.group(1)), unit)

    @property
    def short(self) -> str:
        """The compact form that `parse` reads (``"48h"``)."""
        return f"{self.amount}{_SHORT[self.unit]}"

    def __str__(self) -> str:
        if self.unit is DurationUnit.HOURS:
            return f"{self.amount} h"
        noun = "calendar day" if self.unit is DurationUnit.CALENDAR_DAYS else "working day"
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"


def add_hours(start: datetime, hours: int) -> datetime:
    """The UTC instant ``hours`` elapsed hours after ``start``.

    Raises:
        NaiveDatetime: ``start`` has no time zone.

    """
    return require_aware(start, "start").astimezone(UTC) + timedelta(hours=hours)


def add_calendar_days(start: datetime, days: int, timezone: str | tzinfo) -> datetime:
    """The UTC instant ``days`` local dates after ``start``, at the same local wall time.

    >>> from datetime import datetime, UTC
    >>> spring = datetime(2026, 3, 7, 18, tzinfo=UTC)      # 10:00 PST, Saturday
    >>> add_calendar_days(spring, 2, "America/Los_Angeles")  # 10:00 PDT, Monday
    datetime.datetime(2026, 3, 9, 17, 0, tzinfo=datetime.timezone.utc)

    Raises:
        NaiveDatetime: ``start`` has no time zone.
        InvalidValue: The time zone is unknown.

    """
    where = zone(timezone) if isinstance(timezone, str) else timezone
    local = require_aware(start, "start").astimezone(where)
    return _local_to_utc(local.date() + timedelta(days=days), local.time(), where)


def as_date(value: Any) -> date:
    """Read a holiday: a ``date`` or an ISO date string (a datetime is refused)."""
    if isinstance(value, datetime):
        raise InvalidValue("holidays", value, "a date (not a datetime)")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValue("holidays", value, "a date or an ISO date string (YYYY-MM-DD)")


def _weekend(value: Iterable[int]) -> frozenset[int]:
    days = frozenset(value)
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
            raise InvalidValue("weekend", day, "ISO weekday numbers 1 (Monday) to 7 (Sunday)")
    if len(days) == 7:
        raise InvalidValue("weekend", sorted(days), "at least one day must be a working day")
    return days


def _holidays(value: Iterable[Any]) -> frozenset[date]:
    if isinstance(value, str | date):
        raise InvalidValue("holidays", value, "a collection of dates")
    return frozenset(as_date(v) for v in value)


@attrs.frozen
class WorkingCalendar:
    """A region's working days: its weekend, its holidays, its time zone.

    >>> from datetime import date
    >>> th = WorkingCalendar("Asia/Bangkok", holidays=[date(2026, 4, 13)])
    >>> th.next_working_days(date(2026, 4, 10), 1)   # Friday -> (weekend, holiday) -> Tuesday
    (datetime.date(2026, 4, 14),)

    Attributes:
        timezone: The IANA time zone the days are counted in.
        weekend: ISO weekday numbers that are not working days.
        holidays: Dates that are not working days.

    """

    timezone: str = attrs.field()
    weekend: frozenset[int] = attrs.field(default=frozenset({6, 7}), converter=_weekend)
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_holidays)

    @timezone.validator
    def _check_timezone(self, _attribute: attrs.Attribute[str], value: str) -> None:
        zone(value)

    @classmethod
    def for_region(cls, region: Region, holidays: Iterable[date | str] = ()) -> WorkingCalendar:
        """The calendar of a region: its time zone and weekend, plus ``holidays``."""
        return cls(region.timezone, frozenset(region.weekend), frozenset(map(as_date, holidays)))

    @classmethod
    def with_public_holidays(
        cls,
        region: Region,
        years: Iterable[int],
        *,
        holidays: Iterable[date | str] = (),
        working_days: Iterable[date | str] = (),
        subdivision: str | None = None,
    ) -> WorkingCalendar:
        """The calendar of a region with its public holidays (the ``[holidays]`` extra).

        The public holidays of ``years`` come from the ``holidays`` package
        ([`public_holidays`][tiktok_aftersales.domain.calendars.public_holidays]);
        the host's own dates take precedence over them: ``holidays`` are added,
        and ``working_days`` (say, a public holiday the shop works) are removed.

        >>> from tiktok_aftersales.domain.vocabulary import region
        >>> gb = WorkingCalendar.with_public_holidays(region("GB"), [2026])
        >>> gb.next_working_days(date(2026, 12, 24), 1)  # Christmas, Boxing Day (substitute)
        (datetime.date(2026, 12, 29),)

        Args:
            region: The region; its code names the country in the ``holidays`` package.
            years: The years whose public holidays to include.
            holidays: The host's extra non-working dates.
            working_days: The host's working dates, even if a public holiday.
            subdivision: A state or province code, for the regional holidays too.

        Returns:
            The calendar, in the region's time zone and with its weekend.

        Raises:
            MissingExtra: The ``holidays`` package is not installed.
            InvalidValue: The package does not know the region or subdivision, or a date
                is both one of the host's holidays and one of its working days.

        """
        own = frozenset(map(as_date, holidays))
        working = frozenset(as_date(d) for d in working_days)
        both = own & working
        if both:
            raise InvalidValue("working_days", sorted(both), "dates not also given as holidays")
        public = frozenset(public_holidays(region, years, subdivision=subdivision))
        return cls(region.timezone, frozenset(region.weekend), (public - working) | own)

    @property
    def tz(self) -> tzinfo:
        """The time zone as a ``tzinfo``."""
        return zone(self.timezone)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day."""
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def next_working_days(self, after: date, count: int) -> tuple[date, ...]:
        """The first ``count`` working days strictly after the local date ``after``.

        Computed with a `dateutil.rrule.rruleset`: a daily rule on the
        working weekdays, with the holidays as exception dates.
        """
        if count <= 0:
            return ()
        from dateutil import rrule  # imported on first use: a fast start for the command line

        weekdays = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
        rules = rrule.rruleset()
        working = [weekdays[i - 1] for i in range(1, 8) if i not in self.weekend]
        start = datetime.combine(after + timedelta(days=1), time())
        rules.rrule(rrule.rrule(rrule.DAILY, dtstart=start, byweekday=working))
        for holiday in self.holidays:
            if holiday > after:
                rules.exdate(datetime.combine(holiday, time()))
        return tuple(d.date() for d in islice(rules, count))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The UTC instant ``days`` working days after ``start``.

        From a working day, the deadline is the same local wall time on the
        ``days``-th working day after it (Friday 10:00 plus one working day
        is Monday 10:00). From a weekend day or a holiday the clock waits for
        the next working day, so the deadline is the end (midnight) of the
        ``days``-th working day.

        Raises:
            NaiveDatetime: ``start`` has no time zone.

        """
        where = self.tz
        local = require_aware(start, "start").astimezone(where)
        if days <= 0:
            return local.astimezone(UTC)
        last = self.next_working_days(local.date(), days)[-1]
        if self.is_working_day(local.date()):
            return _local_to_utc(last, local.time(), where)
        return _local_to_utc(last + timedelta(days=1), time(), where)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The UTC instant ``duration`` after ``start`` on this calendar."""
        return add_duration(start, duration, self)


def public_holidays(
    region: Region, years: Iterable[int], *, subdivision: str | None = None
) -> dict[date, str]:
    """The public holidays of a region in ``years``, from the ``holidays`` package.

    Args:
        region: The region; its ISO 3166-1 code names the country.
        years: The years to list.
        subdivision: A state or province code, for its regional holidays too.

    Returns:
        Each holiday's date and name, in date order.

    Raises:
        MissingExtra: The ``holidays`` package is not installed (the ``[holidays]`` extra).
        InvalidValue: The package does not know the region or the subdivision.

    """
    try:
        package: Any = importlib.import_module("holidays")
    except ImportError:
        raise MissingExtra("holidays", "holidays") from None
    wanted = sorted({int(y) for y in years})
    try:
        found = package.country_holidays(region.code, subdiv=subdivision, years=wanted)
    except NotImplementedError:
        if subdivision is not None and region.code in package.list_supported_countries():
            raise InvalidValue(
                "subdivision",
                subdivision,
                f"a subdivision of {region.code} the holidays package knows",
            ) from None
        raise InvalidValue("region", region.code, "a country the holidays package covers") from None
    return {day: str(name) for day, name in sorted(found.items()) if day.year in wanted}


def add_duration(start: datetime, duration: Duration, calendar: WorkingCalendar) -> datetime:
    """The UTC instant ``duration`` after ``start``, counting days on ``calendar``.

    Raises:
        NaiveDatetime: ``start`` has no time zone.

    """
    if duration.unit is DurationUnit.HOURS:
        return add_hours(start, duration.amount)
    if duration.unit is DurationUnit.CALENDAR_DAYS:
        return add_calendar_days(start, duration.amount, calendar.tz)
    return calendar.add_working_days(start, duration.amount)
