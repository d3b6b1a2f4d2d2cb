"""Batch progress: per-state counts, done/failed, rate and ETA; a summary table at the end.

On a terminal (stderr is a TTY and ``rich`` is installed: the ``cli`` extra) the
counts are a live display. Otherwise every state change is one plain log line on
stderr, which suits CI logs and pipes. ``rich`` is imported only in the first case.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TextIO

__all__ = ("FINAL_STATES", "STATE_ORDER", "Progress", "format_eta", "rich_wanted")

#: Display order of the states a job passes through.
STATE_ORDER = (
    "waiting",
    "submitting",
    "Preparing",
    "Queueing",
    "Processing",
    "downloading",
    "done",
    "skipped",
    "failed",
    "unknown",
    "bad",
)
#: States a job does not leave during this run.
FINAL_STATES = frozenset({"done", "skipped", "failed", "unknown", "bad"})


def format_eta(seconds: float | None) -> str:
    """``1h02m``, ``3m05s``, ``42s``, or ``?`` when unknown."""
    if seconds is None:
        return "?"
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def rich_wanted(stream: TextIO) -> bool:
    """A live display: ``stream`` is a terminal and ``rich`` (the ``cli`` extra) is there."""
    try:
        if not stream.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


class Progress:
    """Tracks each job's state; shows it live on a TTY, as log lines otherwise."""

    def __init__(self, total: int, *, stream: TextIO | None = None, live: bool | None = None):
        self.total = total
        self._stream = stream if stream is not None else sys.stderr
        self._live_wanted = rich_wanted(self._stream) if live is None else live
        self._states: dict[str, str] = {}
        self._finished_here = 0
        self._started = time.monotonic()
        self._live: Any = None
        self._console: Any = None

    # -- state --------------------------------------------------------------------

    def counts(self) -> Counter[str]:
        """How many jobs are in each state."""
        return Counter(self._states.values())

    def rate(self) -> float | None:
        """Jobs finished in this run per minute, or None before the first."""
        elapsed = time.monotonic() - self._started
        if not self._finished_here or elapsed <= 0:
            return None
        return self._finished_here * 60.0 / elapsed

    def eta(self) -> float | None:
        """Seconds until every job is final, at the current rate."""
        rate = self.rate()
        if rate is None:
            return None
        remaining = sum(1 for s in self._states.values() if s not in FINAL_STATES)
        return remaining * 60.0 / rate

    def headline(self) -> str:
        """``done 3/10, failed 1, 2.0/min, ETA 3m30s``."""
        counts = self.counts()
        rate = self.rate()
        shown = "?" if rate is None else f"{rate:.1f}"
        return (
            f"done {counts['done'] + counts['skipped']}/{self.total}, failed"
            f" {counts['failed'] + counts['unknown'] + counts['bad']}, {shown}/min,"
            f" ETA {format_eta(self.eta())}"
        )

    def update(self, key: str, state: str, detail: str = "") -> None:
        """Move job ``key`` to ``state``; a plain line is logged unless it is unchanged."""
        previous = self._states.get(key)
        if previous == state:
            return
        self._states[key] = state
        if state in FINAL_STATES and state not in ("skipped", "bad") and previous is not None:
            self._finished_here += 1
        if self._live is not None:
            self._live.update(self._render())
        elif previous is not None or state in FINAL_STATES:
            suffix = f" {detail}" if detail else ""
            self._print(f"{key}: {state}{suffix} [{self.headline()}]")

    def log(self, message: str) -> None:
        """A free-form line (above the live display when there is one)."""
        if self._console is not None:
            self._console.print(message, markup=False, highlight=False)
        else:
            self._print(message)

    def _print(self, message: str) -> None:
        print(message, file=self._stream, flush=True)

    # -- live display -------------------------------------------------------------

    def _render(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=True, header_style="bold")
        counts = self.counts()
        shown = [state for state in STATE_ORDER if counts[state]]
        for state in shown:
            table.add_column(state, justify="right")
        table.add_row(*(str(counts[state]) for state in shown))
        # The headline sits above the table: as a title it would wrap to the table width.
        return Group(Text(self.headline()), table)

    def __enter__(self) -> Progress:
        if self._live_wanted:
            from rich.console import Console
            from rich.live import Live

            self._console = Console(file=self._stream)
            self._live = Live(
                self._render(), console=self._console, refresh_per_second=4, transient=False
            )
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.update(self._render())
            live.stop()

    # -- summary ------------------------------------------------------------------

    def summary(self, rows: Sequence[Sequence[str]]) -> None:
        """The end-of-batch table: one row (job, state, task id, path or error) per job."""
        header = ("job", "state", "task id", "result")
        if self._console is not None:
            from rich.table import Table

            table = Table(*header, title=self.headline())
            for row in rows:
                table.add_row(*row)
            self._console.print(table)
            return
        widths = [len(h) for h in header]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        lines = [self.headline()]
        for row in (header, *rows):
            lines.append(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        self._print("\n".join(lines))
