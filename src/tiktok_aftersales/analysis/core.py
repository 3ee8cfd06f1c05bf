"""Replay and simulation over many cases, with figures as plain records.

The analyst's side of the library. Everything here is a pure function of its
arguments: text comes in as lines already read, time as values, randomness as
a seed. Nothing imports pandas until :meth:`Table.to_pandas` is called (the
optional ``analysis`` extra).

- **Populations** (:func:`population`): seeded synthetic cases built with
  :mod:`tiktok_aftersales.analysis.synthetic`, which walks the lifecycle declaration
  with a :class:`~tiktok_aftersales.analysis.synthetic.Behaviour` (who stays silent,
  who disputes, how arbitration ends, request types, regions, lines).
- **Histories from files**: :func:`load_jsonl` reads JSON Lines of events (or
  of whole serialised cases) and :func:`dump_jsonl` writes them;
  :func:`load_platform_dump` reads platform records, pages and webhooks
  through :mod:`tiktok_aftersales.platform` and :mod:`tiktok_aftersales.sync`.
  A bad line gives a :class:`LineError` with its line number and field; the
  other lines are kept.
- **Replay** (:func:`replay`, :func:`final_states`) and **simulation**
  (:func:`run_policy`, :func:`simulate`): the same population under two
  deadline policies, side by side.
- **Figures** (:func:`figures`): outcomes per request type, timeouts
  (auto-approvals and closures), refund exposure by who decided, seller
  deadlines missed, time in each state, connector grid tabs over time.

How a policy is simulated: each generated case is a script of events with
their delays. Under a policy, the script is played with
:func:`~tiktok_aftersales.advance`: a scripted silence (a timeout) fires at
*that policy's* deadline, and an answer that comes after the policy's
deadline is pre-empted by the timeout. When the case leaves the scripted
path, the generator continues it from where it is, with a seed that depends
only on the case, so both policies see the same people behaving the same way.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs

from ..codes.tabs import ALL_TAB, GridTab, tab_counts
from ..deadlines.clock import advance, running_deadlines
from ..deadlines.policy import DEFAULT_POLICY, WINDOW_ACTORS, Policy, named_policy
from ..domain.calendars import Duration, DurationUnit
from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
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
from ..domain.vocabulary import Actor, Event, OrderStage, Region, RequestType, State, Window
from ..errors import AfterSalesError, InvalidValue, LineError, MissingExtra
from ..lifecycle import LIFECYCLES, apply, is_terminal, open_case
from ..lifecycle.engine import choose_transition
from .synthetic import Behaviour, SyntheticCase, continue_case, generate

__all__ = [
    "Comparison",
    "ComparisonRow",
    "ExposureRow",
    "Figures",
    "History",
    "LineError",
    "LoadResult",
    "MissingExtra",
    "OutcomeRow",
    "Population",
    "RecordedEvent",
    "ReplayResult",
    "SellerDeadlineRow",
    "StateTimeRow",
    "TabRow",
    "Table",
    "TimeoutCount",
    "dump_jsonl",
    "figures",
    "final_states",
    "load_jsonl",
    "load_platform_dump",
    "policy_from_spec",
    "population",
    "replay",
    "run_policy",
    "simulate",
]

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called now and then during long work."""

R = TypeVar("R")


# --- errors --------------------------------------------------------------------------------


# --- histories -----------------------------------------------------------------------------


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
    :mod:`tiktok_aftersales.domain.serialize` writes them, so :func:`load_jsonl`
    and :func:`replay` give back equal cases.

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


def _as_applied(e: RecordedEvent, seq: int) -> Any:
    from ..domain.case import AppliedEvent
    from ..lifecycle import event_of

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
    - a **case line**: a whole case as :func:`~tiktok_aftersales.domain.serialize.case_to_dict`
      writes it (it has a ``history`` key).

    Blank lines and lines starting with ``#`` are skipped. A bad line is
    reported (line number, field, value, reason) and skipped; every other
    line is kept. Later lines of a case whose first line was bad are
    reported too (there is no case to add them to).

    Returns:
        A :class:`LoadResult`; it never raises for bad content.

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


@attrs.frozen
class _Snapshot:
    """What sync reads from a parsed record or webhook (``sync.SnapshotLike``)."""

    platform_id: str
    order_id: str
    update_time: datetime | None
    platform_state: Any
    unmapped: tuple[str, ...]
    platform_deadline: Any = None
    line_items: tuple[Any, ...] = ()
    webhook: bool = False


