"""Exact frames: money stays Decimal in pandas, and the dtype says so."""

from __future__ import annotations

from decimal import Decimal

import pytest

pd = pytest.importorskip("pandas", reason="needs the analysis extra (pandas)")
pytest.importorskip("pyarrow", reason="needs the columnar extra (pyarrow)")

from tiktok_aftersales.analysis import figures, population, replay  # noqa: E402
from tiktok_aftersales.analysis.frames import case_frame, event_frame  # noqa: E402


@pytest.fixture(scope="module")
def cases():
    return replay(population(8, 400).histories()).cases


def test_one_row_per_case_and_one_per_event(cases):
    assert len(case_frame(cases)) == len(cases)
    assert len(event_frame(cases)) == sum(len(c.history) for c in cases)


def test_money_columns_are_arrow_decimals_beside_a_currency(cases):
    frame = case_frame(cases)
    for name in ("paid", "refunded"):
        assert str(frame[name].dtype).startswith("decimal128(38, ")
    assert str(event_frame(cases)["refund"].dtype).startswith("decimal128(38, ")
    assert "currency" in frame.columns


def test_sums_and_means_stay_exact_and_equal_the_figures(cases):
    frame = case_frame(cases)
    by_currency = frame.groupby("currency")["refunded"].sum()
    fig = figures(cases)
    for currency, total in by_currency.items():
        assert isinstance(total, Decimal)
        assert total == fig.summary.get(f"refund exposure {currency}", Decimal(0))
    assert isinstance(frame["paid"].mean(), Decimal)


def test_event_refunds_add_up_to_the_case_refunds(cases):
    events = event_frame(cases)
    per_case = events.groupby("case_id")["refund"].sum()
    frame = case_frame(cases).set_index("case_id")
    for case_id, total in per_case.items():
        assert total == frame.loc[case_id, "refunded"]


def test_figure_tables_give_exact_money_columns(cases):
    exposure = figures(cases).exposure.to_pandas()
    assert str(exposure["amount"].dtype).startswith("decimal128(38, ")
    assert isinstance(exposure["amount"].sum(), Decimal)
