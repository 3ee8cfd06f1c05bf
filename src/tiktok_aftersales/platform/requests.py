"""Outbound requests to the platform, as values: the one way out.

Everything the library asks of the platform (a seller decision, a seller
refund or cancellation, a search page) is a `PlatformRequest`: the
HTTP method, the versioned path, the query parameters of the operation, the
JSON body and the idempotency key. It carries no credentials: an adapter (for
example `tiktok_aftersales.adapters.tiktok`) adds ``app_key``,
``timestamp``, ``shop_cipher``, the access token and the signature, sends it,
and answers with a `PlatformReply`.

The library builds requests; it never sends them. That keeps the core free
of I/O, and lets one request builder serve a synchronous and an asynchronous
client alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import InvalidValue

__all__ = ["ItemError", "PlatformReply", "PlatformRequest"]

_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})


def _frozen_query(value: Mapping[str, str]) -> Mapping[str, str]:
    for name, item in value.items():
        if not isinstance(name, str) or not isinstance(item, str):
            raise InvalidValue(f"query.{name}", item, "query parameters are strings")
    return MappingProxyType(dict(value))


def _method(_instance: object, _attribute: object, value: str) -> None:
    if value not in _METHODS:
        raise InvalidValue("method", value, f"one of {', '.join(sorted(_METHODS))}")


def _path(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or "?" in value:
        raise InvalidValue("path", value, "an absolute path without a query ('/return_refund/…')")


@attrs.frozen
class PlatformRequest:
    """One call to the platform's Open API, without credentials.

    Attributes:
        operation: A stable name of what the call does (``"approve_return"``,
            ``"search_returns"``); adapters use it for logs and metrics.
        method: ``"GET"`` or ``"POST"`` (the platform uses no others here).
        path: The versioned path, ids filled in
            (``/return_refund/202309/returns/4035…/approve``).
        query: The operation's own query parameters (``idempotency_key``,
            ``page_size``, ``page_token``); the common ones (``app_key``,
            ``timestamp``, ``sign``, ``shop_cipher``, ``access_token``) are the
            adapter's.
        body: The JSON body, or ``None`` for a call without one.
        idempotency_key: The key the platform deduplicates on, when the
            operation takes one; the same seller decision always has the same
            key, so a retried call cannot act twice.
        case_id: The host's case the call acts for, if any.

    """

    operation: str
    method: str = attrs.field(validator=_method)
    path: str = attrs.field(validator=_path)
    query: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_query)
    body: Mapping[str, Any] | None = None
    idempotency_key: str | None = None
    case_id: str | None = None

    def with_query(self, **params: str) -> PlatformRequest:
        """The same request with more query parameters (``page_token`` for the next page)."""
        return attrs.evolve(self, query={**self.query, **params})


@attrs.frozen
class ItemError:
    """One item of a call that answered ``code`` 0 but refused part of the work.

    The batch review answers this way: a list of per-item ``errors`` beside
    success for the rest.
    """

    code: int
    message: str
    item_id: str | None = None
    detail: Mapping[str, Any] | None = None


@attrs.frozen
class PlatformReply:
    """What the platform answered, as an adapter read it.

    Attributes:
        code: The platform's result code (0 is success).
        message: Its message.
        request_id: The platform's request id (quote it to TikTok support).
        data: The ``data`` object (empty when there is none).
        item_errors: Per-item failures of a call that otherwise succeeded.

    """

    code: int
    message: str = ""
    request_id: str | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict)
    item_errors: tuple[ItemError, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the call succeeded as a whole (code 0; see `item_errors` too)."""
        return self.code == 0

    @property
    def partial(self) -> bool:
        """Whether the call succeeded for some items and failed for others."""
        return self.code == 0 and bool(self.item_errors)
