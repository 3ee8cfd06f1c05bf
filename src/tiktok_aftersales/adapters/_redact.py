"""Keep secrets out of logs and error messages (shared by the adapters).

The adapters know the values that must never leave them (the app secret, the
access token, each request's signature) and scrub them from any text they
log or raise. Query strings are cut from URLs, because they carry ``sign``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "Redactor", "strip_query"]

REDACTED = "<redacted>"
_QUERY = re.compile(r"(https?://[^\s?'\"]+)\?[^\s'\"]*")
_SIGN = re.compile(r"(sign=)[0-9a-fA-F]{16,}")
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def strip_query(text: str) -> str:
    """``text`` with the query string of every URL in it removed."""
    return _QUERY.sub(r"\1?<query>", text)


class Redactor:
    """Replaces known secret values, URL queries and signatures in text.

    Args:
        secrets: Values that must never appear (empty ones are ignored).

    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        """Also redact ``secret`` from now on."""
        if secret and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """``text`` with every known secret, URL query and hex signature replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _SIGN.sub(r"\1" + REDACTED, strip_query(text))
        return _HEX64.sub(REDACTED, text)
