"""Simulation: the same synthetic population under two deadline policies, side by side.

How a policy is simulated: each generated case is a script of events with
their delays. Under a policy, the script is played with
[`advance`][tiktok_aftersales.deadlines.clock.advance]: a scripted silence (a timeout) fires at
*that policy's* deadline, and an answer that comes after the policy's
deadline is pre-empted by the timeout. When the case leaves the scripted
path, the generator continues it from where it is, with a seed that depends
only on the case, so both policies see the same people behaving the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from ..deadlines.clock import advance, running_deadlines
from ..deadlines.policy import DEFAULT_POLICY, Policy, named_policy
from ..domain.calendars import Duration, DurationUnit
from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Actor, Region, Window
from ..errors import AfterSalesError, InvalidValue
from ..lifecycle import apply, is_terminal
from ..lifecycle.engine import choose_transition
from ._shared import Progress, Table, default_instants, make_table
from .figures import Figures, figures
from .histories import History
from .synthetic import Behaviour, SyntheticCase, continue_case, generate

__all__ = [
    "Comparison",
    "ComparisonRow",
    "Population",
    "policy_from_spec",
    "population",
    "run_policy",
    "simulate",
]


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
        """The generated histories as `History` values (for `dump_jsonl`)."""
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
            (`Behaviour`).
        region: Keep only this region (replaces ``behaviour.regions``).
        windows_from: The policy whose global window lengths set how long
            parties take to answer (an answer comes within a random
            fraction of the window).
        start: Cases open between ``start`` and ``start + span``.
        span: See ``start``.
        max_events: The longest history after opening.

    Raises:
        InvalidValue: An argument is malformed (as for
            `generate`).

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

    Deadlines fire as [`advance`][tiktok_aftersales.deadlines.clock.advance] says under
    ``policy``: a party silent in the script is silent until that policy's
    deadline; an answer that would come after it is pre-empted. Cases that
    leave their script continue with the generator (seeded by the case, not
    the policy).

    Raises:
        InvalidValue: ``policy`` is not a [`Policy`][tiktok_aftersales.deadlines.policy.Policy].

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
        metric: What is counted (see [`figures`][tiktok_aftersales.analysis.figures.figures]).
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
        pop: The population ([`population`][tiktok_aftersales.analysis.simulation.population]).
        policy: The first policy.
        vs: The second policy, or ``None`` for figures under one policy.
        instants: When to count grid tabs (see
            [`figures`][tiktok_aftersales.analysis.figures.figures]).
        progress: Called with ``(done, total)`` over both runs.

    Raises:
        InvalidValue: A policy is not a [`Policy`][tiktok_aftersales.deadlines.policy.Policy].

    """
    total = len(pop.cases) * (1 if vs is None else 2)

    def part(offset: int) -> Progress | None:
        if progress is None:
            return None
        report = progress
        return lambda done, _n: report(offset + done, total)

    cases_a = run_policy(pop, policy, progress=part(0))
    chosen = default_instants(cases_a) if instants is None else tuple(instants)
    fig_a = figures(cases_a, instants=chosen)
    cases_b: tuple[AfterSalesCase, ...] = ()
    fig_b = None
    if vs is not None:
        cases_b = run_policy(pop, vs, progress=part(len(pop.cases)))
        fig_b = figures(
            cases_b, instants=chosen if chosen is not None else default_instants(cases_a)
        )
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
        make_table("comparison", ComparisonRow, rows),
        cases_a,
        cases_b,
    )


def _zero_like(value: Any) -> Any:
    if isinstance(value, Decimal):
        return Decimal(0)
    if isinstance(value, float):
        return 0.0
    return 0
