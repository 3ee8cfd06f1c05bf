"""PostgreSQL: a case store, an outbox and a notification log (the ``[postgres]`` extra, psycopg 3).

- `PostgresCaseStore` implements the
  [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] port with optimistic
  versions (``UPDATE ... WHERE version = expected``), look-ups by platform id
  and by order, and an order-level version (a row per order, bumped by every
  save of one of its cases, so two cases of one order saved from the same
  order version cannot both win). Each thread gets its own connection.
- Saving a case writes its pending effects to the **outbox** in the same
  transaction (keyed by the effect's idempotency key: written once), and
  marks the entries of the effects the case records as done
  (``case.effects_done``) done too: the case is the one record of what was
  carried out, the outbox table follows it.
- `OutboxWorker` drains what the service's own dispatch left (a port that
  was down, a process that crashed between the save and the dispatch).
  Several workers (threads or processes) claim entries with ``FOR UPDATE
  SKIP LOCKED`` and hold each under a **lease**; an entry whose lease ran
  out (its worker crashed) is claimed again by another. Marking an entry
  done checks the lease, so a worker that lost it cannot overwrite the new
  holder. Delivery is at least once; the effect's key makes it exactly once
  at the port (ports are idempotent on keys).
- There is one dispatcher: `OutboxWorker.for_service` hands each claimed
  entry to the service
  ([`AfterSalesService.dispatch_effect`][tiktok_aftersales.app.service.AfterSalesService.dispatch_effect]),
  which carries the effect out through the same routes as its own dispatch
  after a save (``handlers=``, the inventory, the platform) and marks it done
  on the case, in the same transaction as the entry.
- `PostgresNotificationLog` remembers webhook notification ids (and
  their outcome), so deduplication survives a restart.

Every statement uses bound parameters. Nothing about a case's content is
logged; the log records ids, versions, keys and outcomes.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

try:
    import psycopg
except ImportError as error:  # pragma: no cover - depends on the environment
    from ..errors import MissingExtra

    raise MissingExtra("psycopg", "postgres") from error

from ..domain.case import AfterSalesCase
from ..domain.effects import Effect
from ..domain.serialize import case_from_json, case_to_json, effect_from_dict, effect_to_dict
from ..errors import (
    CaseExists,
    ConcurrencyConflict,
    InvalidValue,
    LeaseLost,
    PlatformRefused,
    UnknownCase,
)

__all__ = [
    "DSN_VARIABLE",
    "SCHEMA",
    "EffectDispatcher",
    "OutboxEntry",
    "OutboxWorker",
    "PostgresCaseStore",
    "PostgresNotificationLog",
    "create_schema",
    "service_dispatch",
]

logger = logging.getLogger("tiktok_aftersales.adapters.postgres")

DSN_VARIABLE = "TIKTOK_AFTERSALES_POSTGRES_DSN"
"""The environment variable the tests (and the how-to) read the server's DSN from."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS tas_orders (
    order_id   text PRIMARY KEY,
    version    bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tas_cases (
    case_id     text PRIMARY KEY,
    order_id    text NOT NULL,
    platform_id text,
    version     integer NOT NULL,
    state       text NOT NULL,
    data        text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tas_cases_order ON tas_cases (order_id);
CREATE INDEX IF NOT EXISTS tas_cases_platform ON tas_cases (platform_id)
    WHERE platform_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS tas_outbox (
    id          bigserial PRIMARY KEY,
    key         text NOT NULL UNIQUE,
    case_id     text NOT NULL,
    kind        text NOT NULL,
    effect      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0,
    leased_by   text,
    lease_until timestamptz,
    done_at     timestamptz,
    done_by     text,
    last_error  text
);
CREATE INDEX IF NOT EXISTS tas_outbox_todo ON tas_outbox (id) WHERE done_at IS NULL;
CREATE TABLE IF NOT EXISTS tas_notifications (
    notification_id text PRIMARY KEY,
    received_at     timestamptz NOT NULL,
    outcome         text NOT NULL,
    case_id         text
);
CREATE TABLE IF NOT EXISTS tas_refetch (
    platform_id text PRIMARY KEY,
    reason      text NOT NULL,
    kept_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
"""
"""The tables (all named ``tas_*``); `create_schema` runs it (idempotent)."""


def create_schema(dsn: str) -> None:
    """Create the tables if they do not exist (safe to run from several processes).

    Args:
        dsn: A libpq connection string (``postgresql://user@host:port/db``).

    """
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(7427001)")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        finally:
            conn.execute("SELECT pg_advisory_unlock(7427001)")


class _Connections:
    """One connection per thread (a connection is not shared between threads)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()

    def get(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.dsn)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self.get()
        with conn.transaction():
            yield conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


class PostgresCaseStore:
    """The case store on PostgreSQL, with optimistic versions and an outbox.

    Args:
        dsn: A libpq connection string.
        create: Create the tables first (idempotent).

    """

    def __init__(self, dsn: str, *, create: bool = True) -> None:
        if create:
            create_schema(dsn)
        self._db = _Connections(dsn)

    def close(self) -> None:
        """Close every connection this store opened."""
        self._db.close()

    # -- the CaseStore port -----------------------------------------------------

    def get(self, case_id: str) -> AfterSalesCase:
        """The stored case.

        Raises:
            UnknownCase: No case has this id.

        """
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT data FROM tas_cases WHERE case_id = %s", (case_id,)
            ).fetchone()
        if row is None:
            raise UnknownCase(case_id)
        return case_from_json(row[0])

    def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """Store a new case (and its pending effects in the outbox).

        Args:
            case: The case.
            order_version: When given, the order's version must still be this.

        Raises:
            CaseExists: A case with this id is already stored.
            ConcurrencyConflict: The order's version differs.

        """
        try:
            with self._db.transaction() as conn:
                if order_version is not None:
                    self._check_order(conn, case.order_id, order_version)
                conn.execute(
                    "INSERT INTO tas_cases (case_id, order_id, platform_id, version, state, data)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    (
                        case.case_id,
                        case.order_id,
                        case.platform_id,
                        case.version,
                        case.state.value,
                        case_to_json(case),
                    ),
                )
                self._bump_order(conn, case.order_id)
                self._enqueue(conn, case)
        except psycopg.errors.UniqueViolation as clash:
            raise CaseExists(case.case_id) from clash
        logger.info(
            "case added",
            extra={"case_id": case.case_id, "order_id": case.order_id, "version": case.version},
        )

    def save(
        self,
        case: AfterSalesCase,
        expected_version: int,
        *,
        order_version: int | None = None,
    ) -> None:
        """Replace the stored case if its version is still ``expected_version``.

        The case's pending effects go to the outbox in the same transaction.

        Args:
            case: The new case.
            expected_version: The version the caller loaded.
            order_version: When given, also require the order's version
                (`order_version`) to be unchanged: the order-level check
                that keeps two cases of one order from both passing a
                refund limit.

        Raises:
            UnknownCase: No case has this id.
            ConcurrencyConflict: The stored version (of the case, or of the
                order) differs; reload and re-apply.
            InvalidValue: The new version is not above the expected one.

        """
        if case.version <= expected_version:
            raise InvalidValue("version", case.version, f"must be above {expected_version}")
        with self._db.transaction() as conn:
            if order_version is not None:
                self._check_order(conn, case.order_id, order_version)
            updated = conn.execute(
                "UPDATE tas_cases SET version = %s, state = %s, platform_id = %s, data = %s,"
                " updated_at = now() WHERE case_id = %s AND version = %s",
                (
                    case.version,
                    case.state.value,
                    case.platform_id,
                    case_to_json(case),
                    case.case_id,
                    expected_version,
                ),
            ).rowcount
            if updated != 1:
                row = conn.execute(
                    "SELECT version FROM tas_cases WHERE case_id = %s", (case.case_id,)
                ).fetchone()
                if row is None:
                    raise UnknownCase(case.case_id)
                raise ConcurrencyConflict(case.case_id, expected_version, int(row[0]))
            self._bump_order(conn, case.order_id)
            self._enqueue(conn, case)
        logger.info(
            "case saved",
            extra={
                "case_id": case.case_id,
                "order_id": case.order_id,
                "version": case.version,
                "state": case.state.value,
            },
        )

    def case_ids(self) -> Iterable[str]:
        """Every stored case id."""
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT case_id FROM tas_cases ORDER BY case_id").fetchall()
        return [r[0] for r in rows]

    # -- look-ups ---------------------------------------------------------------

    def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """The case whose ``platform_id`` (return or cancel id) this is, if stored."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT data FROM tas_cases WHERE platform_id = %s", (platform_id,)
            ).fetchone()
        return None if row is None else case_from_json(row[0])

    def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """Every stored case of one order, by case id."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT data FROM tas_cases WHERE order_id = %s ORDER BY case_id", (order_id,)
            ).fetchall()
        return tuple(case_from_json(r[0]) for r in rows)

    def order_version(self, order_id: str) -> int:
        """The order's version: how many saves its cases have had (0 when none)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT version FROM tas_orders WHERE order_id = %s", (order_id,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    # -- internals --------------------------------------------------------------

    @staticmethod
    def _check_order(conn: psycopg.Connection[Any], order_id: str, order_version: int) -> None:
        # An order no case was stored for has no row to lock yet: create it at version 0
        # first, so that a concurrent first add waits here for this one and then sees
        # the version it bumped (READ COMMITTED reads anew at every statement).
        conn.execute(
            "INSERT INTO tas_orders (order_id, version) VALUES (%s, 0)"
            " ON CONFLICT (order_id) DO NOTHING",
            (order_id,),
        )
        row = conn.execute(
            "SELECT version FROM tas_orders WHERE order_id = %s FOR UPDATE", (order_id,)
        ).fetchone()
        actual = 0 if row is None else int(row[0])
        if actual != order_version:
            raise ConcurrencyConflict(f"order:{order_id}", order_version, actual)

    @staticmethod
    def _bump_order(conn: psycopg.Connection[Any], order_id: str) -> None:
        conn.execute(
            "INSERT INTO tas_orders (order_id, version) VALUES (%s, 1)"
            " ON CONFLICT (order_id) DO UPDATE SET version = tas_orders.version + 1",
            (order_id,),
        )

    @staticmethod
    def _enqueue(conn: psycopg.Connection[Any], case: AfterSalesCase) -> None:
        if case.effects_done:  # the case says they were carried out: so does the outbox
            conn.execute(
                "UPDATE tas_outbox SET done_at = now(), done_by = coalesce(done_by, 'case'),"
                " lease_until = NULL WHERE key = ANY(%s) AND done_at IS NULL",
                (sorted(case.effects_done),),
            )
        pending = case.pending_effects
        if not pending:
            return
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO tas_outbox (key, case_id, kind, effect) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (key) DO NOTHING",
                [(e.key, e.case_id, e.kind.value, json.dumps(effect_to_dict(e))) for e in pending],
            )


@attrs.frozen
class OutboxEntry:
    """One effect waiting in the outbox, as a worker claimed it.

    Attributes:
        id: The entry's row id.
        key: The effect's idempotency key (pass it to the port).
        case_id: The case that produced it.
        effect: The effect itself.
        attempts: How many times it has been claimed (this claim included).

    """

    id: int
    key: str
    case_id: str
    effect: Effect
    attempts: int


class EffectDispatcher(Protocol):
    """What carries out one effect of a stored case: the service
    ([`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService]).
    """  # noqa: D205 - the summary names the service with its link

    def dispatch_effect(self, case_id: str, key: str) -> AfterSalesCase:
        """Carry out the case's pending effect ``key`` and mark it done on the case."""
        ...


def service_dispatch(service: EffectDispatcher) -> Callable[[OutboxEntry], None]:
    """The worker's ``dispatch`` that hands each entry to the service's one dispatcher.

    The service carries the effect out (its handler, the inventory, or the
    platform call it carries) and saves it as done on the case, which marks
    the entry done in the same transaction. A refusal by the platform is
    settled on the case (under ``review``), so the entry is done too; any
    other failure raises, and the entry is retried after its lease.
    """

    def dispatch(entry: OutboxEntry) -> None:
        try:
            service.dispatch_effect(entry.case_id, entry.key)
        except PlatformRefused:
            logger.warning(
                "outbox entry refused by the platform",
                extra={"key": entry.key, "case_id": entry.case_id, "outcome": "refused"},
            )

    return dispatch


class OutboxWorker:
    """Claims outbox entries under a lease and dispatches them.

    Run several (threads or processes) against one database: ``FOR UPDATE
    SKIP LOCKED`` hands each entry to one claimer, and a lease that runs out
    (a crashed worker) makes the entry claimable again. Build it with
    [`for_service`][tiktok_aftersales.adapters.postgres.OutboxWorker.for_service]
    so that the service carries out each entry (one dispatcher for the
    service and its workers).

    Args:
        dsn: A libpq connection string.
        name: This worker's name (unique among running workers).
        dispatch: Carries out one entry (`service_dispatch` of the service,
            which is what ``for_service`` passes); raising leaves the entry
            to be retried after the lease.
        lease: How long a claim is held before others may take it over.
        batch: How many entries one claim takes.

    """

    def __init__(
        self,
        dsn: str,
        name: str,
        dispatch: Callable[[OutboxEntry], None],
        *,
        lease: timedelta = timedelta(seconds=30),
        batch: int = 10,
    ) -> None:
        if batch < 1:
            raise InvalidValue("batch", batch, "at least 1")
        self.name = name
        self._dispatch = dispatch
        self._lease = lease
        self._batch = batch
        self._conn = psycopg.connect(dsn, autocommit=True)

    @classmethod
    def for_service(
        cls,
        dsn: str,
        name: str,
        service: EffectDispatcher,
        *,
        lease: timedelta = timedelta(seconds=30),
        batch: int = 10,
    ) -> OutboxWorker:
        """A worker whose entries the service carries out and marks done (`service_dispatch`).

        The service's store must be the `PostgresCaseStore` on the same
        database, so that marking an effect done on the case marks its entry
        done in the same transaction.
        """
        return cls(dsn, name, service_dispatch(service), lease=lease, batch=batch)

    def close(self) -> None:
        """Close the worker's connection."""
        self._conn.close()

    def claim(self) -> list[OutboxEntry]:
        """Take up to ``batch`` entries that are not done and not under a live lease."""
        rows = self._conn.execute(
            "WITH picked AS ("
            "  SELECT id FROM tas_outbox"
            "  WHERE done_at IS NULL AND (lease_until IS NULL OR lease_until < now())"
            "  ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)"
            " UPDATE tas_outbox o SET leased_by = %s, lease_until = now() + %s,"
            "   attempts = o.attempts + 1"
            " FROM picked WHERE o.id = picked.id"
            " RETURNING o.id, o.key, o.case_id, o.effect, o.attempts",
            (self._batch, self.name, self._lease),
        ).fetchall()
        return [
            OutboxEntry(int(r[0]), r[1], r[2], effect_from_dict(json.loads(r[3])), int(r[4]))
            for r in sorted(rows)
        ]

    def complete(self, entry: OutboxEntry) -> None:
        """Mark ``entry`` done, if this worker still holds its lease.

        An entry the case's save marked done while this worker held it (the
        service dispatched it for this worker) is complete already.

        Raises:
            LeaseLost: The lease ran out and another worker claimed the entry.

        """
        done = self._conn.execute(
            "UPDATE tas_outbox SET done_at = now(), done_by = %s, lease_until = NULL"
            " WHERE id = %s AND leased_by = %s AND attempts = %s AND done_at IS NULL",
            (self.name, entry.id, self.name, entry.attempts),
        ).rowcount
        if done == 1:
            return
        row = self._conn.execute(
            "SELECT done_at IS NOT NULL, leased_by, attempts FROM tas_outbox WHERE id = %s",
            (entry.id,),
        ).fetchone()
        if row is None or not (row[0] and row[1] == self.name and row[2] == entry.attempts):
            raise LeaseLost(entry.id, self.name)

    def _fail(self, entry: OutboxEntry, error: BaseException) -> None:
        self._conn.execute(
            "UPDATE tas_outbox SET last_error = %s WHERE id = %s AND leased_by = %s",
            (type(error).__name__, entry.id, self.name),
        )

    def run_once(self) -> int:
        """Claim one batch and dispatch it; the number of entries completed."""
        completed = 0
        for entry in self.claim():
            fields = {"worker": self.name, "key": entry.key, "case_id": entry.case_id}
            try:
                self._dispatch(entry)
            except Exception as error:  # the port failed: keep it for after the lease
                self._fail(entry, error)
                logger.warning(
                    "outbox dispatch failed",
                    extra={**fields, "outcome": "failed", "error": type(error).__name__},
                )
                continue
            try:
                self.complete(entry)
            except LeaseLost:
                logger.warning("outbox lease lost", extra={**fields, "outcome": "lease_lost"})
                continue
            completed += 1
            logger.info("outbox dispatched", extra={**fields, "outcome": "dispatched"})
        return completed

    def pending(self) -> int:
        """How many entries are not done yet."""
        row = self._conn.execute("SELECT count(*) FROM tas_outbox WHERE done_at IS NULL").fetchone()
        return 0 if row is None else int(row[0])

    def drain(self, *, idle: float = 0.05, stop: Callable[[], bool] | None = None) -> int:
        """Dispatch until nothing is pending (or ``stop()`` says so); the number completed.

        Entries leased by another worker are waited for: if that worker
        crashed, their lease runs out and this worker takes them over.
        """
        total = 0
        while not (stop and stop()):
            done = self.run_once()
            total += done
            if done == 0:
                if self.pending() == 0:
                    break
                threading.Event().wait(idle)
        return total


class PostgresNotificationLog:
    """Which webhook notifications were handled, and how (survives restarts).

    Args:
        dsn: A libpq connection string.
        create: Create the tables first (idempotent).

    """

    def __init__(self, dsn: str, *, create: bool = True) -> None:
        if create:
            create_schema(dsn)
        self._db = _Connections(dsn)

    def close(self) -> None:
        """Close every connection this log opened."""
        self._db.close()

    def record(
        self,
        notification_id: str,
        received_at: datetime,
        outcome: str,
        case_id: str | None = None,
    ) -> bool:
        """Remember a notification; ``False`` if it was already recorded (a duplicate)."""
        with self._db.transaction() as conn:
            inserted = conn.execute(
                "INSERT INTO tas_notifications (notification_id, received_at, outcome, case_id)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (notification_id) DO NOTHING",
                (notification_id, received_at, outcome, case_id),
            ).rowcount
        return bool(inserted == 1)

    def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        """Record how a notification ended (after `record` claimed it)."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE tas_notifications SET outcome = %s, case_id = coalesce(%s, case_id)"
                " WHERE notification_id = %s",
                (outcome, case_id, notification_id),
            )

    def forget(self, notification_id: str) -> None:
        """Drop a claimed notification whose handling failed, so its redelivery is handled."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM tas_notifications WHERE notification_id = %s", (notification_id,)
            )

    def outcome(self, notification_id: str) -> str | None:
        """How a notification ended, or ``None`` if it was never recorded."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT outcome FROM tas_notifications WHERE notification_id = %s",
                (notification_id,),
            ).fetchone()
        return None if row is None else str(row[0])

    def seen(self, notification_id: str) -> bool:
        """Whether this notification id was recorded."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT 1 FROM tas_notifications WHERE notification_id = %s", (notification_id,)
            ).fetchone()
        return row is not None

    def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        """Keep a record that could not be applied, to fetch it again later."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO tas_refetch (platform_id, reason) VALUES (%s, %s)"
                " ON CONFLICT (platform_id) DO NOTHING",
                (platform_id, reason),
            )

    def refetch(self) -> tuple[tuple[str, str], ...]:
        """The records waiting for a re-fetch, oldest first."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT platform_id, reason FROM tas_refetch ORDER BY kept_at, platform_id"
            ).fetchall()
        return tuple((str(r[0]), str(r[1])) for r in rows)

    def refetched(self, platform_id: str) -> None:
        """A kept record was fetched and applied."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM tas_refetch WHERE platform_id = %s", (platform_id,))

    def outcomes(self) -> Mapping[str, int]:
        """How many notifications ended with each outcome."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT outcome, count(*) FROM tas_notifications GROUP BY outcome"
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}


def dsn_from_environment() -> str | None:
    """The DSN in `DSN_VARIABLE`, or ``None`` when it is not set."""
    return os.environ.get(DSN_VARIABLE) or None
