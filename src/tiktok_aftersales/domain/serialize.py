"""Cases to JSON-safe dicts and JSON text, and back, without losing anything.

Storage adapters, queues and JSON Lines replays need a case as plain data.
[`case_to_dict`][tiktok_aftersales.domain.serialize.case_to_dict] gives a dict of ``str``, ``int``,
``bool``, ``None``, lists and dicts only, and
[`case_from_dict`][tiktok_aftersales.domain.serialize.case_from_dict] rebuilds an equal
[`AfterSalesCase`][tiktok_aftersales.domain.case.AfterSalesCase] from it, history, effects and event
payloads included.

How values are written:

- money is ``{"amount": "19.99", "currency": "USD"}``: the amount is the
  ``Decimal``'s own string, so its exponent survives (``"1.50"`` stays
  ``"1.50"``); a breakdown is ``{"currency", "subtotal", "shipping", "tax"}``;
- datetimes are ISO 8601 with their UTC offset
  (``"2026-03-01T09:30:00+00:00"``); naive datetimes are refused. A
  ``zoneinfo`` time zone comes back as a fixed offset: the same instant, so
  the values compare equal;
- enums are their values; a region the library knows is its code
  (``"US"``), any other region is a dict of its fields;
- event payloads may hold anything the engine puts there (refunds, money,
  enums, tuples of line ids) and any JSON value a host adds. Values that JSON
  cannot tell apart are tagged: ``{"$tuple": [...]}``, ``{"$money": {...}}``,
  ``{"$enum": "Disposition", "value": "restock"}`` and so on.

Reading is strict: a missing key, a wrong type or a bad value raises
[`DecodeError`][tiktok_aftersales.domain.serialize.DecodeError], an
[`InvalidValue`][tiktok_aftersales.errors.InvalidValue] whose ``field`` is the path to the offending
value (``"history[2].at"``).

[`event_to_dict`][tiktok_aftersales.domain.serialize.event_to_dict] and
[`event_from_dict`][tiktok_aftersales.domain.serialize.event_from_dict] do the same for one
[`AppliedEvent`][tiktok_aftersales.domain.case.AppliedEvent], for event logs and JSON Lines.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from ..errors import DecodeError, EncodeError, InvalidValue
from .case import AfterSalesCase, AppliedEvent, Offer, PlatformDeadline
from .effects import Effect, EffectKind
from .money import Breakdown, Money, OrderLine, Refund, RefundLevel, RefundLine
from .vocabulary import (
    REGIONS,
    AbnormalReason,
    Actor,
    Arbitration,
    Disposition,
    Event,
    OrderStage,
    Region,
    RequestType,
    ReturnStatus,
    Solution,
    State,
    Window,
)

__all__ = [
    "SCHEMA_VERSION",
    "DecodeError",
    "EncodeError",
    "case_from_dict",
    "case_from_json",
    "case_to_dict",
    "case_to_json",
    "effect_from_dict",
    "effect_to_dict",
    "event_from_dict",
    "event_to_dict",
]

SCHEMA_VERSION = 1
"""The version written in every serialised case (key ``"schema"``)."""

JSON = Any
"""A JSON-safe value: ``None``, ``bool``, ``int``, ``float``, ``str``, lists and dicts."""

_E = TypeVar("_E", bound=enum.Enum)

_ENUMS: Mapping[str, type[enum.Enum]] = {
    kind.__name__: kind
    for kind in (
        AbnormalReason,
        Actor,
        Arbitration,
        Disposition,
        EffectKind,
        OrderStage,
        RefundLevel,
        RequestType,
        ReturnStatus,
        Solution,
        State,
        Window,
    )
}


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Re-raise value errors from constructors with ``path`` in front of their field."""
    try:
        yield
    except DecodeError:
        raise
    except InvalidValue as exc:
        field = exc.field
        last = path.rsplit(".", 1)[-1].split("[", 1)[0]
        if field.startswith(f"{last}."):
            field = field[len(last) + 1 :]
        raise DecodeError(f"{path}.{field}", exc.value, exc.reason) from None


# --- writing ------------------------------------------------------------------------------


def _dt_out(value: datetime, path: str) -> str:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise EncodeError(path, value, "a timezone-aware datetime")
    return value.isoformat()


