"""A TikTok Shop Open API adapter (the ``[tiktok]`` extra, on httpx).

It sends the library's outbound requests
(`PlatformRequest`, which carry no
credentials) to the platform and answers
`PlatformReply`:

- `signing`: the platform's request signature (pure);
- `core`: the sans-I/O core: signing, reading, retries, paging;
- `client`: `TikTokShopClient` (sync) and
  `AsyncTikTokShopClient` (asyncio), shells around one core.

``signing`` and ``core`` import nothing beyond the library; the clients
need ``pip install 'tiktok-aftersales[tiktok]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import (
    DEFAULT_BASE_URL,
    ClientCore,
    Credentials,
    HttpRequest,
    HttpResponse,
    RetryPolicy,
    TransportFailure,
)
from .signing import sign, string_to_sign

if TYPE_CHECKING:
    from .client import AsyncTikTokShopClient, TikTokShopClient, raise_for_partial

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncTikTokShopClient",
    "ClientCore",
    "Credentials",
    "HttpRequest",
    "HttpResponse",
    "RetryPolicy",
    "TikTokShopClient",
    "TransportFailure",
    "raise_for_partial",
    "sign",
    "string_to_sign",
]

_LAZY = {"AsyncTikTokShopClient", "TikTokShopClient", "raise_for_partial"}


def __getattr__(name: str) -> Any:
    """Import the httpx clients on first use (they need the ``[tiktok]`` extra)."""
    if name in _LAZY:
        from . import client

        return getattr(client, name)
    raise AttributeError(name)
