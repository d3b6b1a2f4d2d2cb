"""Every error minimax-async raises, under one root.

::

    MiniMaxError
    ├── InvalidInputError          refused locally, before any request was spent (also ValueError)
    ├── APIError                   MiniMax answered, and said no
    │   ├── AuthenticationError        1004, 2049 (V2: HTTP 401): wrong key, or the other region's
    │   ├── RateLimitError             1002, 1039, 1041, 2045 (V2: 429): slow down and try again
    │   ├── QuotaError                 1008, 1028, 1030, 2056, 2061 (V2: 402): balance exhausted
    │   ├── SensitiveContentError      1026 (input), 1027 (output) (V2: 422)
    │   ├── InvalidRequestError        2013, 1042, 2038 (V2: 400): the request itself is wrong
    │   ├── ServerError                1000, 1001, 1013, 1024, 1033 (V2: 500, 529): reads retry
    │   └── HTTPStatusError            a non-2xx HTTP answer without a MiniMax code (404, proxy)
    ├── TransportError             no usable answer arrived
    │   ├── APIConnectionError         could not connect, or the connection broke
    │   ├── APITimeoutError            no answer in time
    │   └── UnexpectedResponseError    an answer arrived, but not in the documented shape
    ├── AmbiguousCreateError       a create may or may not have been accepted (and billed)
    ├── TaskFailedError            the task ended with status Fail
    ├── TaskTimeoutError           the task did not finish before the caller's deadline
    ├── DownloadError              the video could not be saved intact
    ├── ClosedError                the client or receiver was closed while in use
    ├── SelfCheckError             the receiver's public URL does not reach it
    ├── RedisUnavailableError      the journal's or the bus's Redis cannot be reached
    ├── JournalLockedError         a single-process journal file is open in another process
    └── MissingDependencyError     an optional extra is needed for this (also ImportError)

``APIError`` carries ``code`` (MiniMax's ``base_resp.status_code``, such as 1002; None when
the answer had none), ``status_code`` (the HTTP status, and only ever that), ``status_msg``,
``trace_id`` (the ``Trace-Id`` header MiniMax support asks for) and ``request_id`` (the V2
envelope's id, which support asks for there). The API key never appears in any message or
repr.

The V2 API (MiniMax-H3) answers errors with their real HTTP status and an envelope whose
message ends in the legacy code, ``"... (2013)"``: :func:`api_error_for_status` picks the
class from the HTTP status (401, 402, 422, 429, 400, 500/529) and keeps that code as ``code``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minimax_async.models import TaskSnapshot

__all__ = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AmbiguousCreateError",
    "AuthenticationError",
    "ClosedError",
    "DownloadError",
    "HTTPStatusError",
    "InvalidInputError",
    "InvalidRequestError",
    "JournalLockedError",
    "MiniMaxError",
    "MissingDependencyError",
    "QuotaError",
    "RateLimitError",
    "RedisUnavailableError",
    "SelfCheckError",
    "SensitiveContentError",
    "ServerError",
    "TaskFailedError",
    "TaskTimeoutError",
    "TransportError",
    "UnexpectedResponseError",
    "api_error_for",
    "api_error_for_status",
)


class MiniMaxError(Exception):
    """Root of every error this package raises: ``except MiniMaxError`` catches them all."""


class InvalidInputError(MiniMaxError, ValueError):
    """A request was refused locally because ``field`` = ``value`` breaks ``rule``."""

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={_short(value)}: {rule}")


class APIError(MiniMaxError):
    """MiniMax answered, and said no: ``code`` is its error code, ``status_code`` the HTTP one.

    V1 answers errors with HTTP 200 and a non-zero ``base_resp.status_code``; that number
    is ``code`` here, so ``status_code`` never has to mean two things.
    """

    def __init__(
        self,
        status_msg: str,
        *,
        code: int | None = None,
        status_code: int | None = None,
        trace_id: str | None = None,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        if code == 0:
            raise ValueError("code 0 means success in MiniMax's envelope, not an error")
        self.code = code
        self.status_code = status_code
        self.status_msg = status_msg
        self.trace_id = trace_id
        self.request_id = request_id
        self.body = body
        label = f"[{code}] " if code is not None else ""
        trace = f" (Trace-Id {trace_id})" if trace_id else ""
        request = f" (request_id {request_id})" if request_id else ""
        super().__init__(f"{label}{status_msg}{trace}{request}")


class AuthenticationError(APIError):
    """The key was missing, wrong, or belongs to the other region's host."""


class RateLimitError(APIError):
    """Too many requests (RPM, TPM, connections, or a sudden spike)."""


class QuotaError(APIError):
    """Balance or plan quota is exhausted: retrying will not help."""


class SensitiveContentError(APIError):
    """The input (1026) or the generated video (1027) was flagged."""


class InvalidRequestError(APIError):
    """MiniMax rejected the parameters (2013 and friends)."""


class ServerError(APIError):
    """An error on MiniMax's side; reads are retried, creates are not."""


class HTTPStatusError(APIError):
    """A non-2xx HTTP answer that carried no MiniMax code (an unknown route, a proxy page)."""

    status_code: int

    def __init__(
        self,
        status_msg: str,
        *,
        status_code: int,
        trace_id: str | None = None,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            status_msg,
            status_code=status_code,
            trace_id=trace_id,
            body=body,
            request_id=request_id,
        )


