"""The sync and async TikTok Shop clients: thin httpx shells around `ClientCore`.

Both shells run the same steps (`ClientCore.call`): send a signed
request, sleep between retries. The endpoint logic, signing, retries and
error mapping exist once, in the core.

>>> # doctest: +SKIP
>>> client = TikTokShopClient(Credentials("key", "secret", "token", "cipher"))
>>> reply = client.send(request)            # one call, retried as the policy allows
>>> for page in client.pages(search):       # every page_token page of a search
...     ...
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import Any

try:
    import httpx
except ImportError as error:  # pragma: no cover - depends on the environment
    from ...errors import MissingExtra

    raise MissingExtra("httpx", "tiktok") from error

import anyio

from ...errors import PartialFailure
from ...platform import PlatformReply, PlatformRequest
from .._redact import strip_query
from .core import (
    DEFAULT_BASE_URL,
    Answer,
    ClientCore,
    Credentials,
    HttpRequest,
    HttpResponse,
    RetryPolicy,
    Send,
    Sleep,
    Step,
    TransportFailure,
)

__all__ = ["AsyncTikTokShopClient", "TikTokShopClient", "raise_for_partial"]


class _NoQueryInHttpxLogs(logging.Filter):
    """httpx logs each request URL at INFO; its query carries ``sign``: cut it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                strip_query(a) if isinstance(a, str) else _url_text(a) for a in record.args
            )
        return True


def _url_text(value: Any) -> Any:
    return strip_query(str(value)) if type(value).__name__ == "URL" else value


_HTTPX_LOGGER = logging.getLogger("httpx")
if not any(isinstance(f, _NoQueryInHttpxLogs) for f in _HTTPX_LOGGER.filters):
    _HTTPX_LOGGER.addFilter(_NoQueryInHttpxLogs())


def raise_for_partial(reply: PlatformReply, operation: str = "call") -> PlatformReply:
    """``reply`` itself, or ``PartialFailure`` when some of its items were refused.

    Raises:
        PartialFailure: The reply is code 0 with per-item errors.

    """
    if reply.partial:
        raise PartialFailure(operation, reply.item_errors, reply.request_id)
    return reply


def _timeout(policy: RetryPolicy) -> httpx.Timeout:
    return httpx.Timeout(policy.timeout)


def _failure(error: httpx.TransportError, redact: Callable[[str], str]) -> TransportFailure:
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        kind = "connect"
    elif isinstance(error, httpx.TimeoutException):
        kind = "timeout"
    else:
        kind = "dropped"
    return TransportFailure(kind, redact(f"{type(error).__name__}: {error}"))


def _response(raw: httpx.Response) -> HttpResponse:
    return HttpResponse(
        raw.status_code, raw.content, {k.lower(): v for k, v in raw.headers.items()}
    )


def _core(
    credentials: Credentials,
    base_url: str,
    retry: RetryPolicy | None,
    clock: Callable[[], float] | None,
    rng: random.Random | None,
) -> ClientCore:
    return ClientCore(
        credentials, base_url=base_url, retry=retry, clock=clock or time.time, rng=rng
    )


class TikTokShopClient:
    """A synchronous TikTok Shop client (one ``httpx.Client``, connection pooling).

    Args:
        credentials: App key and secret, the shop's access token and cipher.
        base_url: The API host.
        retry: Attempts, backoff and per-attempt timeout.
        transport: An httpx transport (tests), if not the network's.
        clock: Unix seconds now (for ``timestamp``); ``time.time`` by default.
        rng: Random source of the backoff jitter.
        sleep: How to wait between retries; ``time.sleep`` by default.

    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.core = _core(credentials, base_url, retry, clock, rng)
        self._sleep = sleep
        self._http = httpx.Client(timeout=_timeout(self.core.retry), transport=transport)

    def _perform(self, http: HttpRequest) -> Answer:
        try:
            raw = self._http.request(
                http.method, http.url, headers=dict(http.headers), content=http.content
            )
        except httpx.TransportError as error:
            return _failure(error, self.core.redact)
        return _response(raw)

    def send(self, request: PlatformRequest) -> PlatformReply:
        """Send one request (signed, retried as the policy allows) and read the reply.

        Returns:
            The reply; check `PlatformReply.partial` (or use
            `raise_for_partial`) for per-item failures.

        Raises:
            PlatformAuthFailed: Bad or expired credentials.
            PlatformRateLimited: Still rate-limited after the last attempt.
            PlatformUnavailable: Network errors or 5xx after the last attempt.
            PlatformDecisionRejected: The platform refused the decision.
            PlatformResponseError: Any other refusal.

        """
        steps: Generator[Step, Answer, PlatformReply] = self.core.call(request)
        answer: Answer = None
        try:
            while True:
                step = steps.send(answer)
                if isinstance(step, Send):
                    answer = self._perform(step.request)
                elif isinstance(step, Sleep):
                    self._sleep(step.seconds)
                    answer = None
        except StopIteration as done:
            reply: PlatformReply = done.value
            return reply

    def pages(self, request: PlatformRequest) -> Iterator[PlatformReply]:
        """Every page of a search, following ``next_page_token`` until it is empty.

        Each page is fetched when the iterator reaches it.
        """
        current: PlatformRequest | None = request
        while current is not None:
            reply = self.send(current)
            yield reply
            current = self.core.next_page(current, reply)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> TikTokShopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncTikTokShopClient:
    """The asyncio (anyio) twin of `TikTokShopClient`: the same core, awaited.

    Args:
        credentials: App key and secret, the shop's access token and cipher.
        base_url: The API host.
        retry: Attempts, backoff and per-attempt timeout.
        transport: An httpx async transport (tests), if not the network's.
        clock: Unix seconds now; ``time.time`` by default.
        rng: Random source of the backoff jitter.

    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.core = _core(credentials, base_url, retry, clock, rng)
        self._http = httpx.AsyncClient(timeout=_timeout(self.core.retry), transport=transport)

    async def _perform(self, http: HttpRequest) -> Answer:
        try:
            raw = await self._http.request(
                http.method, http.url, headers=dict(http.headers), content=http.content
            )
        except httpx.TransportError as error:
            return _failure(error, self.core.redact)
        return _response(raw)

    async def send(self, request: PlatformRequest) -> PlatformReply:
        """Send one request; see `TikTokShopClient.send` (same errors)."""
        steps: Generator[Step, Answer, PlatformReply] = self.core.call(request)
        answer: Answer = None
        try:
            while True:
                step = steps.send(answer)
                if isinstance(step, Send):
                    answer = await self._perform(step.request)
                elif isinstance(step, Sleep):
                    await anyio.sleep(step.seconds)
                    answer = None
        except StopIteration as done:
            reply: PlatformReply = done.value
            return reply

    async def pages(self, request: PlatformRequest) -> AsyncIterator[PlatformReply]:
        """Every page of a search, following ``next_page_token`` (as the sync client)."""
        current: PlatformRequest | None = request
        while current is not None:
            reply = await self.send(current)
            yield reply
            current = self.core.next_page(current, reply)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTikTokShopClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
