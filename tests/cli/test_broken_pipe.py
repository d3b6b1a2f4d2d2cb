"""A reader that goes away (``minimax-async ... | head``) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys


def test_closed_stdout_exits_141_without_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write the command makes now fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "minimax_async", "template", "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr
