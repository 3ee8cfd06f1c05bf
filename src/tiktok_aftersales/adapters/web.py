"""A webhook receiver for TikTok Shop deliveries (the ``[web]`` extra, Starlette).

`webhook_app` is one ASGI route. For each delivery it reads the raw
body bytes (never re-encoded: the signature is over them), takes the
headers and the arrival time, and hands the three to the host's handler::

    handler(body: bytes, headers: Mapping[str, str], received_at: datetime) -> outcome

The handler is the service's one way in (it verifies the signature, refuses
stale deliveries, deduplicates, reconciles and saves). The receiver only
translates its result into the HTTP answer the platform expects, quickly
(the platform waits at most 3 seconds and retries a failed delivery four
times, after 2 minutes, 30 minutes, 3 hours and 12 hours):

=============================================  ==========  ======================
handler                                        HTTP        the platform then
=============================================  ==========  ======================
returns (applied, duplicate, stale, ...)       200, empty  stops
raises [`InvalidSignature`][tiktok_aftersales.errors.InvalidSignature]  401  stops (auth failure)
raises [`InvalidValue`][tiktok_aftersales.errors.InvalidValue]      400  retries (harmless)
raises anything else (a database outage)       503         retries later
=============================================  ==========  ======================

A synchronous handler runs in a worker thread, so a slow store does not
stall the event loop; an ``async def`` handler is awaited. Bodies larger
than ``max_body`` bytes are refused with 413 before the handler sees them.
Nothing from the body is logged (it may carry buyer data); the log records
the outcome, the status and the handling time.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

try:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
except ImportError as error:  # pragma: no cover - depends on the environment
    from ..errors import MissingExtra

    raise MissingExtra("starlette", "web") from error

from ..errors import InvalidSignature, InvalidValue

__all__ = ["DEFAULT_PATH", "Handler", "outcome_name", "webhook_app"]

logger = logging.getLogger("tiktok_aftersales.adapters.web")

DEFAULT_PATH = "/webhooks/tiktok"

Handler = Callable[[bytes, Mapping[str, str], datetime], Any]
"""``(body, headers, received_at) -> outcome``; may be ``async def``."""


def outcome_name(outcome: Any) -> str:
    """A short name of a handler's outcome for logs (``"applied"``, ``"duplicate"``).

    Reads ``outcome.outcome``, ``outcome.kind`` or ``outcome.value`` (an
    enum), whichever exists, else the class name; never the payload.
    """
    for attribute in ("outcome", "kind", "value"):
        value = getattr(outcome, attribute, None)
        if value is not None and not callable(value):
            return str(getattr(value, "value", value))[:40]
    if isinstance(outcome, str):
        return outcome[:40]
    return type(outcome).__name__


def webhook_app(
    handler: Handler,
    *,
    path: str = DEFAULT_PATH,
    clock: Callable[[], datetime] | None = None,
    max_body: int = 1 << 20,
) -> Starlette:
    """An ASGI app with one ``POST`` route that hands each delivery to ``handler``.

    Args:
        handler: The one way in: ``(body, headers, received_at) -> outcome``.
        path: The route (``/webhooks/tiktok`` by default).
        clock: The arrival time source (UTC now by default).
        max_body: The largest body accepted, in bytes.

    Returns:
        A Starlette application (serve it with uvicorn or any ASGI server).

    """
    now = clock or (lambda: datetime.now(UTC))
    is_async = inspect.iscoroutinefunction(handler)

    async def receive(request: Request) -> Response:
        received_at = now()
        started = time.perf_counter()
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            return _answer(413, "too large", started)
        body = await request.body()
        if len(body) > max_body:
            return _answer(413, "too large", started)
        headers: Mapping[str, str] = request.headers
        try:
            if is_async:
                outcome = await handler(body, headers, received_at)
            else:
                outcome = await run_in_threadpool(handler, body, headers, received_at)
        except InvalidSignature as refused:
            return _answer(401, f"signature {refused.reason}", started)
        except InvalidValue as refused:
            return _answer(400, f"refused {refused.field}", started)
        except Exception as failure:  # the platform retries: answer 503, log the type only
            logger.error(
                "webhook handler failed",
                extra={"outcome": "error", "http_status": 503, "error": type(failure).__name__},
            )
            return _answer(503, "error", started, log=False)
        status = getattr(outcome, "status", 200)
        return _answer(status if isinstance(status, int) else 200, outcome_name(outcome), started)

    return Starlette(routes=[Route(path, receive, methods=["POST"])])


def _answer(status: int, outcome: str, started: float, *, log: bool = True) -> Response:
    if log:
        logger.info(
            "webhook delivery",
            extra={
                "outcome": outcome,
                "http_status": status,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
    return Response(b"", status_code=status)
