"""Helpers shared by the engine's edge tests: the checked path's way in, short names, cases.

`apply` decides an event on the compiled table, or on the checked path when the
table cannot (``lifecycle/compiled.py``): a time whose class is a subclass of
``datetime`` (a host's own type, a pandas ``Timestamp``) always takes the checked
path, so `stamp` lets a test run the same event through both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from builders import T0, fresh, run
from tiktok_aftersales import Actor, AfterSalesCase, OrderStage, RequestType

B, S, OP, SYS, LOG = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM, Actor.LOGISTICS
RO, RR, EX = RequestType.REFUND_ONLY, RequestType.RETURN_AND_REFUND, RequestType.EXCHANGE
H1 = T0 + timedelta(hours=1)
ORDER = "577000000000000001"


class Stamp(datetime):
    """A host's own datetime type: `apply` decides it on the checked path."""


def stamp(at: datetime) -> Stamp:
    """The same instant, as a `Stamp`."""
    return Stamp(
        at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond, at.tzinfo
    )


class NoOffset(tzinfo):
    """A time zone that does not know its offset (a naive time in disguise)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def requested(kind: RequestType = RO, stage: OrderStage = OrderStage.DELIVERED) -> AfterSalesCase:
    """A case of ``kind`` just requested by the buyer."""
    return run(fresh(kind, stage), ("request", B))
