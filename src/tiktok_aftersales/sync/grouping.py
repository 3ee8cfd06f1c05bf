"""Grouping platform records that are one buyer request: edit chains and split ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "RequestGroup",
    "group_requests",
]


@attrs.frozen
class RequestGroup:
    """Platform records that are one buyer request.

    Attributes:
        key: The id the group is known by (its earliest member's id).
        members: Every member's platform id, oldest first.
        latest: The id of the member that is current (end of the edit chain,
            or every split member when the request was split per SKU).
        order_id: The order.
        reasons: Why they were grouped (``"edit"``, ``"split"``, ``"combined"``).
    """

    key: str
    members: tuple[str, ...]
    latest: tuple[str, ...]
    order_id: str
    reasons: frozenset[str]


_LINKS = frozenset({"pre_return_id", "next_return_id", "combined_return_id"})


def _attr(record: object, name: str) -> Any:
    value = getattr(record, name, None)
    if isinstance(value, str) and (not value.strip() or (name in _LINKS and value == "0")):
        return None  # the platform sends "0" for "no such link"
    return value


def group_requests(records: Iterable[object]) -> tuple[RequestGroup, ...]:
    """Group platform records that are one buyer request, so counts do not double.

    Two kinds of sibling records exist (platform-api.md §6 item 8):

    - an **edit chain**: a return edited into a new id carries
      ``pre_return_id``/``next_return_id`` links;
    - a **split request**: a multi-SKU request is split into one return per
      SKU; the siblings share the order, the request type and the creation
      instant (and ``combined_return_id`` when the platform sets one; ``"0"``
      means none).

    Records need ``platform_id`` and ``order_id``; ``pre_return_id``,
    ``next_return_id``, ``combined_return_id``, ``create_time`` and
    ``return_type``/``request_type`` are used when present.
    """
    items = list(records)
    by_id = {str(_attr(r, "platform_id")): r for r in items}
    parent = {k: k for k in by_id}
    reasons: dict[str, set[str]] = {k: set() for k in by_id}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, why: str) -> None:
        if a not in parent or b not in parent:
            return
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
        reasons[a].add(why)
        reasons[b].add(why)

    split_keys: dict[tuple[Any, ...], str] = {}
    combined: dict[tuple[str, str], str] = {}
    for pid, record in by_id.items():
        for link in ("pre_return_id", "next_return_id"):
            other = _attr(record, link)
            if other is not None:
                union(pid, str(other), "edit")
        created = _attr(record, "create_time")
        kind = _attr(record, "return_type") or _attr(record, "request_type")
        order = str(_attr(record, "order_id"))
        if created is not None:
            key = (order, str(kind), created)
            if key in split_keys:
                union(split_keys[key], pid, "split")
            else:
                split_keys[key] = pid
        combo = _attr(record, "combined_return_id")
        if combo is not None:
            ckey = (order, str(combo))
            if ckey in combined:
                union(combined[ckey], pid, "combined")
            else:
                combined[ckey] = pid
    groups: dict[str, list[str]] = {}
    for pid in by_id:
        groups.setdefault(find(pid), []).append(pid)
    out = []
    for members in groups.values():

        def order_key(pid: str) -> tuple[Any, str]:
            created = _attr(by_id[pid], "create_time")
            return (created.timestamp() if isinstance(created, datetime) else 0.0, pid)

        members.sort(key=order_key)
        latest = tuple(p for p in members if _attr(by_id[p], "next_return_id") is None)
        why: set[str] = set()
        for p in members:
            why |= reasons[p]
        out.append(
            RequestGroup(
                members[0],
                tuple(members),
                latest or (members[-1],),
                str(_attr(by_id[members[0]], "order_id")),
                frozenset(why),
            )
        )
    out.sort(key=lambda g: g.key)
    return tuple(out)
