"""Deadlines: the policy of windows per region and request type, and the clock that fires them."""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
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

_EXPORTS = {
    "PLATFORM_ACTIONS": ".clock",
    "AdvanceReport": ".clock",
    "ArbitrationRow": ".clock",
    "Deadline": ".clock",
    "TimeoutRow": ".clock",
    "advance": ".clock",
    "arbitration_table": ".clock",
    "due_events": ".clock",
    "next_deadline": ".clock",
    "running_deadlines": ".clock",
    "timeout_table": ".clock",
    "with_next_action_response": ".clock",
    "with_platform_deadline": ".clock",
    "CHANNEL_MANAGER_POLICY": ".policy",
    "DEFAULT_POLICY": ".policy",
    "POLICIES": ".policy",
    "WINDOW_ACTORS": ".policy",
    "Policy": ".policy",
    "PolicyRow": ".policy",
    "WindowRule": ".policy",
    "named_policy": ".policy",
    "policy_table": ".policy",
    "to_markdown": ".policy",
}
"""Each re-exported name and the module it is imported from on first use."""

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

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
