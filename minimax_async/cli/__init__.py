"""The ``minimax-async`` command: a cheap parser (``_parser``), one module per command.

Only the chosen command's module is imported, so ``--help`` and ``--version`` stay
fast. ``minimax-async emulator ...`` is handed to the emulator's own parser.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from minimax_async._version import __version__
from minimax_async.cli._parser import build_parser

__all__ = ("main",)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``minimax-async`` console script; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:
        from minimax_async.emulator._cli import main as emulator_main

        return emulator_main(args_list[1:], prog="minimax-async emulator")
    parser = build_parser(__version__)
    args, unknown = parser.parse_known_args(args_list)
    target: str | None = getattr(args, "handler", None)
    if target is None:
        parser.print_help()
        return 2
    if unknown:
        # Said by the command's own parser, so the hint names that command's --help.
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    module, _, name = target.partition(":")
    handler: Callable[..., int] = getattr(importlib.import_module(module), name)
    try:
        status: int = handler(args, args.parser)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do, and keep
        # the interpreter from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return status
