"""Lazy re-exports for the package's ``__init__`` modules (a fast ``import``).

A package lists the names it re-exports and where each lives; a name's
module is imported the first time the name is read (PEP 562), then the value
is kept on the package. ``__all__`` and ``dir()`` stay complete, so
``from package import *`` and the docs see every name, and static tools read
the same imports under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

__all__ = ["LazyPackage", "attach"]


class LazyPackage(ModuleType):
    """A package whose re-exported names win over its submodules of the same name.

    When a submodule is imported, Python binds it on its package under its
    own name; an eager ``from .machine import machine`` would then rebind the
    name to the function. Here the function is loaded on first read, so the
    package ignores the binding of a submodule whose name it re-exports.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (
            name in exports
            and isinstance(value, ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return  # the re-exported value of that name is read through __getattr__
        super().__setattr__(name, value)


def attach(
    package: str, exports: Mapping[str, str], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package with lazy re-exports.

    Args:
        package: The package's ``__name__``.
        exports: Re-exported name to the module holding it, relative to the
            package (``".engine"``, ``"..domain.vocabulary"``).
        names: The package's ``__all__``.

    Returns:
        The two functions to assign to ``__getattr__`` and ``__dir__``.

    """
    module = sys.modules[package]
    module.__dict__["_lazy_exports"] = dict(exports)
    module.__class__ = LazyPackage
    listed = tuple(names)

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is None:
            if name.startswith("__"):
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(where, package), name)
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*module.__dict__, *listed})

    return __getattr__, __dir__
