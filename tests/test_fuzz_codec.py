"""Codec fuzzing from every platform fixture: mutated fields, types, nulls, huge numbers, bytes.

Each fixture is read by its parser after one or more mutations at random places of its
JSON tree. Whatever comes in, the parser either returns a reading or raises the
library's own error (:class:`AfterSalesError`), never anything else, and leaves its input
as it was; a reading that comes back is turned into the one platform record (where it
is one) without any other exception either. Budgets: ``tests/_budget.py``.
"""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _budget import examples
from test_fixtures import FIXTURES, PARSERS
from tiktok_aftersales import AfterSalesError, case_from_json
from tiktok_aftersales.app import WebhookSettings
from tiktok_aftersales.app.testing import in_memory_service
from tiktok_aftersales.platform import record_of, sign
from tiktok_aftersales.sync import opener

NAMES = sorted(PARSERS)
DOCS = {name: json.loads((FIXTURES / name).read_text()) for name in NAMES}

replacements = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, 2**63, 2**64, 2**64 + 1, 10**20, 10**30, -(10**30), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0.01",
            "1e30",
            "NaN",
            "Infinity",
            "9" * 20 + "." + "9" * 10,
            "9" * 21,
            "1" * 30,
            "0." + "1" * 11,
            "\udcff\udcfe",  # lone surrogates: what a non-UTF-8 byte decodes to, escaped
            "\x00",
            "x" * 5000,
            "USD",
            "true",
        ]
    ),
    st.text(max_size=20),
    st.just([]),
    st.just({}),
    st.just([{}]),
    st.just({"a": {"b": [None]}}),
)

DELETE = object()


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_nodes(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.extend(_nodes(value, (*path, i)))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    value = value if value is DELETE else copy.deepcopy(value)  # never share a node
    if not path:
        return doc if value is DELETE else value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(NAMES))
    doc = copy.deepcopy(DOCS[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        nodes = _nodes(doc)
        path = draw(st.sampled_from(nodes))
        value = draw(replacements | st.just(DELETE)) if path else draw(replacements)
        doc = _set(doc, path, value)
    return name, doc


def _read(name: str, doc: Any, strict: bool) -> Any:
    parse = PARSERS[name]
    try:
        return parse(doc, strict=strict)
    except TypeError as error:  # parsers without a strict mode
        if "strict" not in str(error):
            raise
        return parse(doc)


def _records_of(reading: Any) -> list[Any]:
    items = getattr(reading, "items", None)
    if isinstance(items, tuple):
        return list(items)
    return [reading]


@examples(300)
@given(mutated(), st.booleans())
def test_a_mutated_fixture_is_read_or_refused_with_a_typed_error(case, strict):
    name, doc = case
    picture = repr(doc)
    try:
        reading = _read(name, doc, strict)
    except AfterSalesError:
        reading = None
    assert repr(doc) == picture, "the parser changed its input"
    for item in _records_of(reading) if reading is not None else []:
        with contextlib.suppress(AfterSalesError):
            record_of(item)


@examples(200)
@given(
    st.sampled_from([n for n in NAMES if n.startswith("webhook_")]),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=3)),
        min_size=1,
        max_size=4,
    ),
)
def test_webhook_bytes_with_non_utf8_or_garbled_bytes_are_refused_with_a_typed_error(name, cuts):
    body = bytearray((FIXTURES / name).read_bytes())
    for at, junk in cuts:
        i = at % (len(body) + 1)
        body[i : i + 1] = junk
    raw = bytes(body)
    for strict in (True, False):
        with contextlib.suppress(AfterSalesError):
            PARSERS[name](raw, strict=strict)
    with contextlib.suppress(AfterSalesError):
        case_from_json(raw)


APP_KEY, SECRET = "app-key", "signing-secret"


@examples(100)
@given(mutated())
def test_a_signed_mutated_webhook_through_the_one_way_in_gets_an_outcome(case):
    name, doc = case
    if not name.startswith("webhook_"):
        return
    body = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
    service, ports = in_memory_service(
        webhooks=WebhookSettings(APP_KEY, SECRET, tolerance=timedelta(days=365 * 100)),
        opener=opener("US"),
    )
    delivery = service.receive(body, {"Authorization": sign(APP_KEY, body, SECRET)})
    assert delivery.outcome is not None
    for stored in ports.store:
        assert stored.version >= 1


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_reads_as_it_is(name):
    _read(name, copy.deepcopy(DOCS[name]), True)
