"""Webhook signature verification (platform-api.md §4).

TikTok Shop signs each webhook delivery: the ``Authorization`` header holds
the hex HMAC-SHA256, keyed with the signing secret, of the app key followed by
the raw request body. Sources disagree on which secret signs (the app secret
or a dedicated webhook signing secret); the host passes whichever its app
uses.

Everything here is pure: bytes in, nothing (or a typed error) out. Verify
the raw bytes *before* decoding JSON, and compare nothing by hand: the
comparison is constant-time (`hmac.compare_digest`).

>>> body = b'{"type": 12}'
>>> header = sign("app-key", body, "secret")
>>> verify_signature(header, "app-key", body, "secret")
>>> verify_signature(header, "app-key", body + b" ", "secret")
Traceback (most recent call last):
...
tiktok_aftersales.errors.InvalidSignature: webhook signature mismatch
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from ..errors import InvalidSignature, InvalidValue

__all__ = ["InvalidSignature", "sign", "verify_signature"]

_HEX = re.compile(r"^[0-9a-f]{64}$")


def _bytes(field: str, value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise InvalidValue(field, value, "the raw bytes as received (not a decoded string)")


def _key(field: str, value: Any) -> bytes:
    if isinstance(value, str) and value:
        return value.encode("utf-8")
    if isinstance(value, bytes | bytearray) and value:
        return bytes(value)
    raise InvalidValue(field, "<hidden>" if field == "secret" else value, "a non-empty string")


def sign(app_key: str, body: bytes, secret: str | bytes) -> str:
    """The ``Authorization`` header value for a body: hex HMAC-SHA256(secret, app_key + body).

    Args:
        app_key: The app key.
        body: The raw request body.
        secret: The signing secret.

    Raises:
        InvalidValue: ``body`` is not bytes, or the key or secret is empty.

    """
    message = _key("app_key", app_key) + _bytes("body", body)
    return hmac.new(_key("secret", secret), message, hashlib.sha256).hexdigest()


def verify_signature(
    header: str | bytes | None, app_key: str, body: bytes, secret: str | bytes
) -> None:
    """Check that the ``Authorization`` header signs ``app_key + body`` with ``secret``.

    Returns nothing when it does, and raises otherwise (fail closed: a caller
    cannot forget to look at a result). Hex digits are compared
    case-insensitively and in constant time.

    Raises:
        InvalidSignature: The header is missing, malformed or does not match.
        InvalidValue: ``body`` is not bytes, or the key or secret is empty.

    """
    expected = sign(app_key, body, secret)
    reason = _reason(header, expected)
    if reason is not None:
        raise InvalidSignature(reason)


def _reason(header: str | bytes | None, expected: str) -> str | None:
    if header is None:
        return "missing"
    if isinstance(header, bytes | bytearray):
        try:
            header = bytes(header).decode("ascii")
        except UnicodeDecodeError:
            return "malformed"
    if not isinstance(header, str):
        return "malformed"
    given = header.strip().lower()
    if not given:
        return "missing"
    if not _HEX.match(given):
        return "malformed"
    return None if hmac.compare_digest(given, expected) else "mismatch"
