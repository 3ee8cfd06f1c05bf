"""A reference host: TikTok Shop after-sales on SQLite, driven by a file of events.

Run it::

    python examples/sqlite_host/host.py --db /tmp/aftersales.db --fresh

It reads ``input.jsonl`` (next to this file): stock levels, orders, what the
platform holds, polled search pages, webhook deliveries exactly as TikTok Shop
posts them (signed here with a demo secret), seller commands, carrier scans
and clock ticks. Everything goes through
:class:`tiktok_aftersales.app.service.AfterSalesService`; this file only brings
the adapters:

- ``SqliteCaseStore``: cases as JSON (``tiktok_aftersales.domain.serialize``)
  with a ``version`` column, looked up by platform id and by order; every
  write checks the case's version and the order's version and bumps the
  order's, in one ``BEGIN IMMEDIATE`` transaction;
- ``SqliteNotificationLog``: handled webhook deliveries (primary key: the
  notification id, so a restart still deduplicates) and the records kept
  for a re-fetch;
- ``SqliteInventory``: stock per SKU, shipping holds per order and case, and
  an ``inventory_ops`` table whose primary key is the effect key, so every
  operation happens once even when two processes dispatch the same effect;
- ``RecordingPlatform``: stands in for the TikTok Shop client. ``send``
  records each outbound request once per idempotency key (and counts
  repeats), and answers searches from the records the platform holds;
- ``ScriptClock``: the time of the line being processed.

Records come in one way: ``service.receive`` for a webhook delivery (raw
bytes, headers, arrival time) and ``service.ingest`` for a polled search
page. Decisions go out one way: the service records them in the case's
outbox and sends them through ``RecordingPlatform.send`` after the save.

SQLite's same-thread rule: a ``sqlite3.Connection`` belongs to the thread
that opened it (``check_same_thread``). Open one connection, and build one
service on it, per thread or per process (``connect`` below).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tiktok_aftersales.app.inbound import Delivery, IngestReport, WebhookSettings
from tiktok_aftersales.app.ports import StockItem
from tiktok_aftersales.app.service import AfterSalesService
from tiktok_aftersales.domain import Disposition
from tiktok_aftersales.domain.case import AfterSalesCase
from tiktok_aftersales.domain.money import Breakdown, OrderLine
from tiktok_aftersales.domain.serialize import case_from_json, case_to_json
from tiktok_aftersales.errors import (
    AfterSalesError,
    CaseExists,
    ConcurrencyConflict,
    DispatchFailed,
    DuplicateCommand,
    InvalidValue,
    UnknownCase,
)
from tiktok_aftersales.platform import (
    PlatformReply,
    PlatformRequest,
    parse_returns_page,
    sign,
)
from tiktok_aftersales.platform.record import PlatformRecord, RecordSource
from tiktok_aftersales.sync import SyncResult, open_from_snapshot

HERE = Path(__file__).resolve().parent
DEFAULT_INPUT = HERE / "input.jsonl"

APP_KEY = "demo-app-key"
"""The app key of this demo (a real host reads its own from its configuration)."""
SECRET = "demo-signing-secret"  # a demo value, not a credential
"""The signing secret the demo signs its webhook lines with."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id     TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    platform_id TEXT,
    data        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_order ON cases (order_id);
