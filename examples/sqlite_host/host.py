"""A reference host: TikTok Shop after-sales on SQLite, driven by a file of events.

Run it::

    python examples/sqlite_host/host.py --db /tmp/aftersales.db --fresh

It reads ``input.jsonl`` (next to this file): stock levels, orders, webhook
deliveries exactly as TikTok Shop posts them, seller commands, carrier scans
and clock ticks. Everything goes through
:class:`tiktok_aftersales.app.service.AfterSalesService`; this file only brings
the adapters:

- ``SqliteCaseStore``: cases as JSON (``tiktok_aftersales.domain.serialize``) with a
  ``version`` column; ``save`` is ``UPDATE ... WHERE version = ?``;
- ``SqliteInventory``: stock per SKU, shipping holds per order and case, and
  an ``inventory_ops`` table whose primary key is the effect key, so every
  operation happens once even when two processes dispatch the same effect;
- ``RecordingPlatform``: stands in for the TikTok Shop client. It records
  each decision once per idempotency key (and counts repeats); swap it for
  a real client that passes ``decision.key`` as ``idempotency_key``;
- ``ScriptClock``: the time of the line being processed.

Webhooks are parsed with ``tiktok_aftersales.platform`` and reconciled with
``tiktok_aftersales.sync``: a request the host has not seen is opened from
the order's lines, then brought to the platform's state.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tiktok_aftersales import (
    AfterSalesCase,
    AfterSalesError,
    Breakdown,
    ConcurrencyConflict,
    InvalidValue,
    OrderLine,
    RequestType,
)
from tiktok_aftersales.app.ports import CaseExists, Decision, StockItem, UnknownCase
from tiktok_aftersales.app.service import AfterSalesService, DispatchFailed, DuplicateCommand
from tiktok_aftersales.domain import Disposition
from tiktok_aftersales.domain.serialize import case_from_json, case_to_json
from tiktok_aftersales.platform import parse_webhook
from tiktok_aftersales.sync import PlatformState, reconcile

HERE = Path(__file__).resolve().parent
DEFAULT_INPUT = HERE / "input.jsonl"

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state   TEXT NOT NULL,
    data    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stock (
    sku_id    TEXT PRIMARY KEY,
    available INTEGER NOT NULL DEFAULT 0,
    allocated INTEGER NOT NULL DEFAULT 0,
    damaged   INTEGER NOT NULL DEFAULT 0,
    missing   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS inventory_ops (
    key      TEXT PRIMARY KEY,
    method   TEXT NOT NULL,
    order_id TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS holds (
    order_id TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    PRIMARY KEY (order_id, case_id)
);
CREATE TABLE IF NOT EXISTS manual_stock_in (
    key      TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    items    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS platform_calls (
    key      TEXT PRIMARY KEY,
    method   TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    event    TEXT NOT NULL,
    refund   TEXT,
    attempts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    data     TEXT NOT NULL
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database in autocommit mode (transactions are explicit) and create tables."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- adapters -----------------------------------------------------------------------------


class SqliteCaseStore:
    """CaseStore port: one row per case, optimistic concurrency on ``version``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.conflicts = 0

    def get(self, case_id: str) -> AfterSalesCase:
        row = self.conn.execute("SELECT data FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            raise UnknownCase(case_id)
        return case_from_json(row[0])

    def add(self, case: AfterSalesCase) -> None:
        try:
            self.conn.execute(
                "INSERT INTO cases (case_id, version, state, data) VALUES (?, ?, ?, ?)",
                (case.case_id, case.version, case.state.value, case_to_json(case)),
            )
        except sqlite3.IntegrityError:
            raise CaseExists(case.case_id) from None

    def save(self, case: AfterSalesCase, expected_version: int) -> None:
        if case.version <= expected_version:
            raise InvalidValue("version", case.version, f"must be above {expected_version}")
        cur = self.conn.execute(
            "UPDATE cases SET version = ?, state = ?, data = ? WHERE case_id = ? AND version = ?",
            (case.version, case.state.value, case_to_json(case), case.case_id, expected_version),
        )
        if cur.rowcount == 1:
            return
        row = self.conn.execute(
            "SELECT version FROM cases WHERE case_id = ?", (case.case_id,)
        ).fetchone()
        if row is None:
            raise UnknownCase(case.case_id)
        self.conflicts += 1
        raise ConcurrencyConflict(case.case_id, expected_version, row[0])

    def case_ids(self) -> Iterable[str]:
        return [r[0] for r in self.conn.execute("SELECT case_id FROM cases ORDER BY case_id")]


class SqliteInventory:
    """InventoryPort: each operation is recorded under its key in the same transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def _once(self, key: str, method: str, order_id: str, detail: str) -> Iterator[bool]:
        with transaction(self.conn) as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO inventory_ops (key, method, order_id, detail) "
                "VALUES (?, ?, ?, ?)",
                (key, method, order_id, detail),
            )
            yield cur.rowcount == 1

    def _add(self, column: str, items: Iterable[StockItem], sign: int = 1) -> None:
        for item in items:
            self.conn.execute("INSERT OR IGNORE INTO stock (sku_id) VALUES (?)", (item.sku_id,))
            self.conn.execute(
                f"UPDATE stock SET {column} = MAX(0, {column} + ?) WHERE sku_id = ?",
                (sign * item.quantity, item.sku_id),
            )

    def set_stock(self, sku_id: str, available: int, allocated: int = 0) -> None:
        self.conn.execute(
            "INSERT INTO stock (sku_id, available, allocated) VALUES (?, ?, ?) "
            "ON CONFLICT(sku_id) DO UPDATE SET available = excluded.available, "
            "allocated = excluded.allocated",
            (sku_id, available, allocated),
        )

    def release_allocation(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        with self._once(key, "release_allocation", order_id, "") as new:
            if new:
                self._add("allocated", items, -1)
                self._add("available", items)

    def stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...], disposition: Disposition
    ) -> None:
        column = {"restock": "available", "damaged": "damaged", "missing": "missing"}[
            Disposition(disposition).value
        ]
        with self._once(key, "stock_in", order_id, Disposition(disposition).value) as new:
            if new:
                self._add(column, items)

    def flag_manual_stock_in(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        with self._once(key, "flag_manual_stock_in", order_id, "") as new:
            if new:
                self.conn.execute(
                    "INSERT INTO manual_stock_in (key, order_id, items) VALUES (?, ?, ?)",
                    (key, order_id, json.dumps([[i.sku_id, i.quantity] for i in items])),
                )

    def block_shipping(self, key: str, order_id: str, case_id: str) -> None:
        with self._once(key, "block_shipping", order_id, case_id) as new:
            if new:
                self.conn.execute(
                    "INSERT OR IGNORE INTO holds (order_id, case_id) VALUES (?, ?)",
                    (order_id, case_id),
                )

    def unblock_shipping(self, key: str, order_id: str, case_id: str) -> None:
        with self._once(key, "unblock_shipping", order_id, case_id) as new:
            if new:
                self.conn.execute(
                    "DELETE FROM holds WHERE order_id = ? AND case_id = ?", (order_id, case_id)
                )

    # read-backs for the report and the tests
    def levels(self) -> dict[str, tuple[int, int, int, int]]:
        rows = self.conn.execute(
            "SELECT sku_id, available, allocated, damaged, missing FROM stock ORDER BY sku_id"
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def is_blocked(self, order_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM holds WHERE order_id = ?", (order_id,)).fetchone()
        return row is not None


class RecordingPlatform:
    """PlatformPort stand-in: records each call once per key (a real client sends it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _record(self, method: str, decision: Decision) -> None:
        refund = None if decision.refund is None else str(decision.refund.total)
        self.conn.execute(
            "INSERT INTO platform_calls (key, method, case_id, event, refund, attempts) "
            "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1",
            (decision.key, method, decision.case_id, decision.event, refund),
        )

    def send_decision(self, decision: Decision) -> None:
        self._record("send_decision", decision)

    def send_refund(self, decision: Decision) -> None:
        self._record("send_refund", decision)

    def fetch_snapshot(self, case: AfterSalesCase) -> Any:
        return None  # this host is pushed webhooks; a polling host would call Search Returns


class ScriptClock:
    """Clock port: the time of the input line being processed."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def make_service(conn: sqlite3.Connection, clock: Any, **kwargs: Any) -> AfterSalesService:
    """Wire the SQLite adapters into the library's service."""
    return AfterSalesService(
        SqliteCaseStore(conn),
        RecordingPlatform(conn),
        SqliteInventory(conn),
        clock,
        reconcile=reconcile,
        **kwargs,
    )


# --- webhooks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookSnapshot:
    """What sync reads from a webhook 11 or 12 (see ``tiktok_aftersales.sync.SnapshotLike``)."""

    platform_id: str
    order_id: str
    update_time: datetime | None
    platform_state: PlatformState | None
    unmapped: tuple[str, ...] = ()


def case_id_of(body: Mapping[str, Any]) -> str | None:
    """The host's case id for a webhook: ``return-<return_id>`` or ``cancel-<cancel_id>``."""
    data = body.get("data") or {}
    if data.get("return_id"):
        return f"return-{data['return_id']}"
    if data.get("cancel_id"):
        return f"cancel-{data['cancel_id']}"
    return None


def snapshot_of(
    body: Mapping[str, Any], known: RequestType | None = None
) -> WebhookSnapshot | None:
    """Parse a webhook body; ``None`` for deliveries that are not about after-sales.

    A platform value can mean several request types (``REFUND`` is a buyer's
    refund-only request or a seller's refund). The stored case's type
    decides; for a new request, the codec's reading (by the role) does.
    """
    envelope = parse_webhook(body, strict=False)
    data = envelope.data
    if data is None:
        return None
    platform_id = getattr(data, "return_id", None) or getattr(data, "cancel_id", None)
    if platform_id is None:
        return None
    candidates = data.candidates
    kind = data.request_type if known is None else known
    states = frozenset(c.state for c in candidates if c.request_type is kind)
    state = PlatformState(kind, states) if kind is not None and states else None
    return WebhookSnapshot(
        platform_id, data.order_id, envelope.update_time, state, tuple(sorted(envelope.unmapped))
    )


def order_lines(conn: sqlite3.Connection, order_id: str) -> tuple[dict[str, Any], list[OrderLine]]:
    row = conn.execute("SELECT data FROM orders WHERE order_id = ?", (order_id,)).fetchone()
    if row is None:
        raise UnknownCase(f"order {order_id}")
    order = json.loads(row[0])
    lines = [
        OrderLine(
            x["line_id"],
            x["sku_id"],
            Breakdown.of(
                x["subtotal"], order["currency"], x.get("shipping", "0"), x.get("tax", "0")
            ),
        )
        for x in order["lines"]
    ]
    return order, lines


def on_webhook(
    service: AfterSalesService, conn: sqlite3.Connection, body: Mapping[str, Any]
) -> str:
    """Open the case if new, then reconcile it with the delivery."""
    case_id = case_id_of(body)
    if case_id is None:
        return "ignored (not after-sales)"
    try:
        known: RequestType | None = service.store.get(case_id).request_type
    except UnknownCase:
        known = None
    snap = snapshot_of(body, known)
    if snap is None or snap.platform_state is None:
        return f"{case_id}: unmapped {snap.unmapped if snap else ''}"
    if known is None:
        order, lines = order_lines(conn, snap.order_id)
        service.open(
            snap.platform_state.request_type,
            case_id=case_id,
            order_id=snap.order_id,
            region=order["region"],
            lines=lines,
            order_stage=order["stage"],
            platform_id=snap.platform_id,
        )
    case = service.apply_snapshot(case_id, snap)
    return f"{case_id} -> {case.state.value}"


# --- the driver ---------------------------------------------------------------------------


def run(conn: sqlite3.Connection, lines: Iterable[str], out: Any = None) -> AfterSalesService:
    """Process every input line in order and print what happened to each."""
    out = sys.stdout if out is None else out
    clock = ScriptClock()
    service = make_service(conn, clock)
    inventory = service.inventory
    assert isinstance(inventory, SqliteInventory)
    for number, text in enumerate(lines, 1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        item = json.loads(text)
        if "at" in item:
            clock.at = datetime.fromisoformat(item["at"])
        kind = item["kind"]
        try:
            if kind == "stock":
                inventory.set_stock(item["sku_id"], item["available"], item.get("allocated", 0))
                result = f"{item['sku_id']}: {item['available']} available"
            elif kind == "order":
                conn.execute(
                    "INSERT OR REPLACE INTO orders (order_id, data) VALUES (?, ?)",
                    (item["order_id"], json.dumps(item)),
                )
                result = f"order {item['order_id']} ({item['stage']})"
            elif kind == "webhook":
                body = item["body"]
                clock.at = datetime.fromtimestamp(body["timestamp"], UTC)
                result = on_webhook(service, conn, body)
            elif kind == "command":
                case = service.handle_command(
                    item["case_id"],
                    item["event"],
                    item["actor"],
                    item.get("payload"),
                    item.get("command_id"),
                )
                result = f"{case.case_id} -> {case.state.value}"
            elif kind == "tick":
                changed = service.tick()
                result = ", ".join(f"{c.case_id} -> {c.state.value}" for c in changed) or "-"
            else:
                result = f"unknown kind {kind!r}"
        except DuplicateCommand as exc:
            result = f"already applied ({exc.command_id} is event #{exc.seq})"
        except DispatchFailed as exc:
            result = f"saved, effect {exc.key} pending: {exc.cause}"
        except AfterSalesError as exc:
            result = f"refused: {type(exc).__name__}: {exc}"
        print(f"{number:3} {kind:8} {result}", file=out)
    return service


def report(service: AfterSalesService, conn: sqlite3.Connection, out: Any = None) -> None:
    """Print the cases, the stock, the holds and what was sent to the platform."""
    out = sys.stdout if out is None else out
    print("\ncases", file=out)
    for case_id in service.store.case_ids():
        case = service.store.get(case_id)
        refund = "-" if case.refund is None else str(case.refund.total)
        events = " > ".join(f"{h.event}({h.actor.value})" for h in case.history)
        print(
            f"  {case_id:28} {case.state.value:17} {case.return_status.value:18} "
            f"refund {refund:10} v{case.version} pending {len(case.pending_effects)}",
            file=out,
        )
        print(f"    {events}", file=out)
    print("\nstock (available / allocated / damaged / missing)", file=out)
    inventory = service.inventory
    assert isinstance(inventory, SqliteInventory)
    for sku, levels in inventory.levels().items():
        print(f"  {sku:10} {levels[0]:3} {levels[1]:3} {levels[2]:3} {levels[3]:3}", file=out)
    holds = conn.execute("SELECT order_id, case_id FROM holds ORDER BY order_id").fetchall()
    print("\nshipping holds", file=out)
    for order_id, case_id in holds or [("-", "-")]:
        print(f"  {order_id} held by {case_id}", file=out)
    print("\nsent to the platform (key, method, refund, attempts)", file=out)
    for row in conn.execute(
        "SELECT key, method, refund, attempts FROM platform_calls ORDER BY rowid"
    ):
        print(f"  {row[0]:40} {row[1]:14} {row[2] or '-':10} x{row[3]}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", default=str(DEFAULT_INPUT), help="JSON Lines input")
    parser.add_argument("--db", default="aftersales_demo.db", help="SQLite file")
    parser.add_argument("--fresh", action="store_true", help="delete the database first")
    args = parser.parse_args(argv)
    db = Path(args.db)
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = connect(db)
    with open(args.input, encoding="utf-8") as f:
        service = run(conn, f)
    report(service, conn)
    conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
