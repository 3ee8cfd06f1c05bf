"""Fixtures of the adapter tests: the fake TikTok Shop served over loopback."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("httpx", reason="the [tiktok] extra is not installed")
pytest.importorskip("starlette", reason="the [web] extra is not installed")
pytest.importorskip("uvicorn", reason="the [web] extra is not installed")

from tiktok_aftersales.adapters.fake_tiktok import FakeTikTokShop, serve
from tiktok_aftersales.adapters.tiktok import Credentials, RetryPolicy
from tiktok_aftersales.adapters.tiktok.client import TikTokShopClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"
APP_KEY = "test-app-key-6f1"
APP_SECRET = "test-app-secret-9c2e77"
ACCESS_TOKEN = "TTP_test-access-token-1d93ab"
SHOP_CIPHER = "ROW_test-cipher"
CREDENTIALS = Credentials(APP_KEY, APP_SECRET, ACCESS_TOKEN, SHOP_CIPHER)
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, timeout=2.0)


@pytest.fixture
def fake() -> FakeTikTokShop:
    return FakeTikTokShop.from_fixtures(
        FIXTURES, app_key=APP_KEY, app_secret=APP_SECRET, access_token=ACCESS_TOKEN
    )


@pytest.fixture
def fake_url(fake: FakeTikTokShop) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
def client(fake_url: str) -> Iterator[TikTokShopClient]:
    with TikTokShopClient(CREDENTIALS, base_url=fake_url, retry=FAST, rng=random.Random(7)) as c:
        yield c