CREATE INDEX IF NOT EXISTS cases_by_platform_id ON cases (platform_id);
CREATE TABLE IF NOT EXISTS order_versions (
    order_id TEXT PRIMARY KEY,
    version  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    notification_id TEXT PRIMARY KEY,
    received_at     TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    case_id         TEXT
);
CREATE TABLE IF NOT EXISTS refetch (
    platform_id TEXT PRIMARY KEY,
    reason      TEXT NOT NULL
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
    id        INTEGER PRIMARY KEY,
    key       TEXT UNIQUE,
    operation TEXT NOT NULL,
    path      TEXT NOT NULL,
    case_id   TEXT,
    body      TEXT NOT NULL,
    attempts  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS platform_records (
    platform_id TEXT PRIMARY KEY,
    data        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    data     TEXT NOT NULL
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database in autocommit mode (transactions are explicit) and create tables.

    The connection keeps SQLite's same-thread check (``check_same_thread``,
    on by default): use it only in the thread that opened it, and open
    another connection for every other thread or process.
    """
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error).

    ``IMMEDIATE`` takes the database's write lock at once, so what is read
    inside the transaction cannot change before it commits.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- adapters -----------------------------------------------------------------------------


class SqliteCaseStore:
    """CaseStore port: one row per case, optimistic concurrency per case and per order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.conflicts = 0

    def get(self, case_id: str) -> AfterSalesCase:
        row = self.conn.execute("SELECT data FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            raise UnknownCase(case_id)
        return case_from_json(row[0])

    def _bump_order(self, order_id: str, order_version: int | None) -> None:
        """Check the order's version (when given) and bump it; inside the write's transaction."""
        row = self.conn.execute(
            "SELECT version FROM order_versions WHERE order_id = ?", (order_id,)
        ).fetchone()
        actual = 0 if row is None else int(row[0])
        if order_version is not None and actual != order_version:
            self.conflicts += 1
            raise ConcurrencyConflict(f"order:{order_id}", order_version, actual)
        self.conn.execute(
            "INSERT INTO order_versions (order_id, version) VALUES (?, 1) "
            "ON CONFLICT(order_id) DO UPDATE SET version = version + 1",
            (order_id,),
        )

    def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        with transaction(self.conn) as conn:
            row = conn.execute("SELECT 1 FROM cases WHERE case_id = ?", (case.case_id,)).fetchone()
            if row is not None:
                raise CaseExists(case.case_id)
            self._bump_order(case.order_id, order_version)
            conn.execute(
                "INSERT INTO cases (case_id, version, state, order_id, platform_id, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    case.case_id,
                    case.version,
                    case.state.value,
                    case.order_id,
                    case.platform_id,
                    case_to_json(case),
                ),
            )

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        if case.version <= expected_version:
            raise InvalidValue("version", case.version, f"must be above {expected_version}")
        with transaction(self.conn) as conn:
            row = conn.execute(
                "SELECT version FROM cases WHERE case_id = ?", (case.case_id,)
            ).fetchone()
            if row is None:
                raise UnknownCase(case.case_id)
            if row[0] != expected_version:
                self.conflicts += 1
                raise ConcurrencyConflict(case.case_id, expected_version, row[0])
            self._bump_order(case.order_id, order_version)
            conn.execute(
                "UPDATE cases SET version = ?, state = ?, platform_id = ?, data = ? "
                "WHERE case_id = ?",
                (
                    case.version,
                    case.state.value,
                    case.platform_id,
                    case_to_json(case),
                    case.case_id,
                ),
            )

    def case_ids(self) -> Iterable[str]:
        return [r[0] for r in self.conn.execute("SELECT case_id FROM cases ORDER BY rowid")]

    def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        row = self.conn.execute(
            "SELECT data FROM cases WHERE platform_id = ? ORDER BY rowid LIMIT 1", (platform_id,)
        ).fetchone()
        return None if row is None else case_from_json(row[0])

    def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        rows = self.conn.execute(
            "SELECT data FROM cases WHERE order_id = ? ORDER BY rowid", (order_id,)
        )
        return tuple(case_from_json(r[0]) for r in rows)

    def order_version(self, order_id: str) -> int:
        row = self.conn.execute(
            "SELECT version FROM order_versions WHERE order_id = ?", (order_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])


class SqliteNotificationLog:
    """NotificationLog port: one row per delivery (claimed by its primary key) and per re-fetch."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(
        self, notification_id: str, received_at: datetime, outcome: str, case_id: str | None = None
    ) -> bool:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO notifications (notification_id, received_at, outcome, case_id) "
            "VALUES (?, ?, ?, ?)",
            (notification_id, received_at.isoformat(), outcome, case_id),
        )
        return cur.rowcount == 1

    def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        self.conn.execute(
            "UPDATE notifications SET outcome = ?, case_id = ? WHERE notification_id = ?",
            (outcome, case_id, notification_id),
        )

    def forget(self, notification_id: str) -> None:
        self.conn.execute("DELETE FROM notifications WHERE notification_id = ?", (notification_id,))

    def seen(self, notification_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM notifications WHERE notification_id = ?", (notification_id,)
        ).fetchone()
        return row is not None

    def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO refetch (platform_id, reason) VALUES (?, ?)",
            (platform_id, reason),
        )

    def refetch(self) -> tuple[tuple[str, str], ...]:
        rows = self.conn.execute("SELECT platform_id, reason FROM refetch ORDER BY rowid")
        return tuple((r[0], r[1]) for r in rows)

    def refetched(self, platform_id: str) -> None:
        self.conn.execute("DELETE FROM refetch WHERE platform_id = ?", (platform_id,))


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
    """PlatformPort stand-in: records each request once per idempotency key.

    A real host swaps it for its TikTok Shop client (adding credentials and
    the signature, passing ``request.idempotency_key`` along). Searches are
    answered from the records the platform holds (``platform_records``).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def hold(self, record: Mapping[str, Any]) -> None:
        """Make the stand-in platform hold a return record (what its searches answer)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO platform_records (platform_id, data) VALUES (?, ?)",
            (str(record["return_id"]), json.dumps(record)),
        )

    def send(self, request: PlatformRequest) -> PlatformReply:
        if request.operation.startswith("search_"):
            return PlatformReply(0, "Success", data=self._search(request))
        body = json.dumps(dict(request.body or {}), sort_keys=True, default=str)
        self.conn.execute(
            "INSERT INTO platform_calls (key, operation, path, case_id, body, attempts) "
            "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1",
            (request.idempotency_key, request.operation, request.path, request.case_id, body),
        )
        return PlatformReply(0, "Success")

    def _search(self, request: PlatformRequest) -> dict[str, Any]:
        if request.operation != "search_returns":
            return {"cancellations": []}
        wanted = list((request.body or {}).get("return_ids", ()))
        marks = ", ".join("?" * len(wanted))
        rows = self.conn.execute(
            f"SELECT data FROM platform_records WHERE platform_id IN ({marks}) ORDER BY rowid",
            wanted,
        )
        return {"return_orders": [json.loads(r[0]) for r in rows]}

    def requests(self) -> list[tuple[str, str, str, int]]:
        """What was sent: ``(key, operation, case_id, attempts)``, in order."""
        rows = self.conn.execute(
            "SELECT key, operation, case_id, attempts FROM platform_calls ORDER BY id"
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


class ScriptClock:
    """Clock port: the time of the input line being processed."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


# --- opening cases for requests the host did not know -------------------------------------


def order_lines(conn: sqlite3.Connection, order_id: str) -> tuple[dict[str, Any], list[OrderLine]]:
    """The order as the host's OMS knows it, and its lines (keyed by order-line id)."""
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


def case_id_of(record: PlatformRecord) -> str:
    """The host's case id for a request: ``return-<return_id>`` or ``cancel-<cancel_id>``."""
    cancel = record.source in (RecordSource.CANCELLATION, RecordSource.WEBHOOK_CANCELLATION)
    return f"{'cancel' if cancel else 'return'}-{record.platform_id}"


def order_opener(conn: sqlite3.Connection) -> Any:
    """The service's opener: a new request opens a case on the order's lines, from the OMS."""

    def open_new(record: PlatformRecord) -> SyncResult:
        order, lines = order_lines(conn, record.order_id)
        return open_from_snapshot(
            record,
            case_id=case_id_of(record),
            region=order["region"],
            lines=lines,
            order_stage=order["stage"],
        )

    return open_new


def make_service(conn: sqlite3.Connection, clock: Any, **kwargs: Any) -> AfterSalesService:
    """Wire the SQLite adapters into the library's service (one connection: one thread)."""
    return AfterSalesService(
        SqliteCaseStore(conn),
        RecordingPlatform(conn),
        SqliteInventory(conn),
        clock,
        SqliteNotificationLog(conn),
        webhooks=WebhookSettings(APP_KEY, SECRET),
        opener=order_opener(conn),
        **kwargs,
    )


# --- the one way in -----------------------------------------------------------------------


def deliver(
    service: AfterSalesService,
    body: Mapping[str, Any],
    received_at: datetime,
    signature: str | None = None,
) -> tuple[Delivery, IngestReport | None]:
    """Post one webhook body to the service as TikTok Shop would: raw bytes, signed headers.

    When records wait for a re-fetch (one the host could not open: its order
    is not in the order table yet), they are fetched again at once.
    """
    raw = json.dumps(body).encode()
    headers = {"Authorization": signature or sign(APP_KEY, raw, SECRET)}
    delivery = service.receive(raw, headers, received_at)
    log = service.notifications
    refetched = service.refetch() if log is not None and log.refetch() else None
    return delivery, refetched


def poll(
    service: AfterSalesService, page: Mapping[str, Any], received_at: datetime
) -> IngestReport:
    """Ingest one returns search page (its ``data``), as a polling worker would."""
    parsed = parse_returns_page({"code": 0, "data": page}, strict=False)
    return service.ingest(parsed.returns, received_at)


def _said(delivery: Delivery) -> str:
    who = delivery.case.case_id if delivery.case is not None else delivery.platform_id or "-"
    state = f" -> {delivery.case.state.value}" if delivery.case is not None else ""
    why = f": {type(delivery.error).__name__}" if delivery.error is not None else ""
    return f"{who} {delivery.outcome.value}{state}{why}"


# --- the driver ---------------------------------------------------------------------------


def run(conn: sqlite3.Connection, lines: Iterable[str], out: Any = None) -> AfterSalesService:
    """Process every input line in order and print what happened to each."""
    out = sys.stdout if out is None else out
    clock = ScriptClock()
    service = make_service(conn, clock)
    inventory = service.inventory
    platform = service.platform
    assert isinstance(inventory, SqliteInventory) and isinstance(platform, RecordingPlatform)
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
            elif kind == "platform":
                platform.hold(item["record"])
                result = f"the platform holds {item['record']['return_id']}"
            elif kind == "poll":
                report = poll(service, item["page"], clock.at)
                result = "; ".join(_said(d) for d in report.deliveries) or "-"
            elif kind == "webhook":
                body = item["body"]
                clock.at = datetime.fromtimestamp(body["timestamp"], UTC) + timedelta(seconds=2)
                delivery, refetched = deliver(service, body, clock.at, item.get("signature"))
                result = f"{delivery.status} {_said(delivery)}"
                if refetched is not None and refetched.deliveries:
                    result += "; re-fetched: " + "; ".join(_said(d) for d in refetched.deliveries)
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
    print("\nsent to the platform (key, operation, case, attempts)", file=out)
    platform = service.platform
    assert isinstance(platform, RecordingPlatform)
    for key, operation, case_id, attempts in platform.requests():
        print(f"  {key:44} {operation:24} {case_id or '-':28} x{attempts}", file=out)


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
