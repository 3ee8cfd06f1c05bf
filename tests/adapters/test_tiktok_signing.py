"""The request signature, pinned with the platform's own published examples."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tiktok_aftersales.adapters.tiktok.signing import sign, string_to_sign
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.platform import signature as webhook_signature

# Partner Center, "Sign your API request"
# (https://partner.tiktokshop.com/docv2/page/sign-your-api-request): Get Authorized Shops,
# app_key 29a39d, timestamp 1623812664, app_secret e59af819cc. The page's step 5 gives the
# wrapped string and step 6 the resulting sign. (The page's curl example shows another sign,
# bc721f0e…, which does not match its own steps; the steps are what the platform verifies.)
DOC_SECRET = "e59af819cc"
DOC_PATH = "/authorization/202309/shops"
DOC_QUERY = {"app_key": "29a39d", "timestamp": "1623812664"}
DOC_WRAPPED = b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
DOC_SIGN = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_the_documented_example_gives_the_documented_string_and_sign() -> None:
    assert string_to_sign(DOC_PATH, DOC_QUERY, b"", DOC_SECRET) == DOC_WRAPPED
    assert sign(DOC_PATH, DOC_QUERY, b"", DOC_SECRET) == DOC_SIGN


def test_sign_and_access_token_are_left_out() -> None:
    noisy = {**DOC_QUERY, "sign": "stale", "access_token": "TTP_x"}
    assert sign(DOC_PATH, noisy, b"", DOC_SECRET) == DOC_SIGN


def test_parameters_are_sorted_by_name_whatever_their_order() -> None:
    reordered = {"timestamp": "1623812664", "app_key": "29a39d"}
    assert sign(DOC_PATH, reordered, b"", DOC_SECRET) == DOC_SIGN


def test_the_body_follows_the_parameters_byte_for_byte() -> None:
    # The same page's second example (Update Shop Webhook): path, sorted parameters with
    # shop_cipher, then the body exactly as sent, before the closing secret.
    body = b'{    "address":"https://partner.tiktokshop.com",    "event_type": "PACKAGE_UPDATE"}'
    query = {
        "app_key": "68xu9ks5p4i8",
        "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIKt",
        "timestamp": "1696909648",
    }
    expected = (
        b"e59af819cc/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZ"
        b"WebFQq5aIKttimestamp1696909648" + body + b"e59af819cc"
    )
    assert string_to_sign("/event/202309/webhooks", query, body, DOC_SECRET) == expected
    assert (
        sign("/event/202309/webhooks", query, body, DOC_SECRET)
        == hmac.new(DOC_SECRET.encode(), expected, hashlib.sha256).hexdigest()
    )
    # one changed byte of the body changes the signature
    assert sign("/event/202309/webhooks", query, body + b" ", DOC_SECRET) != sign(
        "/event/202309/webhooks", query, body, DOC_SECRET
    )


def test_a_multipart_body_is_not_signed() -> None:
    assert sign(DOC_PATH, DOC_QUERY, b"--boundary", DOC_SECRET, multipart=True) == DOC_SIGN


def test_an_empty_secret_is_refused_without_showing_it() -> None:
    with pytest.raises(InvalidValue) as caught:
        sign(DOC_PATH, DOC_QUERY, b"", "")
    assert caught.value.field == "app_secret"


def test_the_documented_webhook_example_verifies() -> None:
    # Partner Center, "Webhooks overview" (https://partner.tiktokshop.com/docv2/page/
    # tts-webhooks-overview): app key "abcdef", app secret "123", this body, this signature.
    raw = (
        b'{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
        b'"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
        b'"order_status":"UNPAID","update_time":1718305585}}'
    )
    expected = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"
    assert webhook_signature.sign("abcdef", raw, "123") == expected
