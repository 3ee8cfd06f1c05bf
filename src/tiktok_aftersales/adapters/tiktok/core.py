"""The sans-I/O core of the TikTok Shop client: written once, run by a sync and an async shell.

`ClientCore` knows everything about a call except how bytes travel:

- `ClientCore.build` turns a `PlatformRequest`
  (which carries no credentials) into a signed `HttpRequest`: the
  common query parameters ``app_key``, ``timestamp``, ``shop_cipher`` and
  ``sign``, the ``x-tts-access-token`` header, the compact JSON body;
- `ClientCore.read` turns an `HttpResponse` into a
  `PlatformReply` (per-item ``errors`` on
  code 0 become `PlatformReply.item_errors`, a partial failure) or
  raises the library's typed error for the platform's code;
- `ClientCore.call` is the whole exchange with bounded retries, as a
  generator of `Send` and `Sleep` steps: the shell performs
  each step and sends back the `HttpResponse` (or a
  `TransportFailure`). The retry and backoff logic therefore exists
  once, for both shells;
- `ClientCore.next_page` gives the request for the following
  ``page_token`` page, or ``None`` after the last one.

Retries: HTTP 429, HTTP 5xx, the platform's rate-limit code (36009002) and
its "internal error, try again" code (36009003), and network failures, up to
`RetryPolicy.attempts` attempts with exponential backoff and full
jitter. A call that may have reached the platform (a read timeout, a dropped
connection, a 5xx) is repeated only when repeating it cannot act twice: a
``GET``, a search, or a call carrying an idempotency key. Each attempt is
signed afresh (the timestamp must be within five minutes of the platform's
clock).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Generator, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import attrs

from ...errors import (
    InvalidValue,
    PlatformAuthFailed,
    PlatformDecisionRejected,
    PlatformRateLimited,
    PlatformRequestInvalid,
    PlatformResponseError,
    PlatformUnavailable,
)
from ...platform import PLATFORM_CODES, ItemError, PlatformReply, PlatformRequest
from .._redact import Redactor
from .signing import sign

__all__ = [
    "AUTH_CODES",
    "DEFAULT_BASE_URL",
    "ORDER_CODES",
    "RATE_LIMIT_CODES",
    "RETRYABLE_CODES",
    "ClientCore",
    "Credentials",
    "HttpRequest",
    "HttpResponse",
    "RetryPolicy",
    "Send",
    "Sleep",
    "TransportFailure",
]

logger = logging.getLogger("tiktok_aftersales.adapters.tiktok")

DEFAULT_BASE_URL = "https://open-api.tiktokglobalshop.com"

RATE_LIMIT_CODES = frozenset({36009002})
"""Platform codes that mean "too many requests" (Partner Center, "Common errors")."""

RETRYABLE_CODES = RATE_LIMIT_CODES | {36009003}
"""Platform codes worth a retry: rate limits and 36009003 "Internal error. Please try again"."""

AUTH_CODES = frozenset({105001, 105002, 105003, 105004, 105005, 106001, 106013, 101000})
"""Codes about credentials: invalid or expired access token (105001, 105002), missing
scope (105005), invalid signature (106001), missing or wrong ``shop_cipher`` (106013,
101000). Retrying does not help."""

ORDER_CODES = frozenset({25001011, 25001021, 25001028, 25001045, 25001051, 25005005, 25007007})
"""Order- and request-level refusals beyond the decision codes of ``PLATFORM_CODES``
(a request already in process, over-refund, negotiation in progress, ...)."""

_DECISION_CODES = frozenset(PLATFORM_CODES) | ORDER_CODES | {25011023, 25011025, 25011026}
_COMMON = frozenset({"app_key", "timestamp", "sign", "access_token", "shop_cipher"})
_READ_OPERATIONS = ("search", "get", "calculate", "list")


@attrs.frozen(repr=False)
class Credentials:
    """What an app and a shop sign with. Never printed: ``repr`` hides the secret and the token.

    Attributes:
        app_key: The app key (public).
        app_secret: The app secret (signs every request; never sent).
        access_token: The shop's access token (sent in ``x-tts-access-token``).
        shop_cipher: The shop's cipher (a query parameter of shop-scoped calls).

    """

    app_key: str
    app_secret: str
    access_token: str | None = None
    shop_cipher: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(app_key={self.app_key!r}, app_secret=<hidden>, access_token=<hidden>)"


@attrs.frozen
class RetryPolicy:
    """How often and how patiently a call is retried.

    Attributes:
        attempts: Attempts in all, the first included (at least 1).
        base_delay: The first backoff, in seconds; it doubles each retry.
        max_delay: The longest single wait, in seconds (a ``Retry-After``
            header is honoured up to this).
        timeout: Seconds allowed per attempt (connect, read, write each).

    """

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    timeout: float = 10.0

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidValue("attempts", self.attempts, "at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.timeout <= 0:
            raise InvalidValue("delay", (self.base_delay, self.max_delay), "non-negative")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based): full jitter.

        A uniform draw in ``[0, min(max_delay, base_delay * 2**(retry-1))]``,
        or the server's ``Retry-After`` when it asks for longer (capped).
        """
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry - 1)))
        wait = rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait


