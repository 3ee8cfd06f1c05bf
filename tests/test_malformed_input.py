"""Every malformed input is a typed error: arbitrary JSON values through every public function.

No exception other than the library's own (:class:`AfterSalesError`) escapes, and the
input is unchanged afterwards.
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _budget import examples
from builders import T0, all_types, reachable_cases
from tiktok_aftersales import (
    Actor,
    AfterSalesError,
    Event,
    InvalidValue,
    allowed_events,
    apply,
    build_decision,
    can_fire,
    case_from_json,
    case_to_json,
    dry_run,
    open_case,
)
from tiktok_aftersales import platform as plat
from tiktok_aftersales.app import WebhookSettings
from tiktok_aftersales.app.testing import in_memory_service
from tiktok_aftersales.lifecycle.orders import apply_on_order, open_on_order
from tiktok_aftersales.sync import opener

CASES = [c for t in all_types() for c in reachable_cases(t).values()]
FIELDS = [
    "refund", "amount", "buyer_keep_item", "solution", "reason", "note", "comment",
    "reject_reason", "images", "tracking_number", "carrier", "currency", "lines", "line_id",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "19.99", "1e5", "NaN", "-1", "USD", "L1", "true", "9" * 40])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.sampled_from(FIELDS), inner, max_size=4)
    ),
    max_leaves=12,
)
payloads = json_values | st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4)
events = json_values | st.sampled_from(list(Event)) | st.sampled_from([e.value for e in Event])
actors = json_values | st.sampled_from(list(Actor)) | st.sampled_from([a.value for a in Actor])


def _snapshot(value: Any) -> str:
    """A stable picture of a value, to check it is unchanged (repr keeps NaN comparable)."""
    return repr(value)


def _only_typed_errors(call, *inputs):
    before = [_snapshot(x) for x in inputs]
    with contextlib.suppress(AfterSalesError):
        call()
    after = [_snapshot(x) for x in inputs]
    assert after == before, "an input was changed"


@examples(150)
@given(st.sampled_from(CASES), events, actors, payloads)
def test_apply_dry_run_and_can_fire_raise_only_typed_errors(case, event, actor, payload):
    at = (case.last_event_at or T0) + timedelta(minutes=1)
    picture = case_to_json(case)
    _only_typed_errors(lambda: apply(case, event, actor, at, payload), event, actor, payload)
    _only_typed_errors(lambda: dry_run(case, event, actor, at, payload), event, actor, payload)
    _only_typed_errors(lambda: can_fire(case, event, actor, payload), event, actor, payload)
    _only_typed_errors(lambda: apply_on_order(case, [case], event, actor, at, payload), payload)
    assert case_to_json(case) == picture


@examples(100)
@given(st.sampled_from(CASES), actors)
def test_allowed_events_raise_only_typed_errors(case, actor):
    _only_typed_errors(lambda: allowed_events(case, actor), actor)


@examples(100)
@given(st.sampled_from(CASES), events, payloads, json_values)
def test_build_decision_raises_only_typed_errors(case, event, payload, target):
    _only_typed_errors(lambda: build_decision(case, event, payload), event, payload)
    _only_typed_errors(
        lambda: build_decision(case, event, payload, target_id=target), event, payload, target
    )


_OPEN_KEYS = ["case_id", "order_id", "region", "lines", "actor", "event", "order_stage",
              "platform_id", "payload"]  # fmt: skip


@examples(150)
@given(
    json_values | st.sampled_from(all_types()),
    st.dictionaries(st.sampled_from(_OPEN_KEYS), json_values | actors | events, max_size=5),
)
def test_open_case_raises_only_typed_errors(request_type, overrides):
    good = CASES[0]
    kwargs: dict[str, Any] = {
        "case_id": "c-1",
        "order_id": good.order_id,
        "region": "US",
        "lines": list(good.lines),
        "at": T0,
        **overrides,
    }
    _only_typed_errors(lambda: open_case(request_type, **kwargs), request_type, kwargs)
    _only_typed_errors(lambda: open_on_order([good], request_type, **kwargs), kwargs)


@pytest.mark.parametrize("lines", [None, 7, 1.5, True, "L1", b"L1", object()])
def test_open_case_refuses_lines_that_are_not_a_collection_with_a_typed_error(lines):
    with pytest.raises(InvalidValue) as err:
        open_case("refund_only", case_id="c-1", order_id="o-1", region="US", lines=lines, at=T0)
    assert err.value.field == "lines"
    assert err.value.value is lines
    assert err.value.reason == "a collection of OrderLine values"


PARSERS = [
    getattr(plat, name)
    for name in sorted(plat.__all__)
    if name.startswith("parse_") and callable(getattr(plat, name))
]


@examples(60)
@pytest.mark.parametrize("parse", PARSERS, ids=lambda f: f.__name__)
@given(value=json_values)
def test_the_platform_parsers_raise_only_typed_errors(parse, value):
    _only_typed_errors(lambda: parse(value), value)


@examples(100)
@given(json_values)
def test_record_of_and_case_from_json_raise_only_typed_errors(value):
    _only_typed_errors(lambda: plat.record_of(value), value)
    text = json.dumps(value, allow_nan=True)
    _only_typed_errors(lambda: case_from_json(text), text)
    _only_typed_errors(lambda: case_from_json(text.encode()), text)
    if isinstance(value, str):
        _only_typed_errors(lambda: case_from_json(value), value)


def _mutated_case_documents():
    base = json.loads(case_to_json(CASES[len(CASES) // 2]))

    def replace(doc, path, value):
        if not path:
            return value
        if isinstance(doc, dict) and doc:
            key = sorted(doc)[path[0] % len(doc)]
            return {**doc, key: replace(doc[key], path[1:], value)}
        if isinstance(doc, list) and doc:
            i = path[0] % len(doc)
            return [*doc[:i], replace(doc[i], path[1:], value), *doc[i + 1 :]]
        return value

    return st.builds(
        replace,
        st.just(base),
        st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
        json_values,
    )


@examples(200)
@given(_mutated_case_documents())
def test_case_from_json_refuses_a_mutated_document_with_a_typed_error(doc):
    text = json.dumps(doc)
    _only_typed_errors(lambda: case_from_json(text), text)


APP_KEY, SECRET = "app-key", "signing-secret"


@examples(60)
@given(st.sampled_from(CASES), events, actors, payloads, json_values)
def test_handle_command_raises_only_typed_errors(case, event, actor, payload, command_id):
    service, ports = in_memory_service(start=T0)
    ports.store.add(case)
    ports.clock.set((case.last_event_at or T0) + timedelta(minutes=1))
    picture = case_to_json(ports.store.get(case.case_id))
    for cid in (case.case_id, command_id):
        _only_typed_errors(
            lambda cid=cid: service.handle_command(
                cid, event, actor, payload, command_id=command_id
            ),
            event,
            actor,
            payload,
        )
    after = ports.store.get(case.case_id)
    if case_to_json(after) != picture:  # applied: then it was a legal command
        assert after.version == case.version + 1


@examples(80)
@given(json_values, st.sampled_from([{}, {"Authorization": "x"}]) | json_values)
def test_receive_raises_only_typed_errors(value, headers):
    service, _ = in_memory_service(
        start=T0, webhooks=WebhookSettings(APP_KEY, SECRET), opener=opener("US")
    )
    body = json.dumps(value).encode()
    signed = {"Authorization": plat.sign(APP_KEY, body, SECRET)}
    _only_typed_errors(lambda: service.receive(body, signed, T0), body)
    _only_typed_errors(lambda: service.receive(body, headers, T0), body, headers)
    _only_typed_errors(lambda: service.receive(value, signed, T0), value)


@examples(80)
@given(st.lists(json_values, max_size=4) | json_values)
def test_ingest_raises_only_typed_errors(records):
    service, _ = in_memory_service(start=T0, opener=opener("US"))
    _only_typed_errors(lambda: service.ingest(records), records)
