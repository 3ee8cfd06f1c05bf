"""Lossless case <-> JSON: round trips, the written format, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    AppliedEvent,
    Breakdown,
    InvalidTransition,
    InvalidValue,
    Money,
    OrderLine,
    Refund,
    Region,
    RequestType,
    State,
    allowed_events,
    apply,
    open_case,
)
from tiktok_aftersales.domain import AbnormalReason, Disposition, PlatformDeadline
from tiktok_aftersales.domain.serialize import (
    DecodeError,
    EncodeError,
    case_from_dict,
    case_from_json,
    case_to_dict,
    case_to_json,
    effect_from_dict,
    effect_to_dict,
    event_from_dict,
    event_to_dict,
)

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
LINES = (
    OrderLine("L1", "SKU-RED", Breakdown.of("19.99", "USD", tax="1.61")),
    OrderLine("L2", "SKU-BLUE", Breakdown.of("5.00", "USD", shipping="1.00")),
)


def _payload_for(case: AfterSalesCase, event: str, choice: int) -> dict[str, Any] | None:
    if event == "offer_partial_refund":
        return {"amount": Money(Decimal("2.50"), "USD"), "comment": "half"}
    if event == "propose_alternative":
        return {"solution": ("reshipment", "replacement")[choice % 2]}
    if event == "parcel_delivered":
        return {"disposition": list(Disposition)[choice % 3]}
    if event == "ship_back":
        return {"tracking": f"TRK{choice}", "carrier": "UPS"}
    if event == "approve" and choice % 3 == 0:
        return {"buyer_keep_item": True}
    if event == "reship":
        return {"mode": "missing_items", "line_ids": ["L1"]}
    if event == "reject":
        return {"reason": "seller_reject_reason_1", "note": "used"}
    return None


@st.composite
def cases(draw: st.DrawFn) -> AfterSalesCase:
    """Random legal walks through every request type, with payloads and effects."""
    kind = draw(st.sampled_from(list(RequestType)))
    stage = draw(st.sampled_from(["not_shipped", "shipped_not_picked_up", "delivered"]))
    payload: dict[str, Any] | None = None
    if kind is RequestType.SELLER_REFUND:
        payload = {"refund": Refund.partial("L1", Money("3.00", "USD"))}
    elif kind is RequestType.ABNORMAL_RETURN:
        payload = {"reason": draw(st.sampled_from(list(AbnormalReason)))}
    region: Region | str = draw(
        st.sampled_from(["US", Region("ZZ", "Nowhere", "Etc/UTC", "USD", (5, 6))])
    )
    case = open_case(
        kind,
        case_id="c-1",
        order_id="o-1",
        region=region,
        lines=LINES,
        at=T0,
        order_stage=stage,
        platform_id="4035000000000000001",
        payload=payload,
    )
    at = T0
    for _ in range(draw(st.integers(0, 8))):
        options = allowed_events(case)
        if not options:
            break
        option = draw(st.sampled_from(options))
        actor = draw(st.sampled_from(option.actors))
        at = at + timedelta(minutes=draw(st.integers(0, 3000)))
        try:
            case = apply(
                case,
                option.event,
                actor,
                at,
                _payload_for(case, option.event, draw(st.integers(0, 5))),
            )
        except (InvalidTransition, InvalidValue):
            continue
    if case.effects and draw(st.booleans()):
        case = case.mark_effects_done(
            [e.key for e in case.effects[: draw(st.integers(1, len(case.effects)))]]
        )
    if draw(st.booleans()):
        case = attrs.evolve(
            case,
            platform_deadline=PlatformDeadline(
                case.state, "SELLER_RESPOND_REFUND", at + timedelta(days=1)
            ),
            review=draw(st.sampled_from([None, "platform sent unmapped value"])),
        )
    return case


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_case_survives_a_round_trip_through_json(case: AfterSalesCase) -> None:
    assert case_from_json(case_to_json(case)) == case
    assert case_from_dict(case_to_dict(case)) == case


@settings(max_examples=60, deadline=None)
@given(cases())
def test_the_dict_form_is_plain_json(case: AfterSalesCase) -> None:
    data = case_to_dict(case)
    assert json.loads(json.dumps(data)) == data


@settings(max_examples=60, deadline=None)
@given(cases())
def test_events_round_trip_one_by_one_as_json_lines(case: AfterSalesCase) -> None:
    lines = [json.dumps(event_to_dict(e)) for e in case.history]
    assert tuple(event_from_dict(json.loads(x)) for x in lines) == case.history
    assert tuple(effect_from_dict(effect_to_dict(e)) for e in case.effects) == case.effects


def _simple() -> AfterSalesCase:
    return open_case(
        RequestType.REFUND_ONLY, case_id="c-1", order_id="o-1", region="US", lines=LINES, at=T0
    )


def test_money_is_written_as_decimal_strings_and_keeps_its_exponent() -> None:
    case = open_case(
        RequestType.REFUND_ONLY,
        case_id="c-1",
        order_id="o-1",
        region="US",
        lines=[OrderLine("L1", "S", Breakdown.of("1.50", "USD", tax="0.10"))],
        at=T0,
    )
    data = case_to_dict(case)
    assert data["lines"][0]["paid"] == {
        "currency": "USD",
        "subtotal": "1.50",
        "shipping": "0",
        "tax": "0.10",
    }
    back = case_from_dict(data)
    assert str(back.lines[0].paid.subtotal.amount) == "1.50"


def test_datetimes_keep_their_offset_and_instant() -> None:
    jakarta = datetime(2026, 3, 1, 16, tzinfo=ZoneInfo("Asia/Jakarta"))
    case = open_case(
        RequestType.REFUND_ONLY,
        case_id="c-1",
        order_id="o-1",
        region="ID",
        lines=[OrderLine("L1", "S", Breakdown.of("15000", "IDR"))],
        at=jakarta,
    )
    data = case_to_dict(case)
    assert data["history"][0]["at"] == "2026-03-01T16:00:00+07:00"
    assert case_from_dict(data).history[0].at == jakarta


def test_a_known_region_is_written_as_its_code_and_another_as_its_fields() -> None:
    assert case_to_dict(_simple())["region"] == "US"
    custom = Region("ZZ", "Nowhere", "Etc/UTC", "USD", (5, 6))
    data = case_to_dict(attrs.evolve(_simple(), region=custom))
    assert data["region"] == {
        "code": "ZZ",
        "name": "Nowhere",
        "timezone": "Etc/UTC",
        "currency": "USD",
        "weekend": [5, 6],
    }
    assert case_from_dict(data).region == custom


def test_a_known_code_with_other_fields_is_written_in_full() -> None:
    odd = Region("US", "United States", "America/New_York", "USD")
    data = case_to_dict(attrs.evolve(_simple(), region=odd))
    assert isinstance(data["region"], dict)
    assert case_from_dict(data).region == odd


def test_enums_are_written_as_values() -> None:
    data = case_to_dict(_simple())
    assert data["request_type"] == "refund_only"
    assert data["state"] == "requested"
    assert data["history"][0]["actor"] == "buyer"


def test_payload_values_json_cannot_tell_apart_are_tagged() -> None:
    event = AppliedEvent(
        2,
        "reship",
        Actor.SELLER,
        T0,
        State.RESHIPPED,
        {
            "line_ids": ("L1",),
            "list": ["a", 1],
            "disposition": Disposition.DAMAGED,
            "refund": Refund.partial("L1", Money("1.00", "USD")),
            "money": Money("2.00", "USD"),
            "breakdown": Breakdown.of("1", "USD"),
            "exact": Decimal("0.10"),
            "when": T0,
            "host": {"$weird": 1, "plain": None},
            "flag": True,
            "ratio": 0.5,
        },
    )
    data = event_to_dict(event)
    assert data["payload"]["line_ids"] == {"$tuple": ["L1"]}
    assert data["payload"]["disposition"] == {"$enum": "Disposition", "value": "damaged"}
    assert data["payload"]["host"] == {"$dict": {"$weird": 1, "plain": None}}
    back = event_from_dict(json.loads(json.dumps(data)))
    assert back == event
    assert type(back.payload["line_ids"]) is tuple  # type: ignore[index]
    assert type(back.payload["disposition"]) is Disposition  # type: ignore[index]


def test_a_value_json_cannot_carry_is_refused_with_its_path() -> None:
    case = attrs.evolve(
        _simple(),
        history=(attrs.evolve(_simple().history[0], payload={"x": object()}),),
    )
    with pytest.raises(EncodeError) as err:
        case_to_dict(case)
    assert err.value.field == "history[0].payload.x"


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    with pytest.raises(EncodeError):
        event_to_dict(AppliedEvent(1, "request", Actor.BUYER, T0, State.REQUESTED, {"x": bad}))


def test_a_naive_datetime_in_a_payload_is_refused() -> None:
    with pytest.raises(EncodeError) as err:
        event_to_dict(
            AppliedEvent(
                1, "request", Actor.BUYER, T0, State.REQUESTED, {"x": datetime(2026, 1, 1)}
            )
        )
    assert err.value.field == "event.payload.x"


def _broken(path: list[Any], value: Any, *, delete: bool = False) -> dict[str, Any]:
    data = json.loads(case_to_json(_approved()))
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def _approved() -> AfterSalesCase:
    case = open_case(
        RequestType.RETURN_AND_REFUND,
        case_id="c-1",
        order_id="o-1",
        region="US",
        lines=LINES,
        at=T0,
    )
    case = apply(case, "approve", Actor.SELLER, T0 + timedelta(hours=1))
    case = apply(case, "ship_back", Actor.BUYER, T0 + timedelta(hours=2))
    case = apply(
        case,
        "parcel_delivered",
        Actor.LOGISTICS,
        T0 + timedelta(hours=3),
        {"disposition": "restock"},
    )
    return apply(case, "confirm_receipt", Actor.SELLER, T0 + timedelta(hours=4))


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["case_id"], "", "case_id"),
        (["request_type"], "refund_everything", "request_type"),
        (["region"], "XX", "region"),
        (
            ["region"],
            {"code": "zz", "name": "n", "timezone": "t", "currency": "USD", "weekend": []},
            "region.code",
        ),
        (["lines", 0, "paid", "currency"], "usd", "lines[0].paid.subtotal.currency"),
        (["lines", 0, "paid", "subtotal"], 19.99, "lines[0].paid.subtotal"),
        (["lines", 0, "paid", "subtotal"], "abc", "lines[0].paid.subtotal.amount"),
        (["lines", 0, "quantity"], "1", "lines[0].quantity"),
        (["lines"], [], "lines"),
        (["history", 1, "at"], "2026-03-01T10:00:00", "history[1].at"),
        (["history", 1, "at"], "yesterday", "history[1].at"),
        (["history", 1, "actor"], "robot", "history[1].actor"),
        (["history", 1, "seq"], 7, "history[1].seq"),
        (["history", 1, "payload"], {"x": {"$nope": 1}}, "history[1].payload.x"),
        (
            ["history", 1, "payload"],
            {"x": {"$enum": "Nope", "value": "a"}},
            "history[1].payload.x.$enum",
        ),
        (["effects", 0, "kind"], "teleport", "effects[0].kind"),
        (["effects", 0, "disposition"], "burnt", "effects[0].disposition"),
        (["effects_done"], ["no-such-key"], "effects_done[0]"),
        (["version"], -1, "version"),
        (["version"], True, "version"),
        (["state"], "limbo", "state"),
        (["refund", 0, "amount", "currency"], "EUR", "refund.currency"),
        (["schema"], 99, "schema"),
        (["review"], 5, "review"),
    ],
)
def test_bad_input_raises_a_decode_error_naming_the_field(
    path: list[Any], value: Any, field: str
) -> None:
    data = _broken(path, value)
    snapshot = json.dumps(data)
    with pytest.raises(DecodeError) as err:
        case_from_dict(data)
    assert err.value.field == field
    assert isinstance(err.value, InvalidValue)
    assert json.dumps(data) == snapshot  # input unchanged


@pytest.mark.parametrize("key", ["case_id", "history", "lines", "effects", "version", "state"])
def test_a_missing_key_is_named(key: str) -> None:
    with pytest.raises(DecodeError) as err:
        case_from_dict(_broken([key], None, delete=True))
    assert err.value.field == key
    assert err.value.reason == "missing"


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(DecodeError) as err:
        case_from_json("{not json")
    assert err.value.field == "json"


def test_a_non_object_is_refused() -> None:
    with pytest.raises(DecodeError) as err:
        case_from_dict([1, 2])
    assert err.value.field == "case"


def test_event_with_naive_time_string_is_refused() -> None:
    data = event_to_dict(AppliedEvent(1, "request", Actor.BUYER, T0, State.REQUESTED))
    data["at"] = "2026-03-01T09:00:00"
    with pytest.raises(DecodeError) as err:
        event_from_dict(data)
    assert err.value.field == "event.at"


def test_other_offsets_are_kept() -> None:
    at = datetime(2026, 3, 1, 9, tzinfo=timezone(timedelta(hours=-5)))
    data = event_to_dict(AppliedEvent(1, "request", Actor.BUYER, at, State.REQUESTED))
    assert data["at"].endswith("-05:00")
    assert event_from_dict(data).at.utcoffset() == timedelta(hours=-5)