class TransportError(MiniMaxError):
    """No usable answer arrived."""


class APIConnectionError(TransportError):
    """Connecting failed or the connection broke."""


class APITimeoutError(TransportError):
    """No answer arrived within the request timeout."""


class UnexpectedResponseError(TransportError):
    """An answer arrived but lacks what the reference documents (unparsable, or a field
    such as a task's ``file_id`` missing). Reads retry it; a create that gets one is
    ambiguous, since MiniMax may have accepted it."""


class AmbiguousCreateError(MiniMaxError):
    """A create request may have been accepted, so it was not resent.

    MiniMax offers no idempotency key, and a resent create is billed twice. The caller
    decides: wait for the task to show up (its push, or a later listing by other means),
    or accept the risk and send again. ``request`` is the exact body that was sent,
    ``client_key`` the key the SDK recorded for it and ``sent_at`` when (Unix seconds)
    it was sent: the start of the window to look for it in (for V2,
    ``client.video.v2.candidates(error.request, since=error.sent_at)``).
    """

    def __init__(
        self,
        message: str,
        *,
        request: dict[str, Any],
        client_key: str,
        sent_at: float | None = None,
    ) -> None:
        self.request = request
        self.client_key = client_key
        self.sent_at = sent_at
        super().__init__(f"{message}; the create may have been accepted (client_key={client_key})")


class TaskFailedError(MiniMaxError):
    """The task ended with status Fail; ``snapshot`` is its last known state."""

    def __init__(self, snapshot: TaskSnapshot) -> None:
        self.snapshot = snapshot
        self.task_id = snapshot.task_id
        base = snapshot.base_resp
        #: MiniMax's reason code (1026 input flagged, 1027 output flagged, ...), if given.
        self.code = base.status_code if base and base.status_code else None
        detail = f": [{base.status_code}] {base.status_msg}" if base and base.status_code else ""
        raw = snapshot.raw_status
        if not detail and raw and raw.lower() not in ("fail", "failed"):
            detail = f" ({raw})"  # V2's cancelled or expired
        super().__init__(f"task {snapshot.task_id} failed{detail}")


class TaskTimeoutError(MiniMaxError, TimeoutError):
    """The task was still running at the caller's deadline. The remote job goes on."""

    def __init__(self, task_id: str, timeout: float, last_status: str | None = None) -> None:
        self.task_id = task_id
        self.timeout = timeout
        self.last_status = last_status
        super().__init__(
            f"task {task_id} not finished after {timeout:g}s (last status: {last_status})"
        )


class DownloadError(MiniMaxError):
    """A download failed, was cut short, or did not match the announced size."""


class ClosedError(MiniMaxError, RuntimeError):
    """The client or callback receiver is closed."""


class SelfCheckError(MiniMaxError):
    """The public callback URL does not reach this receiver (see the message for why)."""


class RedisUnavailableError(MiniMaxError):
    """Redis could not be reached (the message names the URL, never its password)."""


class JournalLockedError(MiniMaxError, OSError):
    """A journal that only one process may hold (``JSONLJournal``) is held by another."""


class MissingDependencyError(MiniMaxError, ImportError):
    """A feature needs an optional package: the message names the extra to install."""

    def __init__(self, package: str, *, extra: str, need: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is needed to {need}: pip install 'minimax-async[{extra}]'")


_FAMILIES: dict[int, type[APIError]] = {
    **dict.fromkeys((1004, 2049), AuthenticationError),
    **dict.fromkeys((1002, 1039, 1041, 2045), RateLimitError),
    **dict.fromkeys((1008, 1028, 1030, 2056, 2061), QuotaError),
    **dict.fromkeys((1026, 1027), SensitiveContentError),
    **dict.fromkeys((2013, 1042, 2038), InvalidRequestError),
    **dict.fromkeys((1000, 1001, 1013, 1024, 1033), ServerError),
}


def api_error_for(
    code: int,
    status_msg: str,
    *,
    status_code: int | None = None,
    trace_id: str | None = None,
    body: Any = None,
) -> APIError:
    """The most specific :class:`APIError` for MiniMax's error ``code`` (never 0)."""
    cls = _FAMILIES.get(code, APIError)
    return cls(status_msg, code=code, status_code=status_code, trace_id=trace_id, body=body)


#: V2 (§10.2): the HTTP status names the family; the legacy code only refines unknown ones.
_HTTP_FAMILIES: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: QuotaError,
    422: SensitiveContentError,
    429: RateLimitError,
    500: ServerError,
    529: ServerError,
}


def api_error_for_status(
    status_code: int,
    message: str,
    *,
    code: int | None,
    request_id: str | None = None,
    trace_id: str | None = None,
    body: Any = None,
) -> APIError:
    """The :class:`APIError` for a V2 error envelope answered with HTTP ``status_code``.

    A status the reference does not list falls back to the legacy ``code``'s family,
    else to :class:`APIError` (a 2xx carrying an envelope) or :class:`HTTPStatusError`.
    """
    cls = _HTTP_FAMILIES.get(status_code) or _FAMILIES.get(code or 0)
    if cls is None and not 200 <= status_code < 300:
        return HTTPStatusError(
            message, status_code=status_code, trace_id=trace_id, body=body, request_id=request_id
        )
    return (cls or APIError)(
        message,
        code=code or None,
        status_code=status_code,
        trace_id=trace_id,
        body=body,
        request_id=request_id,
    )


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
