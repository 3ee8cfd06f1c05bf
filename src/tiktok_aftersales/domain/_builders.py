"""Unchecked constructors for the engine's internal path.

The public constructors of the frozen value classes run attrs' generated
``__init__``, converters included, which looks every field up by name. The
engine builds a new case (and often an effect) for every event from values
it already holds checked, so it uses `unchecked` instead: a function
generated once per class from its attrs fields, taking every field
positionally in declaration order. The result is the same value (``==``,
``hash``, ``repr`` and serialisation cannot tell them apart); nothing is
converted or validated.

How it stores the fields: a frozen class refuses attribute assignment, and
storing through each slot's descriptor (``Slot.__set__(obj, value)``) costs
a bound-method call per field. So the builder fills a plain *twin* class
that has exactly the same slots (same names, same order, hence the same
memory layout) with ordinary assignments, then gives the object its real
class with one ``object.__setattr__(obj, "__class__", cls)``, which Python
allows between classes of identical layout. The object is never seen under
its twin class outside the builder. Where the swap is refused (a class that
inherits slots from a base, or an interpreter without it), the builder
stores through the descriptors instead: this is checked once per class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["unchecked"]

T = TypeVar("T")


def _generated(cls: type[Any], names: list[str], twin: bool) -> Callable[..., Any]:
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_set": object.__setattr__}
    lines = [f"def build({', '.join(names)}):"]
    if twin:
        env["_twin"] = type(
            f"_{cls.__name__}Twin", (object,), {"__slots__": cls.__dict__["__slots__"]}
        )
        lines.append("    self = _new(_twin)")
        lines += [f"    self.{name} = {name}" for name in names]
        lines.append("    _set(self, '__class__', _cls)")
    else:
        lines.append("    self = _new(_cls)")
        for i, name in enumerate(names):
            env[f"_set{i}"] = getattr(cls, name).__set__
            lines.append(f"    _set{i}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), env)  # generated from the class's own field names
    return env["build"]  # type: ignore[no-any-return]


def _twin_works(cls: type[Any], names: list[str], build: Callable[..., Any]) -> bool:
    """Whether the twin builder gives ``cls`` objects whose fields read back as given."""
    probe = [object() for _ in names]
    try:
        obj = build(*probe)
    except (TypeError, AttributeError):
        return False
    return obj.__class__ is cls and all(
        getattr(obj, n) is v for n, v in zip(names, probe, strict=True)
    )


def unchecked(cls: type[T], *, skip_post_init: bool = False) -> Callable[..., T]:
    """A positional, non-validating constructor for the slotted attrs class ``cls``.

    Args:
        cls: A slotted attrs class without ``__attrs_post_init__``.
        skip_post_init: Accept a class with a post-init check and skip it: only
            for values the caller has already checked the same way.

    Returns:
        ``build(*values)``: a new ``cls`` with its fields set to ``values`` in
        the order of ``attrs.fields(cls)`` (every field must be given).

    Raises:
        TypeError: ``cls`` is not a slotted attrs class, or has a post-init step
            that an unchecked build would skip (and ``skip_post_init`` is not set).

    """
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    if not skip_post_init and hasattr(cls, "__attrs_post_init__"):
        raise TypeError(f"{cls.__name__} has a post-init step: build it with its constructor")
    names = [f.name for f in attrs.fields(cls)]
    own = cls.__bases__ == (object,) and set(names) <= set(cls.__dict__["__slots__"])
    build = _generated(cls, names, twin=own)
    if own and not _twin_works(cls, names, build):  # pragma: no cover - CPython and PyPy allow it
        build = _generated(cls, names, twin=False)
    build.__qualname__ = f"unchecked({cls.__name__})"
    return build
