"""The command line: ``tiktok-aftersales`` and ``python -m tiktok_aftersales``.

Each command lives in a module of this package that registers it with
`command` when imported; `main` parses the arguments and runs one.
"""

from __future__ import annotations

from ._main import COMMANDS, build_parser, command, main

__all__ = ["COMMANDS", "build_parser", "command", "main"]
