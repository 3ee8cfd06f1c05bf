"""Request signing for the TikTok Shop Open API, as the platform documents it.

The rule (Partner Center, "Sign your API request",
https://partner.tiktokshop.com/docv2/page/sign-your-api-request):

1. take every query parameter except ``sign`` and ``access_token``;
2. sort them by name and concatenate them as ``{name}{value}``;
3. put the request path in front;
4. unless the request is ``multipart/form-data``, append the request body,
   byte for byte as sent;
5. wrap the result with the app secret (secret + string + secret);
6. ``sign`` is the lowercase hex HMAC-SHA256 of that string, keyed with the
   app secret.

The values are the decoded query values (as the server receives them), not
their URL encoding. The ``timestamp`` parameter is Unix seconds and must be
within five minutes of the platform's clock.

Everything here is pure: no clock, no network.

>>> string_to_sign("/authorization/202309/shops",
...                {"app_key": "29a39d", "timestamp": "1623812664"}, b"", "e59af819cc")
b'e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc'
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from ...errors import InvalidValue

__all__ = ["EXCLUDED", "sign", "string_to_sign"]

EXCLUDED = frozenset({"sign", "access_token"})
"""Query parameters that are never part of the string to sign."""


def string_to_sign(
    path: str,
    query: Mapping[str, str],
    body: bytes,
    app_secret: str,
    *,
    multipart: bool = False,
) -> bytes:
    """The exact bytes that are HMAC'd for one request.

    Args:
        path: The request path (``/return_refund/202309/returns/search``), no query.
        query: Every query parameter that will be sent, decoded.
        body: The request body exactly as it will be sent (``b""`` for none).
        app_secret: The app secret.
        multipart: Whether the body is ``multipart/form-data`` (then it is not signed).

    Returns:
        ``secret + path + sorted {name}{value} + body + secret``, as UTF-8 bytes.

    Raises:
        InvalidValue: The secret is empty or the path is not absolute.

    """
    if not app_secret:
        raise InvalidValue("app_secret", "<hidden>", "a non-empty string")
    if not path.startswith("/"):
        raise InvalidValue("path", path, "an absolute path ('/return_refund/…')")
    secret = app_secret.encode("utf-8")
    parts = [secret, path.encode("utf-8")]
    for name in sorted(n for n in query if n not in EXCLUDED):
        parts.append(name.encode("utf-8"))
        parts.append(str(query[name]).encode("utf-8"))
    if body and not multipart:
        parts.append(body)
    parts.append(secret)
    return b"".join(parts)


def sign(
    path: str,
    query: Mapping[str, str],
    body: bytes,
    app_secret: str,
    *,
    multipart: bool = False,
) -> str:
    """The ``sign`` query parameter of a request: hex HMAC-SHA256 of `string_to_sign`.

    Args:
        path: The request path.
        query: Every query parameter that will be sent (``sign`` and
            ``access_token`` are ignored if present).
        body: The request body exactly as sent.
        app_secret: The app secret (the HMAC key).
        multipart: Whether the body is ``multipart/form-data``.

    Returns:
        64 lowercase hex digits.

    Raises:
        InvalidValue: See `string_to_sign`.

    >>> sign("/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"},
    ...      b"", "e59af819cc")
    'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8'
    """
    message = string_to_sign(path, query, body, app_secret, multipart=multipart)
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
