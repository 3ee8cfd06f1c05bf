"""A TikTok Shop Open API adapter (the ``[tiktok]`` extra, on httpx).

It sends the library's outbound requests
(:class:`~tiktok_aftersales.platform.PlatformRequest`, which carry no
credentials) to the platform and answers
:class:`~tiktok_aftersales.platform.PlatformReply`:

- :mod:`.signing`: the platform's request signature (pure);
- :mod:`.core`: the sans-I/O core: signing, reading, retries, paging;
- :mod:`.client`: :class:`TikTokShopClient` (sync) and
  :class:`AsyncTikTokShopClient` (asyncio), shells around one core.

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
