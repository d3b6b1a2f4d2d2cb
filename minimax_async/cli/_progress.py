"""Batch progress: a bar with done/failed/total, elapsed and ETA, the jobs in flight;
a summary at the end that lists what did not succeed and counts what did.

On a terminal (stderr is a TTY and ``rich`` is installed: the ``cli`` extra) this is
a live display. Otherwise every state change is one plain log line on
stderr, which suits CI logs and pipes. ``rich`` is imported only in the first case.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TextIO

__all__ = (
    "FINAL_STATES",
    "STATE_ORDER",
    "Progress",
    "cell_width",
    "format_eta",
    "plain_table",
    "rich_wanted",
    "start_live",
)

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
# Not shown as in flight: finished, or not yet taken up.
_NOT_IN_FLIGHT = FINAL_STATES | {"waiting"}
_FLIGHT_ROWS = 12


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
        self._details: dict[str, str] = {}
        self._finished_here = 0
        self._started = time.monotonic()
        self._live: Any = None
        self._console: Any = None

    # -- state --------------------------------------------------------------------

    def counts(self) -> Counter[str]:
        """How many jobs are in each state."""
        return Counter(self._states.values())

    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return time.monotonic() - self._started

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
        if detail:
            self._details[key] = detail
        if state in FINAL_STATES and state not in ("skipped", "bad") and previous is not None:
            self._finished_here += 1
        if self._live is not None:
            self._live.refresh()
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
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        counts = self.counts()
        finished = sum(counts[state] for state in FINAL_STATES)
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=max(self.total, 1), completed=finished, width=30),
            Text(f"{self.headline()}, elapsed {format_eta(self.elapsed())}"),
        )
        flying = [
            (key, state) for key, state in self._states.items() if state not in _NOT_IN_FLIGHT
        ]
        rows = Table(show_header=bool(flying), header_style="bold", box=None, padding=(0, 2))
        for column in ("in flight", "state", "task"):
            rows.add_column(column)
        for key, state in flying[:_FLIGHT_ROWS]:
            rows.add_row(key, state, self._details.get(key, ""))
        if len(flying) > _FLIGHT_ROWS:
            rows.add_row(f"... and {len(flying) - _FLIGHT_ROWS} more", "", "")
        return Group(bar, rows)

    def __enter__(self) -> Progress:
        if self._live_wanted:
            self._live = start_live(self._stream, self._render)
            self._console = self._live.console
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()

    # -- summary ------------------------------------------------------------------

    def summary(self, rows: Sequence[Sequence[str]]) -> None:
        """The end-of-batch table: every job that did not succeed, successes counted.

        ``rows`` are (job, state, task id, path or error); a thousand successes make
        one line, so the failures, unknowns and unfinished jobs stay in sight.
        """
        header = ("job", "state", "task id", "result")
        shown = [row for row in rows if row[1] not in ("done", "skipped")]
        succeeded = len(rows) - len(shown)
        skipped = sum(1 for row in rows if row[1] == "skipped")
        tally = f"{succeeded} succeeded" + (f" ({skipped} skipped: done before)" if skipped else "")
        if self._console is not None:
            from rich.table import Table

            table = Table(*header, title=self.headline(), caption=tally)
            for row in shown:
                table.add_row(*row)
            self._console.print(table if shown else tally)
            return
        lines = [self.headline(), *plain_table(header, shown)] if shown else [self.headline()]
        self._print("\n".join([*lines, tally]))


def start_live(stream: TextIO, render: Callable[[], Any], *, transient: bool = False) -> Any:
    """A started ``rich`` Live display of ``render()`` on ``stream`` (4 refreshes a second).

    ``render`` is called at each refresh, so elapsed times move on between updates.
    """
    from rich.console import Console
    from rich.live import Live

    live = Live(
        console=Console(file=stream),
        get_renderable=render,
        refresh_per_second=4,
        transient=transient,
    )
    live.start()
    return live


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: CJK characters take two."""
    try:
        from rich.cells import cell_len
    except ImportError:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return cell_len(text)


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded by cell width, so CJK names line up as well as Latin ones."""
    widths = [cell_width(h) for h in header]
    for row in rows:
        widths = [max(w, cell_width(cell)) for w, cell in zip(widths, row, strict=True)]
    return [
        "  ".join(
            cell + " " * (width - cell_width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in (header, *rows)
    ]
