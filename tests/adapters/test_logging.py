"""Logs of a full run carry structured fields and never a secret, a token, a signature or
buyer data."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest

from tiktok_aftersales.adapters.fake_tiktok import FakeTikTokShop, serve
from tiktok_aftersales.adapters.tiktok.client import TikTokShopClient
from tiktok_aftersales.adapters.web import webhook_app
from tiktok_aftersales.errors import AfterSalesError
from tiktok_aftersales.platform import PlatformRequest, signature

from .conftest import ACCESS_TOKEN, APP_KEY, APP_SECRET, CREDENTIALS, FAST, FIXTURES

HEX64 = re.compile(r"[0-9a-f]{64}")


def personal_values() -> set[str]:
    """Names, addresses and phone numbers in the fixtures (buyer or warehouse)."""
    found: set[str] = set()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif (
            isinstance(value, str)
            and len(value) > 4
            and any(w in key for w in ("address", "name", "phone", "buyer"))
        ):
            found.add(value)

    for path in FIXTURES.glob("*.json"):
        walk(json.loads(path.read_text()))
    return found


def test_a_full_run_logs_no_secret_token_signature_or_personal_data(
    caplog: pytest.LogCaptureFixture, fake: FakeTikTokShop, fake_url: str
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    with TikTokShopClient(CREDENTIALS, base_url=fake_url, retry=FAST) as client:
        fake.inject("429")
        fake.inject("drop")
        search = PlatformRequest(
            "search_returns",
            "POST",
            "/return_refund/202309/returns/search",
            query={"page_size": "5"},
            body={},
        )
        pages = list(client.pages(search))
        approve = PlatformRequest(
            "approve_return",
            "POST",
            "/return_refund/202309/returns/4035318504086604100/approve",
            body={"decision": "APPROVE_REFUND"},
            idempotency_key="c/1/approve",
            case_id="c",
        )
        client.send(approve)
        for _ in range(2):
            try:
                client.send(approve.with_query(note="again"))
            except AfterSalesError as error:
                errors.append(str(error))
        fake.inject("500", times=9)
        try:
            client.send(search)
        except AfterSalesError as error:
            errors.append(str(error))

    def handler(body: bytes, headers: object, received_at: object) -> str:
        signature.verify_signature(
            headers.get("authorization"),
            APP_KEY,
            body,
            APP_SECRET,  # type: ignore[attr-defined]
        )
        return "applied"

    with serve(webhook_app(handler)) as base:
        body = (FIXTURES / "webhook_12_return_status_change.doc.json").read_bytes()
        httpx.post(
            f"{base}/webhooks/tiktok",
            content=body,
            headers={"Authorization": signature.sign(APP_KEY, body, APP_SECRET)},
        )
        httpx.post(f"{base}/webhooks/tiktok", content=body)

    assert pages and errors
    ours = [r for r in caplog.records if r.name.startswith("tiktok_aftersales")]
    assert {r.name for r in ours} >= {
        "tiktok_aftersales.adapters.tiktok",
        "tiktok_aftersales.adapters.web",
    }
    calls = [r for r in ours if r.getMessage() == "platform call"]
    assert calls and all(hasattr(r, "operation") and hasattr(r, "outcome") for r in calls)
    text = "\n".join([f"{r.getMessage()} {r.__dict__}" for r in caplog.records] + errors)
    for secret in (APP_SECRET, ACCESS_TOKEN):
        assert secret not in text
    assert not HEX64.search(text), HEX64.search(text)
    assert "sign=" not in text
    for value in personal_values():
        assert value not in text