@attrs.frozen(repr=False)
class HttpRequest:
    """A concrete, signed HTTP request. Its ``url`` and ``headers`` hold secrets: do not log them.

    Attributes:
        method: ``GET`` or ``POST``.
        url: The full URL, query (with ``sign``) included.
        headers: The headers (``x-tts-access-token``, ``content-type``).
        content: The body bytes exactly as signed.
        operation: The request's operation name (for logs).
        path: The path without the query (safe to log).

    """

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes
    operation: str
    path: str

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.path}, operation={self.operation!r})"


@attrs.frozen
class HttpResponse:
    """A raw HTTP response as a shell received it.

    Attributes:
        status: The HTTP status code.
        headers: The response headers (lower-case names).
        content: The body bytes.

    """

    status: int
    content: bytes
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class TransportFailure:
    """A request that got no HTTP response.

    Attributes:
        kind: ``"connect"`` (never reached the server), ``"timeout"`` or
            ``"dropped"`` (the connection broke after sending: it may have
            reached the server).
        message: The error text, secrets already removed by the shell.

    """

    kind: str
    message: str


@attrs.frozen
class Send:
    """Step: send this request; answer an `HttpResponse` or a `TransportFailure`."""

    request: HttpRequest


@attrs.frozen
class Sleep:
    """Step: wait this many seconds, then answer ``None``."""

    seconds: float


Step = Send | Sleep
Answer = HttpResponse | TransportFailure | None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise InvalidValue("body", type(value).__name__, "JSON values (str, int, bool, Decimal, ...)")


