"""Budgets of the fuzz, walk and stateful tests: small by default, larger on request.

``TIKTOK_AFTERSALES_FUZZ`` (or ``pytest --fuzz=N``) multiplies every budget:
``1`` (the default) keeps the whole suite fast, ``50`` is a long run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "TIKTOK_AFTERSALES_FUZZ"


def scale() -> int:
    """The multiplier of every budget (at least 1)."""
    text = os.environ.get(ENV, "1").strip() or "1"
    try:
        return max(1, int(text))
    except ValueError:
        raise SystemExit(f"{ENV} must be a whole number, not {text!r}") from None


def examples(n: int) -> settings:
    """Hypothesis settings for ``n`` examples at the default budget (times :func:`scale`)."""
    return settings(
        max_examples=n * scale(),
        deadline=None,
        derandomize=scale() == 1,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def stateful(n: int, steps: int) -> settings:
    """Settings of a hypothesis state machine: ``n`` runs of up to ``steps`` steps (scaled)."""
    return settings(
        max_examples=n * scale(),
        stateful_step_count=steps,
        deadline=None,
        derandomize=scale() == 1,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def count(n: int) -> int:
    """``n`` times :func:`scale`: the number of seeded runs of a plain loop harness."""
    return n * scale()