def _snapshots(data: Any, number: int, errors: list[LineError]) -> list[_Snapshot]:
    from ..platform import (
        parse_cancellation,
        parse_cancellations_page,
        parse_return,
        parse_returns_page,
        parse_webhook,
    )
    from ..sync import PlatformState

    if not isinstance(data, Mapping):
        raise LineError(number, "line", data, "a JSON object")
    items: list[tuple[Any, datetime | None]] = []
    inner = data.get("data")
    webhook = "type" in data and isinstance(inner, Mapping)
    if webhook:  # a webhook delivery
        envelope = parse_webhook(data, strict=False)
        if envelope.data is None:
            return []
        items.append((envelope.data, envelope.update_time))
    elif isinstance(inner, Mapping) and "return_orders" in inner:
        page = parse_returns_page(data, strict=False)
        items += [(r, r.update_time) for r in page.returns]
        errors += [_rejected(number, "return_orders", x) for x in page.rejected]
    elif isinstance(inner, Mapping) and "cancellations" in inner:
        cpage = parse_cancellations_page(data, strict=False)
        items += [(r, r.update_time) for r in cpage.cancellations]
        errors += [_rejected(number, "cancellations", x) for x in cpage.rejected]
    elif "return_id" in data:
        record = parse_return(data, strict=False)
        items.append((record, record.update_time))
    elif "cancel_id" in data:
        cancel = parse_cancellation(data, strict=False)
        items.append((cancel, cancel.update_time))
    else:
        raise LineError(
            number, "line", sorted(data)[:6], "a return or cancellation record, a page or a webhook"
        )
    out = []
    for record, update in items:
        kind = record.request_type
        states = record.states
        target = (
            PlatformState(kind, states, record.arbitration) if kind is not None and states else None
        )
        out.append(
            _Snapshot(
                record.platform_id,
                record.order_id,
                update,
                target,
                tuple(record.unmapped),
                getattr(record, "platform_deadline", None),
                tuple(getattr(record, "line_items", ())),
                webhook,
            )
        )
    return out


def _rejected(number: int, where: str, item: Any) -> LineError:
    error = item.error
    return LineError(number, f"{where}[{item.index}].{error.field}", error.value, error.reason)


