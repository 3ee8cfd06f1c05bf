import pytest

from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.platform import ItemError, PlatformReply, PlatformRequest


def test_a_request_names_its_operation_path_and_key():
    request = PlatformRequest(
        "approve_return",
        "POST",
        "/return_refund/202309/returns/4035/approve",
        {"idempotency_key": "k-1"},
        {"decision": "APPROVE_RETURN"},
        idempotency_key="k-1",
        case_id="c-1",
    )
    assert request.query == {"idempotency_key": "k-1"}
    assert request.with_query(page_token="t2").query == {
        "idempotency_key": "k-1",
        "page_token": "t2",
    }
    assert request.query == {"idempotency_key": "k-1"}  # the original is unchanged


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("method", {"method": "PATCH"}),
        ("path", {"path": "return_refund/202309/returns"}),
        ("path", {"path": "/x?y=1"}),
        ("query.page_size", {"query": {"page_size": 50}}),
    ],
)
def test_a_malformed_request_names_the_field(field, kwargs):
    args = {
        "operation": "search_returns",
        "method": "POST",
        "path": "/return_refund/202309/returns/search",
    }
    with pytest.raises(InvalidValue) as caught:
        PlatformRequest(**{**args, **kwargs})
    assert caught.value.field == field


def test_a_reply_with_item_errors_is_a_partial_success():
    reply = PlatformReply(
        0, "Success", "r-1", {}, (ItemError(25020011, "return already received", "L1"),)
    )
    assert reply.ok and reply.partial
    assert not PlatformReply(25011010, "transferred to operator").ok
