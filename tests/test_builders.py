"""The engine's unchecked constructors build the same values as the public constructors."""

from __future__ import annotations

import attrs
import pytest

from builders import T0, fresh
from tiktok_aftersales import Actor, AfterSalesCase, RequestType, apply, case_to_json
from tiktok_aftersales.domain import Breakdown, Effect, EffectKind, Money, OrderLine
from tiktok_aftersales.domain._builders import unchecked
from tiktok_aftersales.domain.case import new_case


def test_an_unchecked_case_equals_the_one_its_constructor_builds() -> None:
    case = apply(fresh(RequestType.REFUND_ONLY), "request", Actor.BUYER, T0)
    values = [getattr(case, f.name) for f in attrs.fields(AfterSalesCase)]
    built = unchecked(AfterSalesCase)(*values)
    assert type(built) is AfterSalesCase
    assert built == case
    assert hash(built) == hash(case)
    assert repr(built) == repr(case)
    assert case_to_json(built) == case_to_json(case)


def test_an_unchecked_effect_equals_the_one_its_constructor_builds() -> None:
    effect = Effect(EffectKind.ISSUE_REFUND, "c/1/issue_refund", "c", "o", ("1",), Money(1, "USD"))
    values = [getattr(effect, f.name) for f in attrs.fields(Effect)]
    assert unchecked(Effect)(*values) == effect


def test_an_unchecked_value_stays_frozen() -> None:
    case = fresh(RequestType.REFUND_ONLY)
    values = [getattr(case, f.name) for f in attrs.fields(AfterSalesCase)]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        unchecked(AfterSalesCase)(*values).state = case.state  # type: ignore[misc]


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError):
        unchecked(Effect)(EffectKind.ISSUE_REFUND, "k", "c", "o")


def test_a_class_with_a_post_init_check_or_without_slots_is_refused() -> None:
    @attrs.frozen
    class Checked:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.define(slots=False)
    class Plain:
        x: int

    with pytest.raises(TypeError, match="post-init"):
        unchecked(Checked)
    with pytest.raises(TypeError, match="slotted"):
        unchecked(Plain)
    with pytest.raises(TypeError, match="slotted"):
        unchecked(int)


def test_a_class_that_inherits_slots_is_still_built_field_by_field() -> None:
    @attrs.frozen
    class Base:
        x: int

    @attrs.frozen
    class Child(Base):
        y: int

    built = unchecked(Child)(1, 2)
    assert type(built) is Child
    assert built == Child(1, 2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.x = 3  # type: ignore[misc]


def test_the_builder_takes_exactly_the_fields_in_declaration_order() -> None:
    @attrs.frozen
    class Pair:
        first: str
        second: str = "b"

    built = unchecked(Pair)("x", "y")
    assert (built.first, built.second) == ("x", "y")
    with pytest.raises(TypeError):
        unchecked(Pair)("x")  # defaults are not applied: every field is given


def test_a_new_case_is_the_case_its_constructor_builds_with_every_default() -> None:
    lines = (OrderLine("1", "SKU", Breakdown.of("9.99", "USD")),)
    built = new_case(RequestType.REFUND_ONLY, case_id="c", order_id="o", region="US", lines=lines)
    expected = AfterSalesCase(
        "c", RequestType.REFUND_ONLY, built.region, "o", lines, built.order_stage
    )
    assert type(built) is AfterSalesCase
    assert built == expected
    for field in attrs.fields(AfterSalesCase)[7:]:
        assert getattr(built, field.name) is getattr(expected, field.name), field.name
