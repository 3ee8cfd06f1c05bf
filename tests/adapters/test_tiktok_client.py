"""The TikTok Shop client against the fake platform, over real sockets on loopback."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.adapters.fake_tiktok import FakeTikTokShop
from tiktok_aftersales.adapters.tiktok import ClientCore, Credentials, HttpResponse, RetryPolicy
from tiktok_aftersales.adapters.tiktok.client import (
    AsyncTikTokShopClient,
    TikTokShopClient,
    raise_for_partial,
)
from tiktok_aftersales.errors import (
    InvalidValue,
    PartialFailure,
    PlatformAuthFailed,
    PlatformDecisionRejected,
    PlatformRateLimited,
    PlatformRequestInvalid,
    PlatformResponseError,
    PlatformUnavailable,
)
from tiktok_aftersales.platform import PlatformRequest

from .conftest import APP_SECRET, CREDENTIALS, FAST, SHOP_CIPHER

PENDING_RETURN = "4035318504086604100"  # the doc example, RETURN_OR_REFUND_REQUEST_PENDING


def search_returns(page_size: int = 3, **body: object) -> PlatformRequest:
    return PlatformRequest(
        "search_returns",
        "POST",
        "/return_refund/202309/returns/search",
        query={"page_size": str(page_size)},
        body=body,
    )


def approve(return_id: str = PENDING_RETURN, key: str = "case-1/3/approve") -> PlatformRequest:
    return PlatformRequest(
        "approve_return",
        "POST",
        f"/return_refund/202309/returns/{return_id}/approve",
        body={"decision": "APPROVE_REFUND"},
        idempotency_key=key,
        case_id="case-1",
    )


def status_of(client: TikTokShopClient, return_id: str) -> str:
    (page,) = list(client.pages(search_returns(return_ids=[return_id])))
    (record,) = page.data["return_orders"]
    return str(record["return_status"])


# -- building ------------------------------------------------------------------


def test_a_built_request_carries_the_common_parameters_and_the_token_header() -> None:
    core = ClientCore(CREDENTIALS, clock=lambda: 1_700_000_000.0)
    http = core.build(approve())
    query = {k: v[0] for k, v in parse_qs(urlsplit(http.url).query).items()}
    assert query["app_key"] == CREDENTIALS.app_key
    assert query["timestamp"] == "1700000000"
    assert query["shop_cipher"] == SHOP_CIPHER
    assert query["idempotency_key"] == "case-1/3/approve"
    assert len(query["sign"]) == 64
    assert "access_token" not in query
    assert http.headers["x-tts-access-token"] == CREDENTIALS.access_token
    assert http.content == b'{"decision":"APPROVE_REFUND"}'
    assert APP_SECRET not in repr(http) and APP_SECRET not in repr(CREDENTIALS)


def test_a_request_that_sets_a_common_parameter_itself_is_refused() -> None:
    core = ClientCore(CREDENTIALS, clock=lambda: 0.0)
    bad = PlatformRequest("x", "GET", "/x", query={"sign": "mine"})
    with pytest.raises(InvalidValue) as caught:
        core.build(bad)
    assert caught.value.field == "query"


@given(st.integers(1, 12), st.integers(0, 2**32))
def test_backoff_waits_grow_exponentially_and_never_exceed_the_cap(retry: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    wait = policy.delay(retry, random.Random(seed))
    assert 0 <= wait <= min(4.0, 0.5 * 2 ** (retry - 1))


@pytest.mark.parametrize(
    ("status", "code", "message", "error"),
    [
        (401, 106001, "signature is invalid", PlatformAuthFailed),
        (401, 105002, "access token is expired", PlatformAuthFailed),
        (400, 36009004, "Invalid access_token.", PlatformAuthFailed),
        (400, 36009004, "Invalid timestamp.", PlatformRequestInvalid),
        (200, 25011012, "reverse status cannot approve application", PlatformDecisionRejected),
        (200, 25005005, "Refund total amount is larger", PlatformDecisionRejected),
        (200, 25011010, "transferred to platform operator", PlatformDecisionRejected),
        (200, 12345678, "something else", PlatformResponseError),
    ],
)
def test_platform_codes_become_typed_errors(
    status: int, code: int, message: str, error: type[Exception]
) -> None:
    core = ClientCore(CREDENTIALS, clock=lambda: 0.0)
    body = f'{{"code":{code},"message":"{message}","request_id":"r1","data":{{}}}}'.encode()
    with pytest.raises(error) as caught:
        core.read(approve(), HttpResponse(status, body))
    assert isinstance(caught.value, PlatformResponseError)
    assert caught.value.code == code and caught.value.request_id == "r1"


def test_code_zero_with_item_errors_is_a_partial_failure_reported_per_item() -> None:
    core = ClientCore(CREDENTIALS, clock=lambda: 0.0)
    body = (
        b'{"code":0,"message":"Success","request_id":"r2","data":{"errors":['
        b'{"code":"25001002","message":"request not found","request_id":"A1"}]}}'
    )
    reply = core.read(approve(), HttpResponse(200, body))
    assert reply.ok and reply.partial
    (item,) = reply.item_errors
    assert (item.code, item.item_id, item.message) == (25001002, "A1", "request not found")
    with pytest.raises(PartialFailure) as caught:
        raise_for_partial(reply, "review")
    assert caught.value.item_errors == reply.item_errors


# -- over the wire ---------------------------------------------------------------


def test_every_search_page_is_fetched_in_turn(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    pages = list(client.pages(search_returns(page_size=3)))
    ids = [r["return_id"] for p in pages for r in p.data["return_orders"]]
    assert len(pages) == -(-len(fake.returns) // 3)
    assert sorted(ids) == sorted(fake.returns) and len(ids) == len(set(ids))
    assert all(call.signed for call in fake.calls)
    assert [c.query.get("page_token") for c in fake.calls][:2] == [None, "3"]


def test_a_decision_changes_what_the_next_search_returns(client: TikTokShopClient) -> None:
    assert status_of(client, PENDING_RETURN) == "RETURN_OR_REFUND_REQUEST_PENDING"
    reply = client.send(approve())
    assert reply.ok and not reply.partial
    assert status_of(client, PENDING_RETURN) == "RETURN_OR_REFUND_REQUEST_SUCCESS"


def test_a_repeated_decision_key_takes_effect_once(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    client.send(approve())
    client.send(approve())
    assert fake.applied == {"case-1/3/approve": 1}


def test_a_decision_the_state_forbids_raises_the_platforms_refusal(
    client: TikTokShopClient,
) -> None:
    client.send(approve())
    with pytest.raises(PlatformDecisionRejected) as caught:
        client.send(approve(key="another-key"))
    assert caught.value.code == 25011012


def test_429s_are_retried_until_the_call_goes_through(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    fake.inject("429", times=2)
    reply = client.send(approve())
    assert reply.ok
    assert [c.fault for c in fake.calls] == ["429", "429", None]


def test_the_rate_limit_code_and_5xx_are_retried(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    fake.inject("rate_code")
    fake.inject("500")
    fake.inject("internal_code")
    assert client.send(approve()).ok
    assert fake.applied == {"case-1/3/approve": 1}


def test_a_dropped_connection_is_retried_for_a_call_with_a_key(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    fake.inject("drop")
    assert client.send(approve()).ok
    assert [c.fault for c in fake.calls] == ["drop", None]


def test_a_slow_response_times_out_and_is_retried(fake: FakeTikTokShop, fake_url: str) -> None:
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, timeout=0.3)
    fake.inject("slow", delay=1.0)
    with TikTokShopClient(CREDENTIALS, base_url=fake_url, retry=policy) as client:
        assert client.send(search_returns()).ok


def test_a_call_without_a_key_is_not_repeated_after_it_may_have_arrived(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    unkeyed = PlatformRequest(
        "reject_return",
        "POST",
        f"/return_refund/202309/returns/{PENDING_RETURN}/reject",
        body={"decision": "REJECT_REFUND", "reject_reason": "r"},
    )
    fake.inject("drop")
    with pytest.raises(PlatformUnavailable) as caught:
        client.send(unkeyed)
    assert caught.value.attempts == 1
    assert len(fake.calls) == 1


def test_retries_are_bounded_and_end_in_a_typed_error(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    fake.inject("429", times=10)
    with pytest.raises(PlatformRateLimited):
        client.send(approve())
    assert len(fake.calls) == FAST.attempts
    fake.faults.clear()
    fake.inject("502", times=10)
    with pytest.raises(PlatformUnavailable) as caught:
        client.send(search_returns())
    assert caught.value.attempts == FAST.attempts and caught.value.http_status == 502


def test_a_wrong_secret_is_refused_as_an_auth_failure_without_leaking_it(fake_url: str) -> None:
    wrong = Credentials(CREDENTIALS.app_key, "not-the-secret-1234", CREDENTIALS.access_token)
    with (
        TikTokShopClient(wrong, base_url=fake_url, retry=FAST) as client,
        pytest.raises(PlatformAuthFailed) as caught,
    ):
        client.send(search_returns())
    assert caught.value.code == 106001
    assert "not-the-secret-1234" not in str(caught.value)


def test_an_unreachable_platform_is_unavailable(fake_url: str) -> None:
    with (
        TikTokShopClient(CREDENTIALS, base_url="http://127.0.0.1:9", retry=FAST) as client,
        pytest.raises(PlatformUnavailable) as caught,
    ):
        client.send(search_returns())
    assert caught.value.attempts == FAST.attempts


def test_the_batch_review_reports_refused_items(
    client: TikTokShopClient, fake: FakeTikTokShop
) -> None:
    review = PlatformRequest(
        "review_aftersales",
        "POST",
        "/return_refund/202609/aftersales/review",
        body={
            "aftersales_request_decisions": [
                {
                    "request_id": PENDING_RETURN,
                    "request_id_type": "AFTERSALES",
                    "idempotency_key": "k1",
                    "line_item_decisions": [{"action": "APPROVE_REQUEST"}],
                },
                {
                    "request_id": "nope",
                    "request_id_type": "AFTERSALES",
                    "idempotency_key": "k2",
                    "line_item_decisions": [{"action": "APPROVE_REQUEST"}],
                },
            ]
        },
    )
    reply = client.send(review)
    assert reply.partial and [e.item_id for e in reply.item_errors] == ["nope"]
    assert fake.returns[PENDING_RETURN]["return_status"] == "AWAITING_BUYER_SHIP"


@pytest.mark.anyio
async def test_the_async_client_runs_the_same_core(fake: FakeTikTokShop, fake_url: str) -> None:
    fake.inject("429")
    async with AsyncTikTokShopClient(CREDENTIALS, base_url=fake_url, retry=FAST) as client:
        assert (await client.send(approve())).ok
        pages = [p async for p in client.pages(search_returns(page_size=4))]
        with pytest.raises(PlatformDecisionRejected):
            await client.send(approve(key="again"))
    assert sum(len(p.data["return_orders"]) for p in pages) == len(fake.returns)
    assert fake.applied == {"case-1/3/approve": 1}
