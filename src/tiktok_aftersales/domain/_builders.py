"""Unchecked constructors for the engine's internal path.

The public constructors of the frozen value classes run attrs' generated
``__init__``, converters included, which looks every field up by name. The
engine builds a new case (and often an effect) for every event from values
it already holds checked, so it uses `unchecked` instead: a function
generated once per class from its attrs fields, taking every field
positionally in declaration order and storing each through its slot
directly. The result is the same value (``==``, ``hash``, ``repr`` and
serialisation cannot tell them apart); nothing is converted or validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["unchecked"]

T = TypeVar("T")


def unchecked(cls: type[T]) -> Callable[..., T]:
    """A positional, non-validating constructor for the slotted attrs class ``cls``.

    Args:
        cls: A slotted attrs class without ``__attrs_post_init__``.

    Returns:
        ``build(*values)``: a new ``cls`` with its fields set to ``values`` in
        the order of ``attrs.fields(cls)`` (every field must be given).

    Raises:
        TypeError: ``cls`` is not a slotted attrs class, or has a post-init step
            that an unchecked build would skip.

    """
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    if hasattr(cls, "__attrs_post_init__"):
        raise TypeError(f"{cls.__name__} has a post-init step: build it with its constructor")
    names = [f.name for f in attrs.fields(cls)]
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    self = _new(_cls)"]
    for i, name in enumerate(names):
        env[f"_set{i}"] = getattr(cls, name).__set__
        lines.append(f"    _set{i}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), env)  # generated from the class's own field names
    build: Callable[..., T] = env["build"]
    build.__qualname__ = f"unchecked({cls.__name__})"
    return build
