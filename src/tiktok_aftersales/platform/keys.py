"""THE idempotency-key scheme of every outbound request (documented once, on ``docs/ports.md``)."""

from __future__ import annotations

import hashlib

__all__ = ["idempotency_key"]


def idempotency_key(case_id: str, seq: int, event: str) -> str:
    """THE idempotency key of every outbound request: the same case, position and event.

    It hashes the case id, the sequence number the event takes in the case's
    history, and the event: a retry of the same decision (by any process,
    after any crash) reuses the key, so the platform acts once; a later
    decision on the same case gets a new one. ``tas-`` and 40 hex digits,
    within the platform's 255 characters.
    """
    digest = hashlib.sha256(f"{case_id}\x1f{seq}\x1f{event}".encode()).hexdigest()
    return f"tas-{digest[:40]}"