def encode_body(body: Mapping[str, Any] | None) -> bytes:
    """The compact JSON bytes of a body (``b""`` for none); Decimals as strings."""
    if body is None:
        return b""
    return json.dumps(
        body, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode("utf-8")


def _item_errors(data: Mapping[str, Any]) -> tuple[ItemError, ...]:
    raw = data.get("errors")
    if not isinstance(raw, list):
        return ()
    out = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        code_text = str(entry.get("code", "-1"))
        code = int(code_text) if code_text.lstrip("-").isdigit() else -1
        detail = {k: v for k, v in entry.items() if k not in ("code", "message")}
        item_id = next(
            (
                str(v)
                for k in ("request_id", "aftersales_request_id", "return_line_item_id", "id")
                for v in [entry.get(k, (entry.get("detail") or {}).get(k))]
                if v is not None
            ),
            None,
        )
        out.append(ItemError(code, str(entry.get("message", "")), item_id, detail or None))
    return tuple(out)


def safe_to_repeat(request: PlatformRequest) -> bool:
    """Whether sending ``request`` twice cannot act twice (a read, or an idempotency key)."""
    return (
        request.method == "GET"
        or request.idempotency_key is not None
        or "idempotency_key" in request.query
        or request.operation.startswith(_READ_OPERATIONS)
        or request.path.endswith("/search")
    )


class ClientCore:
    """Signs requests, reads responses and drives retries; does no I/O itself.

    Args:
        credentials: App key and secret, access token, shop cipher.
        base_url: The API host (the platform's global host by default).
        retry: The retry policy.
        clock: Unix seconds now (the ``timestamp`` parameter).
        rng: The jitter's random source (seed it in tests).

    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        if not credentials.app_key or not credentials.app_secret:
            raise InvalidValue("credentials", credentials, "an app key and an app secret")
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._rng = rng or random.Random()
        self.redact = Redactor([credentials.app_secret, credentials.access_token])

    # -- building -------------------------------------------------------------

    def build(self, request: PlatformRequest) -> HttpRequest:
        """The signed HTTP request for ``request``, timestamped now.

        Raises:
            InvalidValue: The request sets a common parameter itself, or its
                body is not JSON-serialisable.

        """
        clash = _COMMON & set(request.query)
        if clash:
            raise InvalidValue(
                "query", sorted(clash), "common parameters are the adapter's, not the request's"
            )
        creds = self.credentials
        query: dict[str, str] = {
            **request.query,
            "app_key": creds.app_key,
            "timestamp": str(int(self._clock())),
        }
        if request.idempotency_key is not None and "idempotency_key" not in query:
            query["idempotency_key"] = request.idempotency_key
        if creds.shop_cipher and not request.path.startswith("/authorization/"):
            query["shop_cipher"] = creds.shop_cipher
        content = encode_body(request.body)
        signature = sign(request.path, query, content, creds.app_secret)
        query["sign"] = signature  # never logged: the redactor cuts any 64-hex digest
        headers = {"content-type": "application/json"}
        if creds.access_token:
            headers["x-tts-access-token"] = creds.access_token
        url = f"{self.base_url}{request.path}?{urlencode(sorted(query.items()))}"
        return HttpRequest(request.method, url, headers, content, request.operation, request.path)

    # -- reading --------------------------------------------------------------

    def read(self, request: PlatformRequest, response: HttpResponse) -> PlatformReply:
        """The platform's answer to ``request``, or its typed error.

        Args:
            request: What was sent.
            response: What came back (final: retries are `call`'s job).

        Returns:
            The reply; code 0 with per-item ``errors`` is a partial failure
            (`PlatformReply.partial`), not an exception.

        Raises:
            PlatformAuthFailed: Bad or expired credentials or signature.
            PlatformRateLimited: HTTP 429 or a rate-limit code.
            PlatformDecisionRejected: The request's state refuses the decision.
            PlatformRequestInvalid: A missing or invalid parameter.
            PlatformUnavailable: HTTP 5xx, or the platform's internal error.
            PlatformResponseError: Any other non-zero code, or a body that is
                not the platform's JSON envelope.

        """
        envelope = self._envelope(response)
        if envelope is None:
            if response.status == 429:
                raise PlatformRateLimited(429, "HTTP 429 Too Many Requests")
            if response.status >= 500:
                raise PlatformUnavailable(
                    request.operation, 1, f"HTTP {response.status}", response.status
                )
            if response.status in (401, 403):
                raise PlatformAuthFailed(response.status, f"HTTP {response.status}")
            raise PlatformResponseError(-1, f"HTTP {response.status}: not a JSON API response")
        code, message, request_id, data = envelope
        if code == 0 and response.status < 400:
            return PlatformReply(code, message, request_id, data, _item_errors(data))
        raise self._error(request, response.status, code, message, request_id)

    def _envelope(
        self, response: HttpResponse
    ) -> tuple[int, str, str | None, Mapping[str, Any]] | None:
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(body, Mapping) or "code" not in body:
            return None
        try:
            code = int(body["code"])
        except (TypeError, ValueError):
            return None
        data = body.get("data")
        request_id = body.get("request_id")
        return (
            code,
            self.redact(str(body.get("message", ""))),
            None if request_id is None else str(request_id),
            data if isinstance(data, Mapping) else {},
        )

    def _error(
        self, request: PlatformRequest, status: int, code: int, message: str, request_id: str | None
    ) -> Exception:
        if status == 429 or code in RATE_LIMIT_CODES:
            return PlatformRateLimited(code, message, request_id)
        if code in AUTH_CODES or status in (401, 403):
            return PlatformAuthFailed(code, message, request_id)
        if code == 36009004:
            lowered = message.lower()
            if any(w in lowered for w in ("access_token", "app_key", "signature", "sign ")):
                return PlatformAuthFailed(code, message, request_id)
            return PlatformRequestInvalid(code, message, request_id)
        if code in _DECISION_CODES:
            return PlatformDecisionRejected(code, message, request_id)
        if status >= 500 or code in RETRYABLE_CODES:
            return PlatformUnavailable(request.operation, 1, f"platform code {code}", status)
        return PlatformResponseError(code, message, request_id)

    # -- retrying -------------------------------------------------------------

    def _retry_reason(self, request: PlatformRequest, answer: Answer) -> str | None:
        """Why ``answer`` deserves another attempt, or ``None`` when it is final."""
        if isinstance(answer, TransportFailure):
            if answer.kind == "connect" or safe_to_repeat(request):
                return f"{answer.kind}: {answer.message}"
            return None
        if answer is None:
            return None
        if answer.status == 429:
            return "HTTP 429"
        envelope = self._envelope(answer)
        code = envelope[0] if envelope is not None else None
        if code in RATE_LIMIT_CODES:
            return f"platform code {code}"
        if (answer.status >= 500 or code in RETRYABLE_CODES) and (
            answer.status == 503 or safe_to_repeat(request)
        ):
            return f"HTTP {answer.status}" if code is None else f"platform code {code}"
        return None

    def _rate_limited(self, answer: Answer) -> bool:
        if not isinstance(answer, HttpResponse):
            return False
        envelope = self._envelope(answer)
        return answer.status == 429 or (envelope is not None and envelope[0] in RATE_LIMIT_CODES)

    def call(self, request: PlatformRequest) -> Generator[Step, Answer, PlatformReply]:
        """The whole exchange for ``request``, as steps for a shell to perform.

        Yields:
            `Send` (answer with the response or a `TransportFailure`)
            and `Sleep` (answer ``None``).

        Returns:
            The reply (see `read`).

        Raises:
            PlatformRateLimited: Still rate-limited after the last attempt.
            PlatformUnavailable: Still failing (network, 5xx) after the last attempt.
            PlatformResponseError: The platform refused (see `read`).

        """
        attempts = self.retry.attempts
        last_status: int | None = None
        for attempt in range(1, attempts + 1):
            http = self.build(request)
            answer = yield Send(http)
            reason = self._retry_reason(request, answer)
            status = answer.status if isinstance(answer, HttpResponse) else None
            last_status = status if status is not None else last_status
            self._log_attempt(request, attempt, answer, reason)
            if reason is None:
                break
            if attempt == attempts:
                if self._rate_limited(answer):
                    raise PlatformRateLimited(
                        429 if status == 429 else 36009002, f"{request.operation}: {reason}"
                    )
                raise PlatformUnavailable(request.operation, attempt, reason, last_status)
            retry_after = None
            if isinstance(answer, HttpResponse):
                retry_after = _retry_after(answer.headers.get("retry-after"))
            yield Sleep(self.retry.delay(attempt, self._rng, retry_after))
        if isinstance(answer, TransportFailure):
            raise PlatformUnavailable(
                request.operation, attempt, f"{answer.kind}: {answer.message}", last_status
            )
        if answer is None:
            raise PlatformUnavailable(request.operation, attempt, "no answer", last_status)
        reply = self.read(request, answer)
        if reply.partial:
            logger.warning(
                "partial failure",
                extra=_fields(request, outcome="partial", items=len(reply.item_errors)),
            )
        return reply

    def _log_attempt(
        self, request: PlatformRequest, attempt: int, answer: Answer, reason: str | None
    ) -> None:
        status = answer.status if isinstance(answer, HttpResponse) else None
        outcome = "retry" if reason is not None else "final"
        level = logging.INFO if reason is None else logging.WARNING
        logger.log(
            level,
            "platform call",
            extra=_fields(
                request,
                attempt=attempt,
                http_status=status,
                outcome=outcome,
                reason=self.redact(reason) if reason else None,
            ),
        )

    # -- paging ---------------------------------------------------------------

    @staticmethod
    def next_page(request: PlatformRequest, reply: PlatformReply) -> PlatformRequest | None:
        """The request for the page after ``reply``, or ``None`` when it was the last."""
        token = reply.data.get("next_page_token")
        if not token or token == request.query.get("page_token"):
            return None
        return request.with_query(page_token=str(token))


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _fields(request: PlatformRequest, **more: Any) -> dict[str, Any]:
    """Structured log fields of a call (never credentials, bodies or signatures)."""
    return {
        "operation": request.operation,
        "method": request.method,
        "path": request.path,
        "case_id": request.case_id,
        "idempotency_key": request.idempotency_key,
        **more,
    }
