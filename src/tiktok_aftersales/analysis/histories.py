"""Histories: the events of cases as read from files, and the loaders that read them.

- [`load_jsonl`][tiktok_aftersales.analysis.histories.load_jsonl] reads JSON Lines of events (or of
  whole serialised cases) and [`dump_jsonl`][tiktok_aftersales.analysis.histories.dump_jsonl] writes
  them;
- [`load_platform_dump`][tiktok_aftersales.analysis.histories.load_platform_dump] reads platform
  records, pages and webhooks through [`tiktok_aftersales.platform`][tiktok_aftersales.platform] and
  [`tiktok_aftersales.sync`][tiktok_aftersales.sync].

A bad line gives a [`LineError`][tiktok_aftersales.errors.LineError] with its line
number and field; the other lines are kept. Text comes in as lines already
read: nothing here opens a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, AppliedEvent
from ..domain.money import OrderLine
from ..domain.serialize import (
    DecodeError,
    case_from_dict,
    dt_in,
    event_to_dict,
    line_in,
    line_out,
    region_in,
    region_out,
    value_in,
)
from ..domain.vocabulary import Actor, OrderStage, Region, RequestType, State
from ..errors import InvalidValue, LineError
from ..lifecycle import event_of
from ..platform import (
    parse_cancellation,
    parse_cancellations_page,
    parse_return,
    parse_returns_page,
    parse_webhook,
)
from ..platform.record import PlatformRecord, record_of
from ..sync import Outcome, open_from_snapshot, reconcile
from .synthetic import SyntheticCase

__all__ = [
    "History",
    "LoadResult",
    "RecordedEvent",
    "dump_jsonl",
    "load_jsonl",
    "load_platform_dump",
]


@attrs.frozen
class RecordedEvent:
    """One event of a history as read from a file or generated.

    Attributes:
        event: The event name.
        actor: Who fired it.
        at: When (timezone-aware).
        payload: The payload, or ``None``.
        state: The state recorded after it, when the source says (checked on replay).
        line: The source line number, when it came from a file.

    """

    event: str
    actor: Actor
    at: datetime
    payload: Mapping[str, Any] | None = None
    state: State | None = None
    line: int | None = None


@attrs.frozen
class History:
    """A case's facts and its events in order, ready to replay.

    Attributes:
        case_id: The case.
        request_type: Its request type.
        region: Its region.
        order_id: The order.
        lines: The order lines.
        order_stage: How far the order had gone.
        platform_id: The platform's id, when known.
        events: The events, the opening event first.

    """

    case_id: str
    request_type: RequestType
    region: Region
    order_id: str
    lines: tuple[OrderLine, ...]
    order_stage: OrderStage
    platform_id: str | None
    events: tuple[RecordedEvent, ...]

    @classmethod
    def from_case(cls, case: AfterSalesCase, line: int | None = None) -> History:
        """The history of an opened case (its applied events, with their states)."""
        return cls(
            case.case_id,
            case.request_type,
            case.region,
            case.order_id,
            case.lines,
            case.order_stage,
            case.platform_id,
            tuple(
                RecordedEvent(e.event, e.actor, e.at, e.payload, e.state, line)
                for e in case.history
            ),
        )

    @classmethod
    def from_synthetic(cls, item: SyntheticCase) -> History:
        """The history of a generated case (the opening and every later event)."""
        base = cls.from_case(item.case)
        more = tuple(RecordedEvent(e.event, e.actor, e.at, e.payload) for e in item.events)
        return attrs.evolve(base, events=base.events + more)


@attrs.frozen
class LoadResult:
    """What a loader read: the histories and the bad lines.

    Attributes:
        histories: Every case that had a valid opening line, in order of first appearance.
        errors: One error per bad line, in line order.
        lines: How many non-blank, non-comment lines were read.

    """

    histories: tuple[History, ...]
    errors: tuple[LineError, ...]
    lines: int = 0

    @property
    def ok(self) -> bool:
        """Whether every line was good."""
        return not self.errors


# --- JSON Lines ----------------------------------------------------------------------------

_HEADER = ("request_type", "region", "order_id", "order_stage", "platform_id", "lines")
_EVENT_KEYS = frozenset({"case_id", "seq", "event", "actor", "at", "state", "payload"})


def dump_jsonl(cases: Iterable[AfterSalesCase | History]) -> Iterator[str]:
    """Write cases as JSON Lines of events, one event per line (no newline at the end).

    The first line of a case carries the case's facts (``request_type``,
    ``region``, ``order_id``, ``order_stage``, ``platform_id``, ``lines``);
    every line carries ``case_id``, ``seq``, ``event``, ``actor``, ``at``,
    ``state`` and ``payload``. Values are written as
    [`tiktok_aftersales.domain.serialize`][tiktok_aftersales.domain.serialize] writes them, so
    [`load_jsonl`][tiktok_aftersales.analysis.histories.load_jsonl] and
    [`replay`][tiktok_aftersales.analysis.replay] give back equal cases.

    Raises:
        EncodeError: A payload holds a value JSON cannot carry.

    """
    for item in cases:
        history = History.from_case(item) if isinstance(item, AfterSalesCase) else item
        for seq, e in enumerate(history.events, 1):
            row: dict[str, Any] = {"case_id": history.case_id}
            if seq == 1:
                row.update(
                    request_type=history.request_type.value,
                    region=region_out(history.region),
                    order_id=history.order_id,
                    order_stage=history.order_stage.value,
                    platform_id=history.platform_id,
                    lines=[line_out(x) for x in history.lines],
                )
            applied = _as_applied(e, seq)
            written = event_to_dict(applied, path=f"{history.case_id}[{seq}]")
            if e.state is None:
                del written["state"]
            row.update(written)
            yield json.dumps(row, ensure_ascii=False, allow_nan=False)


def _as_applied(e: RecordedEvent, seq: int) -> AppliedEvent:
    return AppliedEvent(seq, event_of(e.event), e.actor, e.at, e.state or State.NEW, e.payload)


class _Draft:
    """A history being read: its facts and the events so far."""

    __slots__ = ("events", "facts", "first_line", "skipped")

    def __init__(self, facts: dict[str, Any], first_line: int) -> None:
        self.facts = facts
        self.first_line = first_line
        self.events: list[RecordedEvent] = []
        self.skipped = 0
        """Bad lines of this case so far (a later ``seq`` may count them)."""

    def build(self, case_id: str) -> History:
        f = self.facts
        return History(
            case_id,
            f["request_type"],
            f["region"],
            f["order_id"],
            f["lines"],
            f["order_stage"],
            f["platform_id"],
            tuple(self.events),
        )


def _text_field(data: Mapping[str, Any], key: str, number: int, case_id: str | None) -> str:
    if key not in data:
        raise LineError(number, key, None, "missing", case_id)
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise LineError(number, key, value, "a non-empty string", case_id)
    return value


def _facts(data: Mapping[str, Any], number: int, case_id: str) -> dict[str, Any]:
    try:
        kind = RequestType(_text_field(data, "request_type", number, case_id))
    except ValueError:
        raise LineError(
            number,
            "request_type",
            data["request_type"],
            f"one of {', '.join(t.value for t in RequestType)}",
            case_id,
        ) from None
    if "region" not in data:
        raise LineError(number, "region", None, "missing", case_id)
    stage_value = data.get("order_stage", OrderStage.DELIVERED.value)
    try:
        stage = OrderStage(stage_value)
    except ValueError:
        raise LineError(
            number,
            "order_stage",
            stage_value,
            f"one of {', '.join(s.value for s in OrderStage)}",
            case_id,
        ) from None
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise LineError(number, "lines", raw_lines, "a non-empty list of order lines", case_id)
    platform_id = data.get("platform_id")
    if platform_id is not None and (not isinstance(platform_id, str) or not platform_id):
        raise LineError(number, "platform_id", platform_id, "a non-empty string or null", case_id)
    try:
        region = region_in(data["region"], "region")
        lines = tuple(line_in(x, f"lines[{i}]") for i, x in enumerate(raw_lines))
    except InvalidValue as exc:
        raise LineError(number, exc.field, exc.value, exc.reason, case_id) from None
    return {
        "request_type": kind,
        "region": region,
        "order_id": _text_field(data, "order_id", number, case_id),
        "order_stage": stage,
        "platform_id": platform_id,
        "lines": lines,
    }


def _event(data: Mapping[str, Any], number: int, case_id: str) -> RecordedEvent:
    event = _text_field(data, "event", number, case_id)
    actor_value = data.get("actor")
    try:
        actor = Actor(str(actor_value))
    except ValueError:
        raise LineError(
            number, "actor", actor_value, f"one of {', '.join(a.value for a in Actor)}", case_id
        ) from None
    if "at" not in data:
        raise LineError(number, "at", None, "missing", case_id)
    state_value = data.get("state")
    state = None
    if state_value is not None:
        try:
            state = State(state_value)
        except ValueError:
            raise LineError(
                number, "state", state_value, f"one of {', '.join(s.value for s in State)}", case_id
            ) from None
    payload = data.get("payload")
    try:
        at = dt_in(data["at"], "at")
        if payload is not None:
            if not isinstance(payload, Mapping):
                raise DecodeError("payload", payload, "an object or null")
            payload = value_in(payload, "payload")
    except InvalidValue as exc:
        raise LineError(number, exc.field, exc.value, exc.reason, case_id) from None
    return RecordedEvent(event, actor, at, payload, state, number)


def load_jsonl(lines: Iterable[str]) -> LoadResult:
    """Read histories from JSON Lines (the text of a file, line by line).

    Two kinds of line may be mixed:

    - an **event line**, ``{"case_id", "event", "actor", "at", "payload"?,
      "seq"?, "state"?}``; the first line of a case also carries
      ``request_type``, ``region``, ``order_id``, ``lines`` and optionally
      ``order_stage`` (default ``delivered``) and ``platform_id``. A case's
      events are in file order (they may interleave with other cases');
      ``seq``, when given, must be the event's position in its case
      (counting the case's bad lines, which are skipped);
      ``state``, when given, is checked on replay;
    - a **case line**: a whole case as
      [`case_to_dict`][tiktok_aftersales.domain.serialize.case_to_dict] writes it (it has a
      ``history`` key).

    Blank lines and lines starting with ``#`` are skipped. A bad line is
    reported (line number, field, value, reason) and skipped; every other
    line is kept. Later lines of a case whose first line was bad are
    reported too (there is no case to add them to).

    Returns:
        A [`LoadResult`][tiktok_aftersales.analysis.histories.LoadResult]; it never raises for bad
        content.

    """
    drafts: dict[str, _Draft] = {}
    refused: dict[str, int] = {}  # case id -> its first line, refused
    errors: list[LineError] = []
    count = 0
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        count += 1
        try:
            _read_line(stripped, number, drafts, refused)
        except LineError as exc:
            errors.append(exc)
            if exc.case_id is not None and exc.case_id in drafts:
                drafts[exc.case_id].skipped += 1
            elif exc.case_id is not None:
                refused.setdefault(exc.case_id, number)
    histories = tuple(d.build(case_id) for case_id, d in drafts.items())
    return LoadResult(histories, tuple(errors), count)


def _read_line(
    text: str, number: int, drafts: dict[str, _Draft], refused: Mapping[str, int]
) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(number, "json", text, f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise LineError(number, "line", data, "a JSON object")
    if "history" in data:
        try:
            case = case_from_dict(data)
        except InvalidValue as exc:
            raise LineError(number, exc.field, exc.value, exc.reason, data.get("case_id")) from None
        if case.case_id in drafts:
            raise LineError(number, "case_id", case.case_id, "this case appeared earlier")
        history = History.from_case(case, number)
        draft = _Draft(
            {k: getattr(history, k) for k in _HEADER},
            number,
        )
        draft.events.extend(history.events)
        drafts[case.case_id] = draft
        return
    case_id = _text_field(data, "case_id", number, None)
    found = drafts.get(case_id)
    if found is None:
        if "request_type" not in data:
            first = refused.get(case_id)
            why = (
                "missing: the first line of a case carries the case's facts"
                if first is None
                else f"missing: this case's first line (line {first}) was refused"
            )
            raise LineError(number, "request_type", None, why, case_id)
        facts = _facts(data, number, case_id)
        event = _event(data, number, case_id)
        _check_seq(data, 1, 1, number, case_id)
        new = _Draft(facts, number)
        new.events.append(event)
        drafts[case_id] = new
        return
    draft = found
    if any(k in data for k in _HEADER if k != "platform_id") and "request_type" in data:
        facts = _facts(data, number, case_id)
        for key, value in facts.items():
            if value != draft.facts[key]:
                raise LineError(
                    number, key, data.get(key), f"differs from line {draft.first_line}", case_id
                )
    event = _event(data, number, case_id)
    low = len(draft.events) + 1
    _check_seq(data, low, low + draft.skipped, number, case_id)
    draft.events.append(event)


def _check_seq(data: Mapping[str, Any], low: int, high: int, number: int, case_id: str) -> None:
    """``seq`` is the event's position in its case (bad lines of the case may count)."""
    seq = data.get("seq")
    if seq is None:
        return
    if isinstance(seq, bool) or not isinstance(seq, int) or not low <= seq <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise LineError(number, "seq", seq, f"expected {expected} for this case", case_id)


# --- platform dumps ------------------------------------------------------------------------


def _records(data: Any, number: int, errors: list[LineError]) -> list[PlatformRecord]:
    if not isinstance(data, Mapping):
        raise LineError(number, "line", data, "a JSON object")
    items: list[object] = []
    inner = data.get("data")
    if "type" in data and isinstance(inner, Mapping):  # a webhook delivery
        envelope = parse_webhook(data, strict=False)
        if envelope.data is None:
            return []
        items.append(envelope)
    elif isinstance(inner, Mapping) and "return_orders" in inner:
        page = parse_returns_page(data, strict=False)
        items += page.returns
        errors += [_rejected(number, "return_orders", x) for x in page.rejected]
    elif isinstance(inner, Mapping) and "cancellations" in inner:
        cpage = parse_cancellations_page(data, strict=False)
        items += cpage.cancellations
        errors += [_rejected(number, "cancellations", x) for x in cpage.rejected]
    elif "return_id" in data:
        items.append(parse_return(data, strict=False))
    elif "cancel_id" in data:
        items.append(parse_cancellation(data, strict=False))
    else:
        raise LineError(
            number, "line", sorted(data)[:6], "a return or cancellation record, a page or a webhook"
        )
    return [record_of(item) for item in items]


def _rejected(number: int, where: str, item: Any) -> LineError:
    error = item.error
    return LineError(number, f"{where}[{item.index}].{error.field}", error.value, error.reason)


def _lines_of(record: PlatformRecord, number: int) -> tuple[OrderLine, ...]:
    """The case lines of the record that opens a case: the one rule, keyed by order-line id."""
    if record.webhook:
        raise LineError(
            number,
            "data",
            record.platform_id,
            "no earlier record opened this request (a webhook carries no order lines)",
            record.platform_id,
        )
    try:
        return record.order_lines()
    except InvalidValue as exc:
        raise LineError(
            number, "line_items", [], "a record needs its line items, with refund amounts, "
            "to open a case", record.platform_id,
        ) from exc  # fmt: skip


def load_platform_dump(
    lines: Iterable[str],
    *,
    region: Region | str = "US",
    order_stage: OrderStage | str = OrderStage.DELIVERED,
) -> LoadResult:
    """Read cases from a dump of platform payloads, one JSON object per line.

    A line may be a return record (Search Returns ``return_orders[]``), a
    cancellation record, a whole page response of either, or a webhook
    delivery (types 2, 11, 12). Records are parsed with
    [`tiktok_aftersales.platform`][tiktok_aftersales.platform] (tolerant mode), grouped by platform
    id and ordered by ``update_time``; the first opens the case with
    `open_from_snapshot` (order lines from the
    record's line items) and each later one is applied with
    `reconcile`. The case id is the platform id.

    A line that does not parse, a webhook for a request no record opened,
    and a snapshot sync cannot follow (unmapped, conflict) are reported with
    their line numbers; the other lines are kept.

    Args:
        lines: The dump's lines.
        region: The shop's region (records do not carry it).
        order_stage: How far orders had gone (records do not say).

    """
    errors: list[LineError] = []
    found: list[tuple[datetime, int, int, PlatformRecord]] = []
    count = 0
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        count += 1
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            errors.append(LineError(number, "json", stripped, f"not JSON ({exc.msg})"))
            continue
        try:
            snaps = _records(data, number, errors)
        except LineError as exc:
            errors.append(exc)
            continue
        except InvalidValue as exc:
            errors.append(LineError(number, exc.field, exc.value, exc.reason))
            continue
        for k, snap in enumerate(snaps):
            when = snap.update_time or datetime.min.replace(tzinfo=UTC)
            found.append((when, number, k, snap))
    found.sort(key=lambda x: (x[0], x[1], x[2]))
    cases: dict[str, AfterSalesCase] = {}
    for _, number, _, snap in found:
        pid = snap.platform_id
        try:
            if pid not in cases:
                if snap.request_type is None or not snap.states:
                    raise LineError(number, "status", snap.unmapped, "unmapped: cannot open", pid)
                opened = open_from_snapshot(
                    snap,
                    case_id=pid,
                    region=region,
                    lines=_lines_of(snap, number),
                    order_stage=order_stage,
                )
                if opened.case is None:
                    raise LineError(number, "status", pid, opened.detail, pid)
                cases[pid] = opened.case
                continue
            result = reconcile(cases[pid], snap)
            if result.outcome in (Outcome.CONFLICT, Outcome.UNMAPPED):
                raise LineError(number, "status", result.outcome.value, result.detail, pid)
            if result.case is not None:
                cases[pid] = result.case
        except LineError as exc:
            errors.append(exc)
        except InvalidValue as exc:
            errors.append(LineError(number, exc.field, exc.value, exc.reason, pid))
    errors.sort(key=lambda e: e.line or 0)
    histories = tuple(History.from_case(c) for c in cases.values())
    return LoadResult(histories, tuple(errors), count)
