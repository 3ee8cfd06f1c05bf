"""Deadlines: the policy of windows per region and request type, and the clock that fires them."""

from __future__ import annotations

from .clock import (
    PLATFORM_ACTIONS,
    AdvanceReport,
    ArbitrationRow,
    Deadline,
    TimeoutRow,
    advance,
    arbitration_table,
    due_events,
    next_deadline,
    running_deadlines,
    timeout_table,
    with_next_action_response,
    with_platform_deadline,
)
from .policy import (
    CHANNEL_MANAGER_POLICY,
    DEFAULT_POLICY,
    POLICIES,
    WINDOW_ACTORS,
    Policy,
    PolicyRow,
    WindowRule,
    named_policy,
    policy_table,
    to_markdown,
)

__all__ = [
    "CHANNEL_MANAGER_POLICY",
    "DEFAULT_POLICY",
    "PLATFORM_ACTIONS",
    "POLICIES",
    "WINDOW_ACTORS",
    "AdvanceReport",
    "ArbitrationRow",
    "Deadline",
    "Policy",
    "PolicyRow",
    "TimeoutRow",
    "WindowRule",
    "advance",
    "arbitration_table",
    "due_events",
    "named_policy",
    "next_deadline",
    "policy_table",
    "running_deadlines",
    "timeout_table",
    "to_markdown",
    "with_next_action_response",
    "with_platform_deadline",
]
