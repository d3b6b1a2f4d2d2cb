"""Run one async subcommand: its own event loop, Ctrl-C handling, errors to exit codes.

The first Ctrl-C cancels the command's task, so a batch can stop cleanly: creates
already sent are shielded until their task id is journaled, the summary is printed,
and the exit code is 130. A second Ctrl-C is not intercepted any more and stops the
process at once (the journal still holds only whole lines).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import warnings
from collections.abc import Awaitable, Callable

from minimax_async._exceptions import MiniMaxError
from minimax_async.cli._exit import INTERRUPTED, CliError, code_for
from minimax_async.cli._output import Output

__all__ = ("run_command",)

logger = logging.getLogger(__name__)

Body = Callable[[], Awaitable[int]]


def run_command(body: Body, out: Output) -> int:
    """Run ``body`` in a fresh event loop and return the exit code.

    The library's warnings (an undocumented camera command, a rounded template id)
    become one ``warning:`` line on stderr each, never an exception.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = _note_warning(out)
        try:
            return asyncio.run(_guarded(body, out))
        except KeyboardInterrupt:
            out.error("interrupted")
            return INTERRUPTED


def _note_warning(out: Output) -> Callable[..., None]:
    def show(message: Warning | str, category: type[Warning], *args: object, **kw: object) -> None:
        out.note(f"warning: {message}")

    return show


async def _guarded(body: Body, out: Output) -> int:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        # The next Ctrl-C goes to Python's default handler: KeyboardInterrupt, hard stop.
        loop.remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if main is not None:
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
