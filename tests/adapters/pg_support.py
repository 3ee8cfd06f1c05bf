"""Shared helpers of the PostgreSQL tests: a fresh schema per test, sample cases with effects."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest

from tiktok_aftersales import Actor, apply
from tiktok_aftersales.app.testing import sample_case
from tiktok_aftersales.domain.case import AfterSalesCase

DSN_VARIABLE = "TIKTOK_AFTERSALES_POSTGRES_DSN"
BASE_DSN = os.environ.get(DSN_VARIABLE)

needs_postgres = pytest.mark.skipif(
    not BASE_DSN,
    reason=f"no PostgreSQL server: set {DSN_VARIABLE} (.ci/run starts one on loopback)",
)


def fresh_dsn() -> str:
    """A DSN whose search_path is a new, empty schema."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    assert BASE_DSN
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(BASE_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return make_conninfo(BASE_DSN, options=f"-c search_path={schema}")


def received_case(case_id: str) -> AfterSalesCase:
    """A return whose parcel was received: a stock-in and a refund pending."""
    case = sample_case(case_id)
    at = case.history[-1].at
    case = apply(case, "approve", Actor.SELLER, at + timedelta(hours=1))
    case = apply(case, "ship_back", Actor.BUYER, at + timedelta(hours=2), {"tracking": "T"})
    case = apply(
        case,
        "parcel_delivered",
        Actor.LOGISTICS,
        at + timedelta(hours=3),
        {"disposition": "restock"},
    )
    return apply(case, "confirm_receipt", Actor.SELLER, at + timedelta(hours=4))
