"""``python -m minimax_async``: the ``minimax-async`` command."""

from __future__ import annotations

import sys

from minimax_async.cli import main

__all__ = ("main",)

if __name__ == "__main__":
    sys.exit(main())
