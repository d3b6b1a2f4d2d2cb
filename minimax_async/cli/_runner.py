"""Run one async subcommand: its own event loop, Ctrl-C handling, errors to exit codes.

The first Ctrl-C stops what can be stopped without losing money: a command given an
:class:`Interrupt` sees it triggered, and every wait it runs inside
``interrupt.cancellable()`` (the rate limiter, a task's result) is cancelled at once,
while a create whose bytes may be on the wire is let finish so its task id is
journaled. Commands without one are cancelled outright. A second Ctrl-C is not
intercepted any more and stops the process at once (the journal holds whole lines).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import anyio

from minimax_async._exceptions import MiniMaxError
from minimax_async.cli._exit import INTERRUPTED, CliError, code_for
from minimax_async.cli._output import Output

__all__ = ("Interrupt", "run_command")

logger = logging.getLogger(__name__)

Body = Callable[[], Awaitable[int]]


class Interrupt:
    """The first Ctrl-C, for a command that stops gracefully (see the module docstring)."""

    def __init__(self, notice: Callable[[], None] | None = None) -> None:
        self.requested = False
        self._scopes: set[anyio.CancelScope] = set()
        self._notice = notice

    def trigger(self) -> None:
        """Ctrl-C: cancel every interruptible wait, now and from now on."""
        self.requested = True
        for scope in tuple(self._scopes):
            scope.cancel()
        if self._notice is not None:
            self._notice()

    @contextmanager
    def cancellable(self) -> Iterator[anyio.CancelScope]:
        """A scope the interrupt cancels; check ``requested`` after it."""
        with anyio.CancelScope() as scope:
            if self.requested:
                scope.cancel()
            self._scopes.add(scope)
            try:
                yield scope
            finally:
                self._scopes.discard(scope)


def run_command(body: Body, out: Output, *, interrupt: Interrupt | None = None) -> int:
    """Run ``body`` in a fresh event loop and return the exit code.

    The library's warnings (an undocumented camera command, a rounded template id)
    become one ``warning:`` line on stderr each, never an exception.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = _note_warning(out)
        try:
            return asyncio.run(_guarded(body, out, interrupt))
        except KeyboardInterrupt:
            out.error("interrupted")
            return INTERRUPTED


def _note_warning(out: Output) -> Callable[..., None]:
    def show(message: Warning | str, category: type[Warning], *args: object, **kw: object) -> None:
        out.note(f"warning: {message}")

    return show


async def _guarded(body: Body, out: Output, interrupt: Interrupt | None) -> int:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        # The next Ctrl-C goes to Python's default handler: KeyboardInterrupt, hard stop.
        loop.remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if interrupt is not None:
            interrupt.trigger()
        elif main is not None:
            main.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
        installed = True
    except (NotImplementedError, RuntimeError, ValueError):
        installed = False  # not the main thread, or Windows: Ctrl-C raises instead
    try:
        return await body()
    except asyncio.CancelledError:
        if not interrupted:
            raise
        out.error("interrupted")
        return INTERRUPTED
    except (CliError, MiniMaxError, OSError) as exc:
        out.error(str(exc) or type(exc).__name__)
        logger.debug("command failed", exc_info=True)
        return code_for(exc)
    finally:
        if installed and not interrupted:
            loop.remove_signal_handler(signal.SIGINT)
