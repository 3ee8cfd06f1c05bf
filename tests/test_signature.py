"""Webhook signature: hex HMAC-SHA256 of app_key + raw body, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.errors import AfterSalesError, InvalidValue
from tiktok_aftersales.platform import signature
from tiktok_aftersales.platform.signature import InvalidSignature, sign, verify_signature


def verify(header, app_key, body, secret):
    """Whether verify_signature accepts the delivery (it raises otherwise)."""
    try:
        verify_signature(header, app_key, body, secret)
    except InvalidSignature:
        return False
    return True


APP_KEY = "6abc123def"
SECRET = "webhook-signing-secret"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"
BODY = (
    b'{"type":12,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
    b'"timestamp":1644412885,"data":{"order_id":"576486316948490001","return_role":"BUYER",'
    b'"return_type":"REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING",'
    b'"return_id":"576486316948490001","create_time":1627587600,"update_time":1644412885}}'
)


def reference(app_key: str, body: bytes, secret: str) -> str:
    """The documented construction, written independently of the library."""
    return hmac.new(secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def test_sign_is_hex_hmac_sha256_of_app_key_followed_by_the_raw_body():
    header = sign(APP_KEY, BODY, SECRET)
    assert header == reference(APP_KEY, BODY, SECRET)
    assert len(header) == 64
    assert header == header.lower()


def test_a_correctly_signed_delivery_verifies():
    assert verify(reference(APP_KEY, BODY, SECRET), APP_KEY, BODY, SECRET)
    verify_signature(reference(APP_KEY, BODY, SECRET), APP_KEY, BODY, SECRET)


def test_upper_case_hex_and_surrounding_spaces_are_accepted():
    header = reference(APP_KEY, BODY, SECRET)
    assert verify(f"  {header.upper()} ", APP_KEY, BODY, SECRET)
    assert verify(header.encode(), APP_KEY, BODY, SECRET)


@pytest.mark.parametrize(
    ("header", "app_key", "body", "secret"),
    [
        (None, APP_KEY, BODY, SECRET),
        (reference(APP_KEY, BODY, SECRET), APP_KEY, BODY + b" ", SECRET),
        (reference(APP_KEY, BODY, SECRET), "other-app", BODY, SECRET),
        (reference(APP_KEY, BODY, SECRET), APP_KEY, BODY, "app-secret"),
        (reference(APP_KEY, BODY, SECRET)[:-1], APP_KEY, BODY, SECRET),
        ("sha256=" + reference(APP_KEY, BODY, SECRET), APP_KEY, BODY, SECRET),
        ("", APP_KEY, BODY, SECRET),
        ("z" * 64, APP_KEY, BODY, SECRET),
        (b"\xff" * 64, APP_KEY, BODY, SECRET),
        (reference(APP_KEY, b"", SECRET), APP_KEY, BODY, SECRET),
    ],
)
def test_anything_else_does_not_verify(header, app_key, body, secret):
    assert verify(header, app_key, body, secret) is False
    with pytest.raises(InvalidSignature) as caught:
        verify_signature(header, app_key, body, secret)
    assert caught.value.reason in {"missing", "malformed", "mismatch"}
    assert isinstance(caught.value, AfterSalesError)


def test_the_refusal_says_why():
    def reason(header):
        with pytest.raises(InvalidSignature) as caught:
            verify_signature(header, APP_KEY, BODY, SECRET)
        return caught.value.reason

    assert reason(None) == "missing"
    assert reason("  ") == "missing"
    assert reason("nothex") == "malformed"
    assert reason("0" * 64) == "mismatch"


def test_a_decoded_string_body_is_a_host_error_not_a_bad_signature():
    with pytest.raises(InvalidValue) as caught:
        verify(reference(APP_KEY, BODY, SECRET), APP_KEY, BODY.decode(), SECRET)  # type: ignore[arg-type]
    assert caught.value.field == "body"


@pytest.mark.parametrize(("app_key", "secret"), [("", SECRET), (APP_KEY, ""), (None, SECRET)])
def test_an_empty_key_or_secret_is_a_configuration_error(app_key, secret):
    with pytest.raises(InvalidValue) as caught:
        sign(app_key, BODY, secret)  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)


def test_the_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(signature.hmac, "compare_digest", spy)
    assert verify(reference(APP_KEY, BODY, SECRET), APP_KEY, BODY, SECRET)
    assert not verify("0" * 64, APP_KEY, BODY, SECRET)
    assert len(calls) == 2


def test_bytes_like_bodies_are_accepted():
    header = reference(APP_KEY, BODY, SECRET)
    assert verify(header, APP_KEY, bytearray(BODY), SECRET)
    assert verify(header, APP_KEY, memoryview(BODY), SECRET)
    assert verify(header, APP_KEY, BODY, SECRET.encode())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("webhook_*.json")), ids=lambda p: p.name)
def test_every_webhook_fixture_signs_and_verifies_on_its_exact_bytes(path):
    body = path.read_bytes()
    header = sign(APP_KEY, body, SECRET)
    assert verify(header, APP_KEY, body, SECRET)
    assert not verify(header, APP_KEY, body.replace(b"\n", b"\r\n"), SECRET)


@given(st.binary(max_size=512), st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_any_body_round_trips(body, app_key, secret):
    assert verify(sign(app_key, body, secret), app_key, body, secret)


@given(st.binary(min_size=1, max_size=256), st.data())
def test_flipping_any_bit_of_the_body_breaks_the_signature(body, data):
    header = sign(APP_KEY, body, SECRET)
    i = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    tampered = bytearray(body)
    tampered[i] ^= 1 << bit
    assert not verify(header, APP_KEY, bytes(tampered), SECRET)
