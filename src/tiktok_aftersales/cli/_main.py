"""Command line: ``tiktok-aftersales`` and ``python -m tiktok_aftersales``.

Each command is a function registered in `COMMANDS`; it receives the
parsed arguments and returns the process exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "main"]

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}
"""Command name to (help, add-arguments, handler)."""


def command(
    name: str, help: str
) -> Callable[[Callable[[argparse.ArgumentParser], None]], Callable[[Handler], Handler]]:
    """Register a command: ``@command(name, help)(add_arguments)(handler)``."""

    def with_args(add: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            COMMANDS[name] = (help, add, handler)
            return handler

        return register

    return with_args


def _demo_args(parser: argparse.ArgumentParser) -> None:
    from ._options import HelpFormatter, epilog

    parser.formatter_class = HelpFormatter
    parser.epilog = epilog(
        ("tiktok-aftersales demo", "python -m tiktok_aftersales demo | less"),
        ((0, "printed"), (2, "usage: bad arguments")),
    )


@command("demo", "replay the bundled sample cases and print what the library decided")(_demo_args)
def _demo(_args: argparse.Namespace) -> int:
    from .demo import demo_rows, render_demo

    print(render_demo(demo_rows()))
    return 0


_COMMAND_MODULES = ("explain", "analysis")
"""Modules that register more commands with `command` when imported."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (importing the modules that register them)."""
    import importlib

    from ._options import HelpFormatter, epilog

    for name in _COMMAND_MODULES:
        importlib.import_module(f".{name}", __package__)
    parser = argparse.ArgumentParser(
        prog="tiktok-aftersales",
        description="TikTok Shop after-sales rules: lifecycle, deadlines, vocabularies.",
        formatter_class=HelpFormatter,
        epilog=epilog(
            (
                "tiktok-aftersales demo",
                "tiktok-aftersales explain AWAITING_BUYER_SHIP",
                "tiktok-aftersales replay cases.jsonl --table outcomes",
                "tiktok-aftersales simulate --policy default --vs channel_manager",
                "tiktok-aftersales COMMAND --help  # each command's options and examples",
            ),
            ((0, "ok"), (1, "failure (see each command)"), (2, "usage: bad arguments")),
        ),
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add, _handler) in COMMANDS.items():
        add(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 failure, 2 usage)."""
    args_given = sys.argv[1:] if argv is None else list(argv)
    if args_given == ["--version"]:  # answered without building every command's parser
        from .. import __version__

        print(f"tiktok-aftersales {__version__}")
        return 0
    from ..errors import AfterSalesError

    parser = build_parser()
    try:
        args = parser.parse_args(args_given)
    except SystemExit as stop:  # --help (0) or a usage error (2, message already printed)
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    handler = COMMANDS[args.command][2]
    try:
        return handler(args)
    except AfterSalesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
