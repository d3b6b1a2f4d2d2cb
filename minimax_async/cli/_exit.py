"""Exit codes of the ``minimax-async`` command, and the mapping from errors to them.

====  ==========================================================================
Code  Meaning
====  ==========================================================================
0     every task succeeded (for ``batch``: every line was good and succeeded,
      finished jobs skipped on a re-run count as succeeded)
1     one or more tasks failed: status Fail, a job MiniMax refused (sensitive
      content, invalid params), a job whose create outcome is unknown
      (ambiguous), or a ``batch`` line that was bad and skipped
2     usage error or bad input, before anything was spent: bad flags, a missing
      or unreadable image, an unknown template, a bad JSON line with ``--strict``
3     authentication or balance/quota: wrong key, key for the other region,
      insufficient balance, plan quota exhausted (retrying will not help)
4     any other API or network error, including a create whose outcome is
      unknown in ``generate`` (it was not resent: check before retrying)
5     gave up waiting (``--timeout``) for a task that is still running: it goes
      on (and bills) at MiniMax; the printed ``minimax-async wait`` command
      collects it
130   interrupted (Ctrl-C / SIGINT); nothing more is sent; a task already
      created goes on (``generate`` prints the command that collects it) and a
      batch journal stays consistent, so a re-run resumes it
141   stdout was closed by its reader (``| head``); the rest of the output is
      dropped quietly, as other Unix tools do
====  ==========================================================================

A batch without ``--strict`` reports bad lines, runs the good ones, and exits 1 if
any line was bad or any task failed; with ``--strict`` the first bad line stops it
with 2 before any create is sent.
"""

from __future__ import annotations

from minimax_async._exceptions import (
    AmbiguousCreateError,
    AuthenticationError,
    InvalidInputError,
    InvalidRequestError,
    MiniMaxError,
    QuotaError,
    SensitiveContentError,
    TaskFailedError,
    TaskTimeoutError,
)

__all__ = (
    "API_ERROR",
    "AUTH",
    "INTERRUPTED",
    "OK",
    "TASK_FAILED",
    "TIMEOUT",
    "USAGE",
    "CliError",
    "code_for",
    "combine",
)

OK = 0
TASK_FAILED = 1
USAGE = 2
AUTH = 3
API_ERROR = 4
TIMEOUT = 5
INTERRUPTED = 130

# When several jobs end differently, the most serious outcome decides the exit code.
_SEVERITY = {OK: 0, TASK_FAILED: 1, TIMEOUT: 2, API_ERROR: 3, AUTH: 4, USAGE: 5, INTERRUPTED: 6}


class CliError(Exception):
    """A one-line problem to show the user, with the exit code it implies."""

    def __init__(self, message: str, *, code: int = USAGE) -> None:
        self.code = code
        super().__init__(message)


def code_for(exc: BaseException) -> int:
    """The exit code an error implies (see the module docstring)."""
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, InvalidInputError):
        return USAGE
    if isinstance(exc, (AuthenticationError, QuotaError)):
        return AUTH
    # A task MiniMax ran and failed, or a request it refused, is a task failure.
    if isinstance(exc, (TaskFailedError, SensitiveContentError, InvalidRequestError)):
        return TASK_FAILED
    if isinstance(exc, TaskTimeoutError):
        return TIMEOUT
    if isinstance(exc, (AmbiguousCreateError, MiniMaxError, OSError)):
        return API_ERROR
    raise TypeError(f"no exit code for {type(exc).__name__}") from exc


def combine(*codes: int) -> int:
    """The most serious of several exit codes (0 when there are none)."""
    return max(codes, key=lambda code: _SEVERITY.get(code, 2), default=OK)