def _lines_of(snapshot: _Snapshot, number: int) -> list[OrderLine]:
    from ..domain.money import Breakdown

    if snapshot.webhook:
        raise LineError(
            number,
            "data",
            snapshot.platform_id,
            "no earlier record opened this request (a webhook carries no order lines)",
            snapshot.platform_id,
        )

    out = []
    for i, item in enumerate(snapshot.line_items):
        if item.refund is None:
            raise LineError(
                number,
                f"line_items[{i}].refund_amount",
                None,
                "needed to know what was paid",
                snapshot.platform_id,
            )
        b = item.refund.breakdown
        out.append(
            OrderLine(
                item.line_item_id,
                item.sku_id or item.seller_sku or item.order_line_item_id,
                Breakdown(b.subtotal, b.shipping, b.tax),
            )
        )
    if not out:
        raise LineError(
            number, "line_items", [], "a record needs its line items to open a case",
            snapshot.platform_id,
        )  # fmt: skip
    return out


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
    :mod:`tiktok_aftersales.platform` (tolerant mode), grouped by platform id
    and ordered by ``update_time``; the first opens the case with
    :func:`~tiktok_aftersales.open_from_snapshot` (order lines from the
    record's line items) and each later one is applied with
    :func:`~tiktok_aftersales.reconcile`. The case id is the platform id.

    A line that does not parse, a webhook for a request no record opened,
    and a snapshot sync cannot follow (unmapped, conflict) are reported with
    their line numbers; the other lines are kept.

    Args:
        lines: The dump's lines.
        region: The shop's region (records do not carry it).
        order_stage: How far orders had gone (records do not say).

    """
    from ..sync import Outcome, open_from_snapshot, reconcile

    errors: list[LineError] = []
    found: list[tuple[datetime, int, int, _Snapshot]] = []
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
            snaps = _snapshots(data, number, errors)
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
                if snap.platform_state is None:
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


# --- replay --------------------------------------------------------------------------------


@attrs.frozen
class ReplayResult:
    """Cases rebuilt from histories, and the events that would not apply.

    Attributes:
        cases: One case per history that could be opened, in the state its
            last legal event left it in.
        errors: One error per history that stopped early (the event's line
            number when known, and what the engine said).

    """

    cases: tuple[AfterSalesCase, ...]
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        """Whether every event of every history applied."""
        return not self.errors


def _replay_one(h: History) -> tuple[AfterSalesCase | None, LineError | None]:
    case: AfterSalesCase | None = None
    for e in h.events:
        try:
            if case is None:
                case = open_case(
                    h.request_type,
                    case_id=h.case_id,
                    order_id=h.order_id,
                    region=h.region,
                    lines=h.lines,
                    at=e.at,
                    actor=e.actor,
                    event=e.event,
                    order_stage=h.order_stage,
                    platform_id=h.platform_id,
                    payload=e.payload,
                )
            else:
                case = apply(case, e.event, e.actor, e.at, e.payload)
        except InvalidValue as exc:
            return case, LineError(e.line, exc.field, exc.value, exc.reason, h.case_id)
        except AfterSalesError as exc:
            state = "new" if case is None else case.state.value
            return case, LineError(e.line, "event", e.event, f"{exc} (in {state})", h.case_id)
        if e.state is not None and case.state is not e.state:
            return case, LineError(
                e.line,
                "state",
                e.state.value,
                f"the lifecycle gives {case.state.value} after {e.event!r}",
                h.case_id,
            )
    return case, None


def replay(histories: Iterable[History], *, progress: Progress | None = None) -> ReplayResult:
    """Replay histories with the engine and keep every case (effects and history included).

    A history stops at its first event that does not apply; the case is kept
    as it was before that event and the event is reported. Use
    :func:`final_states` when only the final states are needed.
    """
    items = list(histories)
    cases: list[AfterSalesCase] = []
    errors: list[LineError] = []
    for i, h in enumerate(items, 1):
        case, error = _replay_one(h)
        if case is not None:
            cases.append(case)
        if error is not None:
            errors.append(error)
        if progress is not None and (i % 500 == 0 or i == len(items)):
            progress(i, len(items))
    return ReplayResult(tuple(cases), tuple(errors))


def final_states(histories: Iterable[History]) -> list[State]:
    """The state each history ends in, through the fast replay path.

    Uses :func:`tiktok_aftersales.analysis.fast.replay_states` (no history or effects
    are built); falls back to the engine when the fast path is unavailable.

    Raises:
        InvalidTransition, UnknownEvent, InvalidValue: An event is not legal
            where it comes (as :func:`~tiktok_aftersales.apply` says).

    """
    items = list(histories)
    replay_states: Callable[[Any], list[State]] | None
    try:
        from .fast import replay_states
    except ImportError:  # pragma: no cover - the fast path ships with the package
        replay_states = None
    if replay_states is not None:
        streams = (
            (h.request_type, [(e.event, e.actor.value, e.payload) for e in h.events]) for h in items
        )
        return replay_states(streams)
    out = []
    for h in items:  # pragma: no cover - see above
        case, error = _replay_one(h)
        if error is not None:
            raise error
        assert case is not None
        out.append(case.state)
    return out


# --- figures -------------------------------------------------------------------------------


@attrs.frozen
class Table(Generic[R]):
    """Rows of one figure, with their column names.

    Attributes:
        name: The figure's name (``"outcomes"``).
        columns: The rows' field names, in order.
        rows: The rows (frozen ``attrs`` records).

    """

    name: str
    columns: tuple[str, ...]
    rows: tuple[R, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts (values as they are: ``Decimal``, ``datetime``...)."""
        return [{c: getattr(row, c) for c in self.columns} for row in self.rows]

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``analysis`` extra).

        Money columns stay ``Decimal`` (``object`` dtype); convert with
        ``.astype(float)`` for plotting.

        Raises:
            MissingExtra: pandas is not installed.

        """
        pandas = _pandas()
        return pandas.DataFrame(self.records(), columns=list(self.columns))


def _pandas() -> Any:
    try:
        import pandas  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise MissingExtra("pandas", "analysis") from None
    return pandas


def _table(name: str, kind: type[R], rows: Iterable[R]) -> Table[R]:
    columns = tuple(f.name for f in attrs.fields(kind))  # type: ignore[arg-type]
    return Table(name, columns, tuple(rows))


@attrs.frozen
class OutcomeRow:
    """How many cases of a request type ended in a state.

    Attributes:
        request_type: The request type.
        state: The final state.
        cases: How many cases.
        share: Their share of the request type's cases (0..1).

    """

    request_type: str
    state: str
    cases: int
    share: float


@attrs.frozen
class TimeoutCount:
    """How often the clock fired one window's timeout.

    Attributes:
        request_type: The request type.
        window: The window that ran out.
        silent: Who was silent (``seller``: an auto-approval; ``buyer``:
            usually a closure).
        event: The event the clock fired.
        target: The state it led to.
        count: How many times.

    """

    request_type: str
    window: str
    silent: str
    event: str
    target: str
    count: int


@attrs.frozen
class ExposureRow:
    """Money committed to buyers, by who made the deciding move.

    Attributes:
        decided_by: The actor of the event that committed the refund
            (``system``: a deadline ran out; ``platform``: arbitration).
        currency: The currency.
        refunds: How many refunds.
        amount: Their total.

    """

    decided_by: str
    currency: str
    refunds: int
    amount: Decimal


@attrs.frozen
class SellerDeadlineRow:
    """Seller decisions with a deadline, and how many the seller missed.

    Attributes:
        region: The region code.
        request_type: The request type.
        decisions: How often a seller window closed (answered or missed).
        missed: How often it closed because it ran out.
        missed_share: ``missed / decisions``.

    """

    region: str
    request_type: str
    decisions: int
    missed: int
    missed_share: float


@attrs.frozen
class StateTimeRow:
    """How long cases stayed in a state (stays that ended; hours).

    Attributes:
        state: The state.
        stays: How many stays.
        mean_hours: The mean.
        median_hours: The median.
        p90_hours: The 90th percentile (nearest rank).

    """

    state: str
    stays: int
    mean_hours: float
    median_hours: float
    p90_hours: float


@attrs.frozen
class TabRow:
    """How many cases one connector grid tab listed at an instant.

    Attributes:
        at: The instant.
        tab: The tab (``"All"`` included; ``"outside"``: not in the grid).
        cases: How many cases.

    """

    at: datetime
    tab: str
    cases: int


@attrs.frozen
class Figures:
    """Every figure for one set of cases.

    Attributes:
        cases: How many cases.
        outcomes: Final states per request type.
        timeouts: Timeouts fired, per window.
        exposure: Refunds committed, by who decided.
        seller_deadlines: Seller decisions and misses, per region and type.
        time_in_state: Time spent in each state.
        tabs: Connector grid tab counts at the chosen instants.
        summary: Headline numbers (see :func:`figures`).

    """

    cases: int
    outcomes: Table[OutcomeRow]
    timeouts: Table[TimeoutCount]
    exposure: Table[ExposureRow]
    seller_deadlines: Table[SellerDeadlineRow]
    time_in_state: Table[StateTimeRow]
    tabs: Table[TabRow]
    summary: Mapping[str, int | float | Decimal]

    def tables(self) -> tuple[Table[Any], ...]:
        """Every table, in a fixed order."""
        return (
            self.outcomes,
            self.timeouts,
            self.exposure,
            self.seller_deadlines,
            self.time_in_state,
            self.tabs,
        )

    def to_pandas(self) -> dict[str, Any]:
        """Every table as a ``pandas.DataFrame``, by name.

        Raises:
            MissingExtra: pandas is not installed.

        """
        return {t.name: t.to_pandas() for t in self.tables()}


def _timeout_of(case: AfterSalesCase, i: int) -> tuple[Window, State] | None:
    """The window whose expiry history[i] was, and its target (``None``: not a timeout)."""
    item = case.history[i]
    if i == 0 or item.actor is not Actor.SYSTEM:
        return None
    before = case.history[i - 1].state
    for t in LIFECYCLES[case.request_type].index.get((before, item.event), ()):
        if t.timeout is not None and Actor.SYSTEM in t.actors:
            return t.timeout, t.dest_from(before)
    return None


def _seller_windows(kind: RequestType, state: State) -> frozenset[Window]:
    return frozenset(
        t.timeout
        for t in LIFECYCLES[kind].timeouts_from(state)
        if t.timeout is not None and WINDOW_ACTORS[t.timeout] is Actor.SELLER
    )


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _median(sorted_values: Sequence[float]) -> float:
    n = len(sorted_values)
    if n == 0:
        return 0.0
    mid = n // 2
    if n % 2:
        return sorted_values[mid]
    return (sorted_values[mid - 1] + sorted_values[mid]) / 2


def _instants(cases: Sequence[AfterSalesCase], count: int = 6) -> tuple[datetime, ...]:
    opened = [c.opened_at for c in cases if c.opened_at is not None]
    last = [c.last_event_at for c in cases if c.last_event_at is not None]
    if not opened:
        return ()
    first, end = min(opened), max(last)
    if count <= 1 or end == first:
        return (end,)
    step = (end - first) / (count - 1)
    return tuple(first + step * k for k in range(count))


def _state_at(case: AfterSalesCase, at: datetime) -> State | None:
    found = None
    for item in case.history:
        if item.at > at:
            break
        found = item.state
    return found


def _tabs(cases: Sequence[AfterSalesCase], instants: Iterable[datetime]) -> list[TabRow]:
    rows = []
    for at in instants:
        if not isinstance(at, datetime) or at.utcoffset() is None:
            raise InvalidValue("instants", at, "timezone-aware datetimes")
        alive = []
        for c in cases:
            state = _state_at(c, at)
            if state is not None:
                alive.append(c if state is c.state else attrs.evolve(c, state=state))
        counts = tab_counts(alive)
        rows.append(TabRow(at, ALL_TAB, counts.all))
        rows += [TabRow(at, tab.value, counts.by_tab[tab]) for tab in GridTab]
        rows.append(TabRow(at, "outside", counts.outside))
    return rows


def figures(
    cases: Iterable[AfterSalesCase], *, instants: Iterable[datetime] | None = None
) -> Figures:
    """Compute every figure for a set of (replayed or simulated) cases.

    Args:
        cases: Opened cases with their histories.
        instants: When to count the connector grid tabs; by default six
            instants evenly spaced from the first opening to the last event.

    The ``summary`` holds: ``cases``; ``refunded`` (cases with a refund
    committed); ``seller rejections``; ``disputes``; ``auto-approvals``
    (seller windows that ran out); ``closures by timeout``; ``seller
    deadlines missed %``; ``median hours in requested`` and ``p90 hours in
    requested``; and one
    ``refund exposure <CUR>`` and ``decided by system <CUR>`` per currency.

    Raises:
        InvalidValue: An instant is not timezone-aware.

    """
    items = [c for c in cases if c.history]
    outcome: Counter[tuple[RequestType, State]] = Counter()
    per_type: Counter[RequestType] = Counter()
    timeouts: Counter[tuple[str, str, str, str, str]] = Counter()
    money: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    seller: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    stays: dict[State, list[float]] = defaultdict(list)
    rejections = disputes = auto = closures = refunded = 0
    for case in items:
        kind = case.request_type
        per_type[kind] += 1
        outcome[(kind, case.state)] += 1
        history = case.history
        entered = history[0].at
        for i, item in enumerate(history):
            if item.event is Event.REJECT and item.actor is Actor.SELLER:
                rejections += 1
            if item.event is Event.DISPUTE:
                disputes += 1
            fired = _timeout_of(case, i)
            if fired is not None:
                window, target = fired
                who = WINDOW_ACTORS[window]
                timeouts[(kind.value, window.value, who.value, item.event, target.value)] += 1
                if who is Actor.SELLER:
                    auto += 1
                if target is State.CLOSED:
                    closures += 1
            if i == 0:
                continue
            before = history[i - 1].state
            if item.state is not before:
                stays[before].append((item.at - entered).total_seconds() / 3600)
                entered = item.at
                if _seller_windows(kind, before):
                    row = seller[(case.region.code, kind.value)]
                    row[0] += 1
                    if fired is not None and WINDOW_ACTORS[fired[0]] is Actor.SELLER:
                        row[1] += 1
        committed = False
        for effect in case.effects:
            if effect.kind is EffectKind.ISSUE_REFUND and effect.amount is not None:
                seq = int(effect.key.rsplit("/", 2)[-2])
                actor = history[seq - 1].actor.value
                money[(actor, effect.amount.currency)].append(effect.amount.amount)
                committed = True
        refunded += committed
    outcome_rows = [
        OutcomeRow(kind.value, state.value, n, round(n / per_type[kind], 4))
        for (kind, state), n in sorted(outcome.items(), key=lambda x: (x[0][0].value, -x[1]))
    ]
    timeout_rows = [TimeoutCount(*key, count=n) for key, n in sorted(timeouts.items())]
    exposure_rows = [
        ExposureRow(actor, currency, len(v), sum(v, Decimal(0)))
        for (actor, currency), v in sorted(money.items())
    ]
    seller_rows = [
        SellerDeadlineRow(region, kind, d, m, round(m / d, 4) if d else 0.0)
        for (region, kind), (d, m) in sorted(seller.items())
    ]
    state_rows = []
    for state in State:
        values = sorted(stays.get(state, ()))
        if values:
            state_rows.append(
                StateTimeRow(
                    state.value,
                    len(values),
                    round(sum(values) / len(values), 2),
                    round(_median(values), 2),
                    round(_quantile(values, 0.9), 2),
                )
            )
    chosen = _instants(items) if instants is None else tuple(instants)
    decisions = sum(d for d, _ in seller.values())
    missed = sum(m for _, m in seller.values())
    requested = sorted(stays.get(State.REQUESTED, ()))
    summary: dict[str, int | float | Decimal] = {
        "cases": len(items),
        "refunded": refunded,
        "seller rejections": rejections,
        "disputes": disputes,
        "auto-approvals": auto,
        "closures by timeout": closures,
        "seller deadlines missed %": round(100 * missed / decisions, 2) if decisions else 0.0,
        "median hours in requested": round(_median(requested), 2),
        "p90 hours in requested": round(_quantile(requested, 0.9), 2),
    }
    for currency in sorted({c for _, c in money}):
        summary[f"refund exposure {currency}"] = sum(
            (sum(v, Decimal(0)) for (_, c), v in money.items() if c == currency), Decimal(0)
        )
        summary[f"decided by system {currency}"] = sum(
            money.get((Actor.SYSTEM.value, currency), ()), Decimal(0)
        )
    return Figures(
        len(items),
        _table("outcomes", OutcomeRow, outcome_rows),
        _table("timeouts", TimeoutCount, timeout_rows),
        _table("exposure", ExposureRow, exposure_rows),
        _table("seller_deadlines", SellerDeadlineRow, seller_rows),
        _table("time_in_state", StateTimeRow, state_rows),
        _table("tabs", TabRow, _tabs(items, chosen)),
        summary,
    )


# --- populations and policies ----------------------------------------------------------------


def _timedelta(duration: Duration) -> timedelta:
    if duration.unit is DurationUnit.HOURS:
        return timedelta(hours=duration.amount)
    return timedelta(days=duration.amount)  # working days: a calendar approximation


def _windows_of(policy: Policy) -> dict[Window, timedelta]:
    """The global (any region, any type) length of every window."""
    return {r.window: _timedelta(r.duration) for r in policy.rules if r.key[:2] == (None, None)}


@attrs.frozen
class Population:
    """A seeded synthetic population: the same people, ready to face any policy.

    Attributes:
        seed: The seed.
        behaviour: How buyers and sellers behave.
        cases: The generated cases (each a script of events with their times).
        windows: How long parties take, as window lengths: a party who
            answers does so within a random fraction of its window.
        max_events: The longest history after opening.

    """

    seed: int
    behaviour: Behaviour
    cases: tuple[SyntheticCase, ...]
    windows: Mapping[Window, timedelta]
    max_events: int = 40

    def __len__(self) -> int:
        return len(self.cases)

    def histories(self) -> tuple[History, ...]:
        """The generated histories as :class:`History` values (for :func:`dump_jsonl`)."""
        return tuple(History.from_synthetic(c) for c in self.cases)


_START = datetime(2025, 1, 1, tzinfo=UTC)


def population(
    seed: int,
    n: int,
    behaviour: Behaviour | None = None,
    *,
    region: Region | str | None = None,
    windows_from: Policy = DEFAULT_POLICY,
    start: datetime = _START,
    span: timedelta = timedelta(days=90),
    max_events: int = 40,
) -> Population:
    """Generate a reproducible population of ``n`` cases.

    Args:
        seed: The seed (same seed, same population).
        n: How many cases.
        behaviour: Probabilities of silence, late shipping, disputes,
            arbitration outcomes, and the mix of types, regions and lines
            (:class:`~tiktok_aftersales.analysis.synthetic.Behaviour`).
        region: Keep only this region (replaces ``behaviour.regions``).
        windows_from: The policy whose global window lengths set how long
            parties take to answer (an answer comes within a random
            fraction of the window).
        start: Cases open between ``start`` and ``start + span``.
        span: See ``start``.
        max_events: The longest history after opening.

    Raises:
        InvalidValue: An argument is malformed (as for
            :func:`~tiktok_aftersales.analysis.synthetic.generate`).

    """
    chosen = behaviour or Behaviour()
    if region is not None:
        code = region.code if isinstance(region, Region) else str(region).strip().upper()
        chosen = attrs.evolve(chosen, regions={code: 1.0})
    if not isinstance(windows_from, Policy):
        raise InvalidValue("windows_from", windows_from, "a Policy")
    windows = _windows_of(windows_from)
    cases = tuple(
        generate(seed, n, chosen, start=start, span=span, windows=windows, max_events=max_events)
    )
    return Population(seed, chosen, cases, windows, max_events)


def policy_from_spec(spec: str, extra: Mapping[str, Policy] | None = None) -> Policy:
    """Build a policy from a short text: a name, then window overrides.

    ``"default"``, ``"channel_manager"``, or
    ``"default,seller_response=24h@GB"``: each ``WINDOW=DURATION`` sets a
    window for every region, ``@REGION`` for one region, and
    ``@REGION/TYPE`` (or ``@*/TYPE``) for one request type too. The result
    is named after the whole spec.

    >>> p = policy_from_spec("default,seller_response=24h@GB")
    >>> str(p.duration("GB", "refund_only", "seller_response"))
    '24 h'

    Raises:
        InvalidValue: An unknown policy name, window, region, type or duration
            (``field`` is ``"policy"``, or the rule's field).

    """
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidValue("policy", spec, "a policy name, optionally with overrides")
    name, *overrides = [part.strip() for part in spec.split(",")]
    policy = named_policy(name, extra)
    for text in overrides:
        if "=" not in text:
            raise InvalidValue("policy", text, "an override WINDOW=DURATION[@REGION[/TYPE]]")
        window, _, rest = text.partition("=")
        duration, _, scope = rest.partition("@")
        region_part, _, type_part = scope.partition("/")
        policy = policy.with_window(
            window=window.strip(),
            duration=duration.strip(),
            region=None if region_part.strip() in ("", "*") else region_part.strip(),
            request_type=type_part.strip() or None,
            source=f"override {text}",
        )
    return policy.renamed(spec.strip(), f"{name} with {', '.join(overrides) or 'no changes'}")


# --- simulation ----------------------------------------------------------------------------


def _play(
    case: AfterSalesCase, events: Iterable[Any], policy: Policy
) -> tuple[AfterSalesCase, bool]:
    """Play scripted events under ``policy``; ``True`` when the case left the script."""
    shift = timedelta(0)
    for e in events:
        at = e.at + shift
        if e.actor is Actor.SYSTEM:
            try:
                t = choose_transition(case, e.event, Actor.SYSTEM, e.payload)
            except AfterSalesError:
                return case, True
            if t.timeout is not None:
                # A scripted silence: it lasts until this policy's deadline.
                due = next(
                    (d.due for d in running_deadlines(case, policy) if d.window is t.timeout), None
                )
                if due is None:  # pragma: no cover - a declared timeout always has a deadline
                    return case, True
                report = advance(case, due, policy, report=True)
                case = report.case
                if not report.fired or report.fired[0].window is not t.timeout:
                    return case, True
                shift = case.history[len(case.history) - len(report.fired)].at - e.at
                continue
        case = advance(case, at, policy)
        last = case.last_event_at
        when = at if last is None or at >= last else last
        try:
            case = apply(case, e.event, e.actor, when, e.payload)
        except AfterSalesError:
            return case, True
    return case, False


def _mix(*parts: int) -> int:
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = (value * 1_000_003) ^ (part & 0xFFFFFFFFFFFFFFFF)
        value &= 0xFFFFFFFFFFFFFFFF
    return value


def _simulate_case(pop: Population, index: int, policy: Policy) -> AfterSalesCase:
    item = pop.cases[index]
    case, off_script = _play(item.case, item.events, policy)
    rounds = 0
    while off_script and rounds < 5 and not is_terminal(case):
        rounds += 1
        more = continue_case(
            case,
            _mix(pop.seed, index, rounds),
            pop.behaviour,
            windows=pop.windows,
            max_events=max(pop.max_events - len(case.history), 0),
        )
        case, off_script = _play(case, more.events, policy)
    return case


def run_policy(
    pop: Population, policy: Policy, *, progress: Progress | None = None
) -> tuple[AfterSalesCase, ...]:
    """Play every case of ``pop`` under ``policy`` and return the cases.

    Deadlines fire as :func:`~tiktok_aftersales.advance` says under
    ``policy``: a party silent in the script is silent until that policy's
    deadline; an answer that would come after it is pre-empted. Cases that
    leave their script continue with the generator (seeded by the case, not
    the policy).

    Raises:
        InvalidValue: ``policy`` is not a :class:`~tiktok_aftersales.Policy`.

    """
    if not isinstance(policy, Policy):
        raise InvalidValue("policy", policy, "a Policy")
    out = []
    total = len(pop.cases)
    for index in range(total):
        out.append(_simulate_case(pop, index, policy))
        if progress is not None and ((index + 1) % 250 == 0 or index + 1 == total):
            progress(index + 1, total)
    return tuple(out)


@attrs.frozen
class ComparisonRow:
    """One headline number under two policies.

    Attributes:
        metric: What is counted (see :func:`figures`).
        a: Under the first policy.
        b: Under the second (``None`` when there is no second).
        change: ``b - a`` (``None`` when there is no second).

    """

    metric: str
    a: int | float | Decimal
    b: int | float | Decimal | None = None
    change: int | float | Decimal | None = None


@attrs.frozen
class Comparison:
    """The same population under one or two policies.

    Attributes:
        policy_a: The first policy.
        policy_b: The second, or ``None``.
        a: Figures under the first.
        b: Figures under the second, or ``None``.
        rows: The headline numbers side by side.
        cases_a: The cases under the first policy.
        cases_b: The cases under the second (empty without one).

    """

    policy_a: Policy
    policy_b: Policy | None
    a: Figures
    b: Figures | None
    rows: Table[ComparisonRow]
    cases_a: tuple[AfterSalesCase, ...] = attrs.field(repr=False, default=())
    cases_b: tuple[AfterSalesCase, ...] = attrs.field(repr=False, default=())

    def row(self, metric: str) -> ComparisonRow:
        """The row of one metric.

        Raises:
            InvalidValue: No such metric.

        """
        for r in self.rows:
            if r.metric == metric:
                return r
        raise InvalidValue("metric", metric, f"one of {', '.join(r.metric for r in self.rows)}")

    def to_pandas(self) -> Any:
        """The side-by-side rows as a ``pandas.DataFrame`` (the ``analysis`` extra).

        Raises:
            MissingExtra: pandas is not installed.

        """
        return self.rows.to_pandas()


def _change(a: Any, b: Any) -> Any:
    if isinstance(a, float) or isinstance(b, float):
        return round(float(b) - float(a), 2)
    return b - a


def simulate(
    pop: Population,
    policy: Policy,
    vs: Policy | None = None,
    *,
    instants: Iterable[datetime] | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Play the same population under ``policy`` and (optionally) ``vs``, side by side.

    Args:
        pop: The population (:func:`population`).
        policy: The first policy.
        vs: The second policy, or ``None`` for figures under one policy.
        instants: When to count grid tabs (see :func:`figures`).
        progress: Called with ``(done, total)`` over both runs.

    Raises:
        InvalidValue: A policy is not a :class:`~tiktok_aftersales.Policy`.

    """
    total = len(pop.cases) * (1 if vs is None else 2)

    def part(offset: int) -> Progress | None:
        if progress is None:
            return None
        report = progress
        return lambda done, _n: report(offset + done, total)

    chosen = None if instants is None else tuple(instants)
    cases_a = run_policy(pop, policy, progress=part(0))
    fig_a = figures(cases_a, instants=chosen if chosen is not None else _instants(cases_a))
    cases_b: tuple[AfterSalesCase, ...] = ()
    fig_b = None
    if vs is not None:
        cases_b = run_policy(pop, vs, progress=part(len(pop.cases)))
        fig_b = figures(cases_b, instants=chosen if chosen is not None else _instants(cases_a))
    rows = []
    keys = list(fig_a.summary)
    if fig_b is not None:
        keys += [k for k in fig_b.summary if k not in fig_a.summary]
    for key in keys:
        a = fig_a.summary.get(key, _zero_like(fig_b.summary.get(key) if fig_b else 0))
        if fig_b is None:
            rows.append(ComparisonRow(key, a))
            continue
        b = fig_b.summary.get(key, _zero_like(a))
        rows.append(ComparisonRow(key, a, b, _change(a, b)))
    return Comparison(
        policy,
        vs,
        fig_a,
        fig_b,
        _table("comparison", ComparisonRow, rows),
        cases_a,
        cases_b,
    )


def _zero_like(value: Any) -> Any:
    if isinstance(value, Decimal):
        return Decimal(0)
    if isinstance(value, float):
        return 0.0
    return 0