def _money_out(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def _breakdown_out(value: Breakdown) -> dict[str, str]:
    return {
        "currency": value.currency,
        "subtotal": str(value.subtotal.amount),
        "shipping": str(value.shipping.amount),
        "tax": str(value.tax.amount),
    }


def _refund_out(value: Refund) -> list[dict[str, Any]]:
    return [{"line_id": x.line_id, "amount": _breakdown_out(x.amount)} for x in value.lines]


def region_out(value: Region) -> str | dict[str, Any]:
    """A region as stored: its code, or the whole region when it is not a known one."""
    if REGIONS.get(value.code) == value:
        return value.code
    return {
        "code": value.code,
        "name": value.name,
        "timezone": value.timezone,
        "currency": value.currency,
        "weekend": list(value.weekend),
    }


def line_out(value: OrderLine) -> dict[str, Any]:
    """An order line as JSON-ready data."""
    return {
        "line_id": value.line_id,
        "sku_id": value.sku_id,
        "paid": _breakdown_out(value.paid),
        "quantity": value.quantity,
        "refunded_before": None
        if value.refunded_before is None
        else _money_out(value.refunded_before),
    }


def _value_out(value: Any, path: str) -> JSON:
    """Write one payload value, tagging what JSON cannot tell apart."""
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EncodeError(path, value, "not a finite number")
        return value
    if isinstance(value, enum.Enum):
        name = type(value).__name__
        if _ENUMS.get(name) is not type(value):
            raise EncodeError(path, value, "an enum this library does not know")
        return {"$enum": name, "value": value.value}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": _dt_out(value, path)}
    if isinstance(value, Money):
        return {"$money": _money_out(value)}
    if isinstance(value, Breakdown):
        return {"$breakdown": _breakdown_out(value)}
    if isinstance(value, Refund):
        return {"$refund": _refund_out(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_value_out(x, f"{path}[{i}]") for i, x in enumerate(value)]}
    if isinstance(value, list):
        return [_value_out(x, f"{path}[{i}]") for i, x in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, JSON] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EncodeError(path, key, "mapping keys must be strings")
            out[key] = _value_out(item, f"{path}.{key}")
        if any(key.startswith("$") for key in out):
            return {"$dict": out}
        return out
    raise EncodeError(path, value, f"cannot write {type(value).__name__} as JSON")


def event_to_dict(event: AppliedEvent, *, path: str = "event") -> dict[str, JSON]:
    """Write one history entry as a JSON-safe dict.

    Raises:
        EncodeError: The payload holds a value JSON cannot carry.

    """
    return {
        "seq": event.seq,
        "event": event.event,
        "actor": event.actor.value,
        "at": _dt_out(event.at, f"{path}.at"),
        "state": event.state.value,
        "payload": None if event.payload is None else _value_out(event.payload, f"{path}.payload"),
    }


def effect_to_dict(effect: Effect) -> dict[str, JSON]:
    """Write one effect as a JSON-safe dict."""
    return {
        "kind": effect.kind.value,
        "key": effect.key,
        "case_id": effect.case_id,
        "order_id": effect.order_id,
        "line_ids": list(effect.line_ids),
        "amount": None if effect.amount is None else _money_out(effect.amount),
        "refund": None if effect.refund is None else _refund_out(effect.refund),
        "disposition": None if effect.disposition is None else effect.disposition.value,
        "call": effect.call,
    }


def case_to_dict(case: AfterSalesCase) -> dict[str, JSON]:
    """Write a case as a JSON-safe dict (see the module docs for the format).

    Raises:
        EncodeError: An event payload holds a value JSON cannot carry.

    """
    offer = case.offer
    deadline = case.platform_deadline
    return {
        "schema": SCHEMA_VERSION,
        "case_id": case.case_id,
        "request_type": case.request_type.value,
        "region": region_out(case.region),
        "order_id": case.order_id,
        "lines": [line_out(x) for x in case.lines],
        "order_stage": case.order_stage.value,
        "platform_id": case.platform_id,
        "state": case.state.value,
        "arbitration": case.arbitration.value,
        "history": [event_to_dict(e, path=f"history[{i}]") for i, e in enumerate(case.history)],
        "version": case.version,
        "requested": None if case.requested is None else _refund_out(case.requested),
        "refund": None if case.refund is None else _refund_out(case.refund),
        "offer": None
        if offer is None
        else {
            "solution": offer.solution.value,
            "refund": None if offer.refund is None else _refund_out(offer.refund),
        },
        "effects": [effect_to_dict(e) for e in case.effects],
        "effects_done": sorted(case.effects_done),
        "platform_deadline": None
        if deadline is None
        else {
            "state": deadline.state.value,
            "action": deadline.action,
            "deadline": _dt_out(deadline.deadline, "platform_deadline.deadline"),
        },
        "review": case.review,
        "platform_time": None
        if case.platform_time is None
        else _dt_out(case.platform_time, "platform_time"),
    }


def case_to_json(case: AfterSalesCase, *, indent: int | None = None) -> str:
    """Write a case as JSON text (keys in a stable order, UTF-8 kept as is)."""
    return json.dumps(case_to_dict(case), ensure_ascii=False, indent=indent, allow_nan=False)


# --- reading ------------------------------------------------------------------------------


def _obj(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise DecodeError(path, data, "an object")
    return data


def _get(data: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise DecodeError(f"{path}.{key}" if path else key, None, "missing")
    return data[key]


def _field(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _str(data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = data.get(key) if optional else _get(data, key, path)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise DecodeError(_field(path, key), value, "a non-empty string")
    return value


def _int(data: Mapping[str, Any], key: str, path: str) -> int:
    value = _get(data, key, path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DecodeError(_field(path, key), value, "a whole number")
    return value


def _enum(kind: type[_E], data: Mapping[str, Any], key: str, path: str) -> _E:
    value = _get(data, key, path)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise DecodeError(_field(path, key), value, f"one of {allowed}") from None


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise DecodeError(path, value, "a list")
    return value


def dt_in(value: Any, path: str) -> datetime:
    """Read an instant stored as ISO 8601 text at ``path`` (timezone-aware)."""
    if not isinstance(value, str):
        raise DecodeError(path, value, "an ISO 8601 datetime string with a UTC offset")
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise DecodeError(path, value, "an ISO 8601 datetime string with a UTC offset") from None
    if result.utcoffset() is None:
        raise DecodeError(path, value, "the datetime has no UTC offset")
    return result


def _money_in(value: Any, path: str) -> Money:
    data = _obj(value, path)
    with _at(path):
        return Money(_amount(data, "amount", path), _get(data, "currency", path))


def _amount(data: Mapping[str, Any], key: str, path: str) -> str:
    value = _get(data, key, path)
    if not isinstance(value, str):
        raise DecodeError(_field(path, key), value, "a decimal string")
    return value


def _breakdown_in(value: Any, path: str) -> Breakdown:
    data = _obj(value, path)
    currency = _get(data, "currency", path)
    parts = []
    for part in ("subtotal", "shipping", "tax"):
        amount = _amount(data, part, path)
        with _at(f"{path}.{part}"):
            parts.append(Money(amount, currency))
    with _at(path):
        return Breakdown(parts[0], parts[1], parts[2])


def _refund_in(value: Any, path: str) -> Refund:
    items = _list(value, path)
    lines = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        data = _obj(item, where)
        lines.append(
            RefundLine(
                _str(data, "line_id", where),
                _breakdown_in(_get(data, "amount", where), f"{where}.amount"),
            )
        )
    with _at(path):
        return Refund(tuple(lines))


def _opt(value: Any, read: Callable[[Any, str], Any], path: str) -> Any:
    return None if value is None else read(value, path)


def region_in(value: Any, path: str) -> Region:
    """Read a region stored by [`region_out`][tiktok_aftersales.domain.serialize.region_out]."""
    if isinstance(value, str):
        found = REGIONS.get(value)
        if found is None:
            raise DecodeError(
                path, value, f"a known region code ({', '.join(REGIONS)}) or an object"
            )
        return found
    data = _obj(value, path)
    weekend = _list(_get(data, "weekend", path), f"{path}.weekend")
    for i, day in enumerate(weekend):
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
            raise DecodeError(f"{path}.weekend[{i}]", day, "an ISO weekday number, 1 to 7")
    with _at(path):
        return Region(
            _str(data, "code", path),
            _str(data, "name", path),
            _str(data, "timezone", path),
            _str(data, "currency", path),
            tuple(weekend),
        )


def line_in(value: Any, path: str) -> OrderLine:
    """Read an order line stored by [`line_out`][tiktok_aftersales.domain.serialize.line_out]."""
    data = _obj(value, path)
    with _at(path):
        return OrderLine(
            _str(data, "line_id", path),
            _str(data, "sku_id", path),
            _breakdown_in(_get(data, "paid", path), f"{path}.paid"),
            _int(data, "quantity", path),
            _opt(data.get("refunded_before"), _money_in, f"{path}.refunded_before"),
        )


_TAGS: Mapping[str, Callable[[Any, str], Any]] = {
    "$decimal": lambda v, p: _decimal_in(v, p),
    "$datetime": dt_in,
    "$money": _money_in,
    "$breakdown": _breakdown_in,
    "$refund": _refund_in,
    "$tuple": lambda v, p: tuple(value_in(x, f"{p}[{i}]") for i, x in enumerate(_list(v, p))),
    "$dict": lambda v, p: {k: value_in(x, f"{p}.{k}") for k, x in _obj(v, p).items()},
}


def _decimal_in(value: Any, path: str) -> Decimal:
    if not isinstance(value, str):
        raise DecodeError(path, value, "a decimal string")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise DecodeError(path, value, "a decimal string") from None


def value_in(value: Any, path: str) -> Any:
    """Read one payload value written by `_value_out`."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DecodeError(path, value, "not a finite number")
        return value
    if isinstance(value, list):
        return [value_in(x, f"{path}[{i}]") for i, x in enumerate(value)]
    if isinstance(value, Mapping):
        tags = [key for key in value if isinstance(key, str) and key.startswith("$")]
        if not tags:
            return {k: value_in(x, f"{path}.{k}") for k, x in value.items()}
        if tags == ["$enum"]:
            name = value["$enum"]
            kind = _ENUMS.get(name) if isinstance(name, str) else None
            if kind is None:
                raise DecodeError(f"{path}.$enum", name, f"one of {', '.join(_ENUMS)}")
            try:
                return kind(value.get("value"))
            except ValueError:
                allowed = ", ".join(str(m.value) for m in kind)
                raise DecodeError(
                    f"{path}.value", value.get("value"), f"one of {allowed}"
                ) from None
        if len(value) == 1 and tags[0] in _TAGS:
            return _TAGS[tags[0]](value[tags[0]], f"{path}.{tags[0]}")
        raise DecodeError(
            path, sorted(value), f"an unknown tag; known: {', '.join(['$enum', *_TAGS])}"
        )
    raise DecodeError(path, value, "not a JSON value")


def event_from_dict(data: Any, *, path: str = "event") -> AppliedEvent:
    """Read one history entry written by `event_to_dict`.

    Raises:
        DecodeError: A key is missing or a value is malformed; ``field``
            names it.

    """
    item = _obj(data, path)
    seq = _int(item, "seq", path)
    if seq < 1:
        raise DecodeError(f"{path}.seq", seq, "at least 1")
    payload = item.get("payload")
    if payload is not None:
        payload = value_in(_obj(payload, f"{path}.payload"), f"{path}.payload")
    return AppliedEvent(
        seq,
        _enum(Event, item, "event", path),
        _enum(Actor, item, "actor", path),
        dt_in(_get(item, "at", path), f"{path}.at"),
        _enum(State, item, "state", path),
        payload,
    )


def effect_from_dict(data: Any, *, path: str = "effect") -> Effect:
    """Read one effect written by `effect_to_dict`.

    Raises:
        DecodeError: A key is missing or a value is malformed.

    """
    item = _obj(data, path)
    line_ids = _list(_get(item, "line_ids", path), f"{path}.line_ids")
    for i, line_id in enumerate(line_ids):
        if not isinstance(line_id, str):
            raise DecodeError(f"{path}.line_ids[{i}]", line_id, "a string")
    disposition = item.get("disposition")
    return Effect(
        _enum(EffectKind, item, "kind", path),
        _str(item, "key", path),
        _str(item, "case_id", path),
        _str(item, "order_id", path),
        tuple(line_ids),
        _opt(item.get("amount"), _money_in, f"{path}.amount"),
        _opt(item.get("refund"), _refund_in, f"{path}.refund"),
        None if disposition is None else _enum(Disposition, item, "disposition", path),
        _str(item, "call", path, optional=True),
    )


def case_from_dict(data: Any) -> AfterSalesCase:
    """Read a case written by [`case_to_dict`][tiktok_aftersales.domain.serialize.case_to_dict].

    Raises:
        DecodeError: A key is missing, a value is malformed, or the parts do
            not fit together (history numbering, effect keys); ``field``
            names the offending value.

    """
    item = _obj(data, "case")
    schema = item.get("schema", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        raise DecodeError("schema", schema, f"this library reads schema {SCHEMA_VERSION}")
    lines = tuple(
        line_in(x, f"lines[{i}]") for i, x in enumerate(_list(_get(item, "lines", ""), "lines"))
    )
    if not lines:
        raise DecodeError("lines", [], "a case needs at least one order line")
    history = tuple(
        event_from_dict(x, path=f"history[{i}]")
        for i, x in enumerate(_list(_get(item, "history", ""), "history"))
    )
    for i, event in enumerate(history):
        if event.seq != i + 1:
            raise DecodeError(f"history[{i}].seq", event.seq, f"expected {i + 1}")
    effects = tuple(
        effect_from_dict(x, path=f"effects[{i}]")
        for i, x in enumerate(_list(_get(item, "effects", ""), "effects"))
    )
    keys = {e.key for e in effects}
    done = _list(_get(item, "effects_done", ""), "effects_done")
    for i, key in enumerate(done):
        if key not in keys:
            raise DecodeError(f"effects_done[{i}]", key, "no such effect on this case")
    version = _int(item, "version", "")
    if version < 0:
        raise DecodeError("version", version, "zero or more")
    offer_data = item.get("offer")
    offer = None
    if offer_data is not None:
        offer_obj = _obj(offer_data, "offer")
        offer = Offer(
            _enum(Solution, offer_obj, "solution", "offer"),
            _opt(offer_obj.get("refund"), _refund_in, "offer.refund"),
        )
    deadline_data = item.get("platform_deadline")
    deadline = None
    if deadline_data is not None:
        d = _obj(deadline_data, "platform_deadline")
        deadline = PlatformDeadline(
            _enum(State, d, "state", "platform_deadline"),
            _str(d, "action", "platform_deadline"),
            dt_in(_get(d, "deadline", "platform_deadline"), "platform_deadline.deadline"),
        )
    review = item.get("review")
    if review is not None and not isinstance(review, str):
        raise DecodeError("review", review, "a string or null")
    return AfterSalesCase(
        case_id=_str(item, "case_id", ""),
        request_type=_enum(RequestType, item, "request_type", ""),
        region=region_in(_get(item, "region", ""), "region"),
        order_id=_str(item, "order_id", ""),
        lines=lines,
        order_stage=_enum(OrderStage, item, "order_stage", ""),
        platform_id=_str(item, "platform_id", "", optional=True),
        state=_enum(State, item, "state", ""),
        arbitration=_enum(Arbitration, item, "arbitration", ""),
        history=history,
        version=version,
        requested=_opt(item.get("requested"), _refund_in, "requested"),
        refund=_opt(item.get("refund"), _refund_in, "refund"),
        offer=offer,
        effects=effects,
        effects_done=frozenset(done),
        platform_deadline=deadline,
        review=review,
        platform_time=_opt(item.get("platform_time"), dt_in, "platform_time"),
    )


def case_from_json(text: str | bytes) -> AfterSalesCase:
    """Read a case from JSON text written by `case_to_json`.

    Raises:
        DecodeError: The text is not JSON (``field`` is ``"json"``), or see
            [`case_from_dict`][tiktok_aftersales.domain.serialize.case_from_dict].

    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise DecodeError("json", text[:80], f"not JSON text ({exc})") from None
    return case_from_dict(data)
