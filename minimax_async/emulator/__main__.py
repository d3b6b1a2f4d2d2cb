"""``python -m minimax_async.emulator``: run the emulator until Ctrl-C."""

from __future__ import annotations

import sys

from minimax_async.emulator._cli import main

__all__ = ()

if __name__ == "__main__":
    sys.exit(main(prog="python -m minimax_async.emulator"))
