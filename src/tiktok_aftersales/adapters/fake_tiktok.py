"""A fake TikTok Shop Open API for tests and demos (the ``[web]`` extra: Starlette, uvicorn).

`FakeTikTokShop` is an ASGI app that behaves like the parts of the
platform this library calls, over real HTTP:

- it checks every request as the platform does: ``app_key``, a ``timestamp``
  within five minutes, the ``x-tts-access-token`` header and the ``sign``
  (the documented HMAC-SHA256 rule of `tiktok_aftersales.adapters.tiktok.signing`);
- it serves the bundled fixtures (returns and cancellations searches, return
  records, reject reasons, refund calculation, decision eligibility) and pages
  the searches with ``page_size`` / ``page_token``;
- it keeps state: a seller decision (approve, reject, the batch review)
  changes the record, so the next search shows the new status; a repeated
  ``idempotency_key`` acts once;
- it injects faults on demand (`FakeTikTokShop.inject`): HTTP 429, 5xx,
  the platform's rate-limit code, slow responses and dropped connections.

`serve` runs it with uvicorn on 127.0.0.1 on a free port, in a thread,
and stops it on exit::

    with serve(FakeTikTokShop.from_fixtures(path, app_key="k", app_secret="s")) as url:
        ...  # point a TikTokShopClient at ``url``
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send
except ImportError as error:  # pragma: no cover - depends on the environment
    from ..errors import MissingExtra

    raise MissingExtra("starlette", "web") from error

from .tiktok.signing import sign

__all__ = ["FakeTikTokShop", "Fault", "serve"]

_APPROVE = {
    "APPROVE_REFUND": "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "APPROVE_RETURN": "AWAITING_BUYER_SHIP",
    "APPROVE_RECEIVED_PACKAGE": "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "APPROVE_REPLACEMENT": "REPLACEMENT_REQUEST_COMPLETE",
    "ISSUE_REPLACEMENT_REFUND": "REPLACEMENT_REQUEST_REFUND_SUCCESS",
    "OFFER_PARTIAL_REFUND": "AWAITING_BUYER_RESPONSE",
}
_REJECT = {
    "REJECT_REFUND": "REFUND_OR_RETURN_REQUEST_REJECT",
    "REJECT_RETURN": "REFUND_OR_RETURN_REQUEST_REJECT",
    "REJECT_RECEIVED_PACKAGE": "REJECT_RECEIVE_PACKAGE",
    "REJECT_REPLACEMENT": "REPLACEMENT_REQUEST_REJECT",
}
_DECIDABLE = {
    "RETURN_OR_REFUND_REQUEST_PENDING",
    "REPLACEMENT_REQUEST_PENDING",
    "BUYER_SHIPPED_ITEM",
}
_RECEIVE_DECISIONS = {"APPROVE_RECEIVED_PACKAGE", "REJECT_RECEIVED_PACKAGE"}
_REVIEW = {
    "APPROVE_REQUEST": "AWAITING_BUYER_SHIP",
    "REJECT_REQUEST": "REFUND_OR_RETURN_REQUEST_REJECT",
    "APPROVE_RETURN_PACKAGE": "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "REJECT_RETURN_PACKAGE": "REJECT_RECEIVE_PACKAGE",
}


@attrs.define
class Fault:
    """One injected fault, consumed by the next ``times`` matching requests.

    Attributes:
        kind: ``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"rate_code"``
            (HTTP 200 with code 36009002), ``"internal_code"`` (36009003),
            ``"slow"`` (wait ``delay`` seconds, then answer normally) or
            ``"drop"`` (start the response and break the connection).
        times: How many requests it still applies to.
        path: Only requests whose path contains this (all when ``None``).
        delay: Seconds to wait for ``"slow"``.

    """

    kind: str
    times: int = 1
    path: str | None = None
    delay: float = 0.0


@attrs.frozen
class Call:
    """A request the fake received (after its signature was checked).

    Attributes:
        method: The HTTP method.
        path: The path.
        query: The decoded query parameters (``sign`` included).
        body: The decoded JSON body, if any.
        signed: Whether its signature, key, token and timestamp were valid.
        fault: The fault injected into it, if any.

    """

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    signed: bool
    fault: str | None = None


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _envelope(data: Any = None, code: int = 0, message: str = "Success") -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "request_id": f"fake-{time.monotonic_ns()}",
        "data": {} if data is None else data,
    }


_CANCEL_OUTCOME = {
    "approve": "CANCELLATION_REQUEST_SUCCESS",
    "reject": "CANCELLATION_REQUEST_CANCEL",
}
"""The cancellation status each decision path of the fake platform leads to."""


class FakeTikTokShop:
    """The fake platform: state, signature checks, fault injection.

    Args:
        app_key: The only app key it accepts.
        app_secret: The secret it verifies signatures with.
        access_token: The only access token it accepts.
        returns: Return records (``return_orders`` items) it starts with.
        cancellations: Cancellation records it starts with.
        documents: Canned ``data`` objects by name (``"return_records"``,
            ``"reject_reasons"``, ``"calculate_refund"``, ``"decision_eligibility"``).
        clock: Unix seconds now (to check ``timestamp``).

    """

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        access_token: str,
        returns: list[dict[str, Any]] | None = None,
        cancellations: list[dict[str, Any]] | None = None,
        documents: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token = access_token
        self.returns: dict[str, dict[str, Any]] = {r["return_id"]: r for r in returns or []}
        self.cancellations: dict[str, dict[str, Any]] = {
            c["cancel_id"]: c for c in cancellations or []
        }
        self.documents = dict(documents or {})
        self.clock = clock
        self.calls: list[Call] = []
        self.applied: dict[str, int] = {}
        """Idempotency key to how many times a decision with it took effect (at most 1)."""
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        routes = [
            Route("/return_refund/{v}/returns/search", self._search_returns, methods=["POST"]),
            Route(
                "/return_refund/{v}/cancellations/search",
                self._search_cancellations,
                methods=["POST"],
            ),
            Route("/return_refund/{v}/returns/{rid}/approve", self._approve, methods=["POST"]),
            Route("/return_refund/{v}/returns/{rid}/reject", self._reject, methods=["POST"]),
            Route(
                "/return_refund/{v}/cancellations/{cid}/{action}",
                self._decide_cancel,
                methods=["POST"],
            ),
            Route("/return_refund/{v}/returns/{rid}/records", self._records, methods=["GET"]),
            Route("/return_refund/{v}/reject_reasons", self._doc("reject_reasons")),
            Route("/return_refund/{v}/decision_eligibility", self._doc("decision_eligibility")),
            Route(
                "/return_refund/{v}/refunds/calculate",
                self._doc("calculate_refund"),
                methods=["POST"],
            ),
            Route("/return_refund/{v}/aftersales/review", self._review, methods=["POST"]),
        ]
        self._app = Starlette(routes=routes)

    @classmethod
    def from_fixtures(
        cls, directory: str | Path, *, app_key: str, app_secret: str, access_token: str
    ) -> FakeTikTokShop:
        """A fake seeded with the platform fixtures in ``directory``.

        Every ``returns_search_response*.json`` and
        ``cancellations_search_response*.json`` adds its records; the other
        responses are served as canned documents.
        """
        folder = Path(directory)
        returns: list[dict[str, Any]] = []
        cancellations: list[dict[str, Any]] = []
        for path in sorted(folder.glob("returns_search_response*.json")):
            returns.extend(_read(path)["data"]["return_orders"])
        for path in sorted(folder.glob("cancellations_search_response*.json")):
            cancellations.extend(_read(path)["data"]["cancellations"])
        documents = {}
        for name, file in {
            "return_records": "return_records_response.doc.json",
            "reject_reasons": "reject_reasons_response.live.json",
            "calculate_refund": "calculate_refund_response.doc.json",
            "decision_eligibility": "decision_eligibility_response.live.json",
        }.items():
            if (folder / file).exists():
                documents[name] = _read(folder / file)["data"]
        return cls(
            app_key=app_key,
            app_secret=app_secret,
            access_token=access_token,
            returns=returns,
            cancellations=cancellations,
            documents=documents,
        )

    # -- fault injection --------------------------------------------------------

    def inject(
        self, kind: str, times: int = 1, *, path: str | None = None, delay: float = 0.0
    ) -> None:
        """Make the next ``times`` requests (whose path contains ``path``) fail as ``kind``."""
        with self._lock:
            self.faults.append(Fault(kind, times, path, delay))

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and (fault.path is None or fault.path in path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # -- ASGI -------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI request: inject a pending fault, or check and answer it."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path = scope["path"]
        fault = self._take_fault(path)
        if fault is not None and fault.kind == "drop":
            self._record_raw(scope, "drop")
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"code":', "more_body": True})
            raise ConnectionAbortedError("fake platform: dropped connection on purpose")
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            fault = None
        if fault is not None:
            self._record_raw(scope, fault.kind)
            await self._fault_response(fault.kind)(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _record_raw(self, scope: Scope, fault: str) -> None:
        self.calls.append(Call(scope["method"], scope["path"], {}, None, False, fault))

    @staticmethod
    def _fault_response(kind: str) -> Response:
        if kind == "429":
            return JSONResponse(
                _envelope(code=36009002, message="Too many requests"),
                status_code=429,
                headers={"retry-after": "0"},
            )
        if kind == "rate_code":
            return JSONResponse(_envelope(code=36009002, message="Too many requests"))
        if kind == "internal_code":
            return JSONResponse(
                _envelope(code=36009003, message="Internal error. Please try again")
            )
        return Response(b"upstream error", status_code=int(kind))

    async def _check(self, request: Request) -> tuple[Any, Response | None]:
        """Verify a request as the platform would; return its body or the refusal."""
        raw = await request.body()
        query = dict(request.query_params)
        body = json.loads(raw) if raw else None
        refusal = self._refusal(request, query, raw)
        self.calls.append(
            Call(request.method, request.url.path, query, body, refusal is None, None)
        )
        return body, refusal

    def _refusal(self, request: Request, query: dict[str, str], raw: bytes) -> Response | None:
        if query.get("app_key") != self.app_key:
            return JSONResponse(
                _envelope(code=36009004, message="Invalid app_key."), status_code=400
            )
        try:
            skew = abs(self.clock() - int(query.get("timestamp", "")))
        except ValueError:
            skew = float("inf")
        if skew > 300:
            return JSONResponse(
                _envelope(code=36009004, message="Invalid timestamp."), status_code=400
            )
        expected = sign(request.url.path, query, raw, self.app_secret)
        if query.get("sign") != expected:
            return JSONResponse(
                _envelope(code=106001, message="signature is invalid"), status_code=401
            )
        if request.headers.get("x-tts-access-token") != self.access_token:
            return JSONResponse(
                _envelope(code=105002, message="access token is expired"), status_code=401
            )
        return None

    # -- endpoints --------------------------------------------------------------

    def _page(self, request: Request, records: list[dict[str, Any]], key: str) -> JSONResponse:
        query = request.query_params
        size = int(query.get("page_size", "10"))
        start = int(query.get("page_token") or "0")
        chunk = records[start : start + size]
        following = start + size
        token = str(following) if following < len(records) else ""
        data = {key: chunk, "total_count": len(records), "next_page_token": token}
        return JSONResponse(_envelope(data))

    @staticmethod
    def _filter(records: list[dict[str, Any]], body: Any, field: str) -> list[dict[str, Any]]:
        body = body or {}
        ids = body.get(f"{field}s")
        orders = body.get("order_ids")
        out = [r for r in records if ids is None or r[field] in ids]
        out = [r for r in out if orders is None or r.get("order_id") in orders]
        return sorted(out, key=lambda r: (r.get("create_time", 0), r[field]))

    async def _search_returns(self, request: Request) -> Response:
        body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        records = self._filter(list(self.returns.values()), body, "return_id")
        return self._page(request, records, "return_orders")

    async def _search_cancellations(self, request: Request) -> Response:
        body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        records = self._filter(list(self.cancellations.values()), body, "cancel_id")
        return self._page(request, records, "cancellations")

    def _once(self, key: str | None, change: Callable[[], Response]) -> Response:
        if key is not None and self.applied.get(key):
            return JSONResponse(_envelope())
        response = change()
        if key is not None and response.status_code == 200 and b'"code":0' in response.body:
            self.applied[key] = self.applied.get(key, 0) + 1
        return response

    def _decide_return(self, rid: str, decision: str, table: Mapping[str, str]) -> Response:
        record = self.returns.get(rid)
        if record is None:
            return JSONResponse(_envelope(code=25001002, message="return not found"))
        status = record["return_status"]
        receiving = decision in _RECEIVE_DECISIONS
        if (
            decision not in table
            or status not in _DECIDABLE
            or (receiving != (status == "BUYER_SHIPPED_ITEM"))
        ):
            code = 25011013 if receiving else 25011012
            return JSONResponse(_envelope(code=code, message="decision not match reverse status"))
        record["return_status"] = table[decision]
        record["update_time"] = int(self.clock())
        return JSONResponse(_envelope())

    async def _approve(self, request: Request) -> Response:
        body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        rid = request.path_params["rid"]
        decision = str((body or {}).get("decision", ""))
        key = request.query_params.get("idempotency_key")
        with self._lock:
            return self._once(key, lambda: self._decide_return(rid, decision, _APPROVE))

    async def _reject(self, request: Request) -> Response:
        body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        rid = request.path_params["rid"]
        decision = str((body or {}).get("decision", ""))
        key = request.query_params.get("idempotency_key")
        with self._lock:
            return self._once(key, lambda: self._decide_return(rid, decision, _REJECT))

    async def _decide_cancel(self, request: Request) -> Response:
        _body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        cid = request.path_params["cid"]
        action = request.path_params["action"]
        key = request.query_params.get("idempotency_key")

        def change() -> Response:
            record = self.cancellations.get(cid)
            outcome = _CANCEL_OUTCOME.get(action)
            if record is None or outcome is None:
                return JSONResponse(_envelope(code=25001002, message="cancellation not found"))
            if record["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
                return JSONResponse(_envelope(code=25020009, message="reverse already cancelled"))
            record["cancel_status"] = outcome
            record["update_time"] = int(self.clock())
            return JSONResponse(_envelope())

        with self._lock:
            return self._once(key, change)

    async def _review(self, request: Request) -> Response:
        body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        errors = []
        with self._lock:
            for entry in (body or {}).get("aftersales_request_decisions", []):
                rid = str(entry.get("request_id"))
                record = self.returns.get(rid)
                actions = [d.get("action") for d in entry.get("line_item_decisions", [])]
                if record is None or not actions or actions[0] not in _REVIEW:
                    errors.append(
                        {"code": "25001002", "message": "request not found", "request_id": rid}
                    )
                    continue
                key = entry.get("idempotency_key")
                if key and self.applied.get(key):
                    continue
                record["return_status"] = _REVIEW[actions[0]]
                record["update_time"] = int(self.clock())
                if key:
                    self.applied[key] = 1
        return JSONResponse(_envelope({"errors": errors} if errors else {}))

    async def _records(self, request: Request) -> Response:
        _body, refusal = await self._check(request)
        if refusal is not None:
            return refusal
        return JSONResponse(_envelope(self.documents.get("return_records", {"records": []})))

    def _doc(self, name: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            _body, refusal = await self._check(request)
            if refusal is not None:
                return refusal
            return JSONResponse(_envelope(self.documents.get(name, {})))

        return endpoint


@contextlib.contextmanager
def serve(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a background thread; yield its base URL.

    Args:
        app: The ASGI app (a `FakeTikTokShop`, a webhook receiver).
        host: The interface (loopback by default).
        port: The port; 0 picks a free one.

    Yields:
        ``http://127.0.0.1:<port>``.

    """
    config = uvicorn.Config(
        app, host=host, port=port, log_level="critical", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
