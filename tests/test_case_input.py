"""Opening a case: every malformed argument is a typed error naming its field and value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import T0, usd_lines
from tiktok_aftersales import InvalidValue, OrderStage, RequestType, State, open_case
from tiktok_aftersales.domain import new_case
from tiktok_aftersales.errors import NaiveDatetime, UnknownEvent


class _NoOffset(tzinfo):
    """A time zone that does not know its offset (a naive time in disguise)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def _good() -> dict[str, Any]:
    return {"case_id": "c-1", "order_id": "o-1", "region": "US", "lines": usd_lines(), "at": T0}


_NOT_A_COLLECTION = [None, 0, 7, 1.5, True, False, "L1", b"L1", object()]


@pytest.mark.parametrize("lines", _NOT_A_COLLECTION, ids=repr)
def test_new_case_refuses_lines_that_are_not_a_collection_naming_the_value(lines):
    with pytest.raises(InvalidValue) as err:
        new_case("refund_only", case_id="c-1", order_id="o-1", region="US", lines=lines)
    assert type(err.value) is InvalidValue
    assert (err.value.field, err.value.value) == ("lines", lines)
    assert err.value.reason == "a collection of OrderLine values"
    assert str(err.value) == f"lines={lines!r}: a collection of OrderLine values"


def test_lines_may_be_any_collection_of_order_lines():
    lines = usd_lines()
    for given_lines in (lines, tuple(lines), iter(lines), (x for x in lines)):
        case = new_case("refund_only", case_id="c", order_id="o", region="US", lines=given_lines)
        assert case.lines == tuple(lines)
        assert case.state is State.NEW and case.version == 0


@pytest.mark.parametrize(
    ("lines", "value", "reason"),
    [
        ([], (), "a case needs at least one order line"),
        ([None], None, "an OrderLine"),
        (["L1"], "L1", "an OrderLine"),
    ],
)
def test_new_case_refuses_an_empty_collection_or_items_that_are_not_order_lines(
    lines, value, reason
):
    with pytest.raises(InvalidValue) as err:
        new_case("refund_only", case_id="c", order_id="o", region="US", lines=lines)
    assert (err.value.field, err.value.value, err.value.reason) == ("lines", value, reason)


_WRONG = [None, 7, 1.5, [], {}, ["US"], object()]


@pytest.mark.parametrize("field", ["case_id", "order_id", "region", "order_stage", "platform_id"])
@pytest.mark.parametrize("value", _WRONG, ids=repr)
def test_open_case_refuses_a_wrong_type_for_each_argument_naming_it(field, value):
    if field == "platform_id" and value is None:
        return  # no platform id is the default
    kwargs = {**_good(), field: value}
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", **kwargs)
    assert err.value.field == field
    assert err.value.value is value


@pytest.mark.parametrize("value", _WRONG, ids=repr)
def test_open_case_refuses_a_request_type_that_is_no_type(value):
    with pytest.raises(InvalidValue) as err:
        open_case(value, **_good())
    assert err.value.field == "request_type"
    assert err.value.value is value
    assert err.value.reason == "one of " + ", ".join(t.value for t in RequestType)


@pytest.mark.parametrize(
    "at",
    [None, "2026-03-02T09:00:00Z", 1_772_442_000, 1.5, date(2026, 3, 2), [], object()],
    ids=repr,
)
def test_open_case_refuses_a_time_that_is_not_a_datetime(at):
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", **{**_good(), "at": at})
    assert type(err.value) is InvalidValue
    assert (err.value.field, err.value.value) == ("at", at)
    assert err.value.reason == "a timezone-aware datetime"


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, tzinfo=_NoOffset())],
    ids=["naive", "zone-without-offset"],
)
def test_open_case_refuses_a_time_without_a_known_offset(at):
    with pytest.raises(NaiveDatetime) as err:
        open_case("refund_only", **{**_good(), "at": at})
    assert (err.value.field, err.value.value) == ("at", at)


@pytest.mark.parametrize("actor", [7, [], {}, "merchant", None.__class__], ids=repr)
def test_open_case_refuses_an_actor_that_is_no_actor(actor):
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", **{**_good(), "actor": actor})
    assert (err.value.field, err.value.value) == ("actor", actor)


@pytest.mark.parametrize("event", [7, [], {}, "open"], ids=repr)
def test_open_case_refuses_an_event_that_is_no_event(event):
    with pytest.raises(UnknownEvent) as err:
        open_case("refund_only", **{**_good(), "event": event})
    assert (err.value.field, err.value.value) == ("event", event)


@pytest.mark.parametrize("payload", [7, [], "refund", [("refund", None)]], ids=repr)
def test_open_case_refuses_a_payload_that_is_no_mapping(payload):
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", **{**_good(), "payload": payload})
    assert (err.value.field, err.value.value) == ("payload", payload)


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.binary(max_size=5),
    )
)
def test_a_scalar_as_lines_is_always_refused_naming_lines(value):
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", **{**_good(), "lines": value})
    assert err.value.field == "lines"


def test_an_opened_case_keeps_every_argument_it_was_given():
    when = datetime(2026, 3, 2, 17, tzinfo=timezone(timedelta(hours=8)))
    case = open_case(
        RequestType.REFUND_ONLY,
        case_id="c-9",
        order_id="o-9",
        region="sg",
        lines=tuple(usd_lines()),
        at=when,
        order_stage="not_shipped",
        platform_id="p-9",
    )
    assert (case.case_id, case.order_id, case.platform_id) == ("c-9", "o-9", "p-9")
    assert case.region.code == "SG" and case.order_stage is OrderStage.NOT_SHIPPED
    assert case.opened_at == when and case.opened_at.utcoffset() == timedelta(hours=8)
