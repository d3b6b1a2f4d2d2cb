"""The one seam between the SDK and aiohttp.

aiohttp exceptions are translated into this package's exceptions here, exactly once,
and the ``base_resp`` -> exception mapping happens here too. Above this module nothing
imports aiohttp.

Reads are retried (:func:`minimax_async._retry.is_retryable_read`). The create POST is
billed and MiniMax has no idempotency key, so it is resent only when it provably never
reached MiniMax (the TCP connection could not be made) or MiniMax answered 1002 "rate
limit" (V2: HTTP 429). Any other failure after the request may have been sent (timeout,
reset, a 5xx page, an unreadable answer) raises :class:`AmbiguousCreateError`.

Both envelopes are read here: V1's ``base_resp`` (errors on HTTP 200) and V2's
``{"type": "error", "error": {...}, "request_id"}`` with the real HTTP status
(:func:`_v2_error`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import aiohttp
import pydantic

from minimax_async import _retry
from minimax_async._config import ClientConfig
from minimax_async._exceptions import (
    AmbiguousCreateError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ClosedError,
    HTTPStatusError,
    InvalidRequestError,
    MiniMaxError,
    QuotaError,
    RateLimitError,
    SensitiveContentError,
    TransportError,
    UnexpectedResponseError,
    api_error_for,
    api_error_for_status,
)
from minimax_async._limits import RateLimiter
from minimax_async._version import __version__
from minimax_async.models import BaseResp, CreateTaskResponse, V2ErrorEnvelope

__all__ = ("ByteStream", "Params", "Transport", "UploadFile", "is_unaccepted")

logger = logging.getLogger(__name__)

# Built once: constructing a TypeAdapter compiles a schema (~0.1 ms, per create before).
_BODY = pydantic.TypeAdapter(dict[str, Any])

M = TypeVar("M", bound=pydantic.BaseModel)

_CONNECT_TIMEOUT = 10.0
USER_AGENT = f"minimax-async/{__version__}"
JSON = "application/json"
# aiohttp raises asyncio.TimeoutError, which is the builtin only from Python 3.11 on.
_TIMEOUTS = (TimeoutError, asyncio.TimeoutError)

#: Query parameters: a mapping, or pairs when a key repeats (V2 ``filter.task_ids``).
Params = Mapping[str, str] | Sequence[tuple[str, str]]

#: V2 errors that answer a create with a definite no: nothing was accepted.
_REFUSALS = (
    InvalidRequestError,
    AuthenticationError,
    QuotaError,
    SensitiveContentError,
    RateLimitError,
)


class UploadFile(NamedTuple):
    """One multipart file part: read from ``path`` (streamed) or given as ``data``."""

    filename: str
    content_type: str
    path: Path | None = None
    data: bytes | None = None


class _NotSent(APIConnectionError):
    """The connection was never established, so the request cannot have been seen."""


def is_unaccepted(exc: MiniMaxError) -> bool:
    """Whether a request provably had no effect: never sent, or refused with a rate limit."""
    return isinstance(exc, (_NotSent, RateLimitError))


class _Answer(NamedTuple):
    # A tuple: made once per request, and a frozen dataclass's __init__ costs more.
    status: int
    body: bytes
    trace_id: str | None
    retry_after: float | None


class Transport:
    """Owns (or borrows) one aiohttp session and speaks MiniMax's JSON envelope."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        policy: _retry.RetryPolicy | None = None,
    ) -> None:
        self._config = config
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self.policy = policy or _retry.RetryPolicy(max_retries=config.max_retries)
        # Built once: per request they were a measurable share of the client's overhead
        # over bare aiohttp (bench/overhead.py). A session made here carries the headers
        # as its defaults, which aiohttp merges far more cheaply than per-request ones; a
        # borrowed session gets them with every request. The body's Content-Type comes
        # with its payload object (see _send).
        self._headers = {
            "Authorization": f"Bearer {config.api_key}",
            "User-Agent": USER_AGENT,
            "Accept": JSON,
        }
        self._default_timeout = self._timeout(None)
        self._unclosed: weakref.finalize[Any, Transport] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClosedError("this AsyncMiniMax client is closed; create a new one")
        if self._session is None:
            # Made lazily: an aiohttp session must be created inside a running loop.
            connector = aiohttp.TCPConnector(limit=self._config.max_connections)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)
            self._unclosed = weakref.finalize(self, _never_closed, self._session, connector)
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it; a borrowed one stays open."""
        self._closed = True
        if self._unclosed is not None:
            self._unclosed.detach()
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _timeout(self, timeout: float | None) -> aiohttp.ClientTimeout:
        total = timeout if timeout is not None else self._config.timeout
        return aiohttp.ClientTimeout(total=total, sock_connect=min(total, _CONNECT_TIMEOUT))

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        form: aiohttp.FormData | None = None,
    ) -> _Answer:
        """One HTTP exchange; every aiohttp failure leaves as a TransportError."""
        http = self._http()
        payload: Any = form
        if body is not None:
            payload = aiohttp.BytesPayload(body, content_type=JSON)
        sent = None if self._owns_session else self._headers
        if headers:
            sent = {**(sent or {}), **headers}
        try:
            async with http.request(
                method,
                self._config.base_url + path,
                params=params,
                data=payload,
                headers=sent,
                timeout=self._default_timeout if timeout is None else self._timeout(timeout),
            ) as response:
                data = await response.read()
                trace = response.headers.get("Trace-Id")
                retry_after = _retry_after(response.headers.get("Retry-After"))
                status = response.status
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _NotSent(f"cannot connect to {self._config.base_url}: {exc}") from exc
        except _TIMEOUTS as exc:
            raise APITimeoutError(f"{method} {path}: no answer in time") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise APIConnectionError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        logger.debug("%s %s -> HTTP %d (Trace-Id %s)", method, path, status, trace)
        return _Answer(status, data, trace, retry_after)

    def _decode(
        self, answer: _Answer, model: type[M], tolerate: Callable[[M], bool] | None = None
    ) -> M:
        """Status check, JSON parse, then the base_resp check (V1) or the envelope (V2)."""
        if not 200 <= answer.status < 300:
            error = _v2_error(answer)
            if error is not None:
                raise error
            snippet = answer.body[:200].decode("utf-8", "replace").strip()
            raise HTTPStatusError(
                f"HTTP {answer.status}: {snippet or 'no body'}",
                status_code=answer.status,
                trace_id=answer.trace_id,
                body=snippet,
            )
        try:
            parsed = model.model_validate_json(answer.body)
        except pydantic.ValidationError as exc:
            # Error answers often omit the fields a success carries (task_id, file):
            # their base_resp still says what went wrong.
            error = _envelope_error(answer) or _v2_error(answer)
            if error is not None:
                raise error from None
            raise UnexpectedResponseError(
                f"unreadable answer (Trace-Id {answer.trace_id}): "
                f"{answer.body[:120].decode('utf-8', 'replace')!r}"
            ) from exc
        base = getattr(parsed, "base_resp", None)
        if isinstance(base, BaseResp) and not base.ok and not (tolerate and tolerate(parsed)):
            logger.debug(
                "base_resp %d %s (Trace-Id %s)", base.status_code, base.status_msg, answer.trace_id
            )
            raise api_error_for(
                base.status_code,
                base.status_msg,
                status_code=answer.status,
                trace_id=answer.trace_id,
                body=parsed.model_dump(mode="json"),
            )
        extra = parsed.model_extra
        if extra and extra.get("type") == "error" and isinstance(extra.get("error"), dict):
            # A V2 error envelope inside a 2xx (seen through relays, §16.24).
            error = _v2_error(answer)
            if error is not None:
                raise error
        return parsed

    async def get(
        self,
        path: str,
        *,
        params: Params,
        model: type[M],
        timeout: float | None = None,
        tolerate: Callable[[M], bool] | None = None,
        retries: int | None = None,
    ) -> M:
        """A read: retried with backoff on rate limits, server errors and transport errors.

        ``tolerate(parsed)`` returning True keeps a non-zero ``base_resp`` from raising
        (a failed task's query carries its failure code there). ``retries`` overrides
        the policy's count (0 for a task tracker's poll, which reschedules itself).
        """
        return await self.request(
            "GET",
            path,
            params=params,
            model=model,
            timeout=timeout,
            tolerate=tolerate,
            retries=retries,
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        model: type[M],
        params: Params | None = None,
        json: dict[str, Any] | None = None,
        upload: tuple[Mapping[str, str], str, UploadFile] | None = None,
        timeout: float | None = None,
        tolerate: Callable[[M], bool] | None = None,
        resend: Callable[[MiniMaxError], bool] = _retry.is_retryable_read,
        retries: int | None = None,
    ) -> M:
        """One unbilled request, resent while ``resend(error)`` says so (reads by default).

        ``upload`` is (form fields, file field name, file) for a multipart POST; its
        form is rebuilt for every attempt, since a sent form cannot be sent again.
        ``retries`` overrides the policy's count.
        """
        limit = self.policy.max_retries if retries is None else retries
        body = None if json is None else _BODY.serializer.to_json(json)
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                with contextlib.ExitStack() as files:
                    form = None if upload is None else _form(*upload, files)
                    answer = await self._send(
                        method, path, params=params, body=body, form=form, timeout=timeout
                    )
                retry_after = answer.retry_after
                return self._decode(answer, model, tolerate)
            except MiniMaxError as exc:
                if attempt >= limit or not resend(exc):
                    raise
                delay = self.policy.delay(attempt, retry_after=retry_after)
                logger.info(
                    "%s %s failed (%s); retry %d in %.2fs", method, path, exc, attempt + 1, delay
                )
            attempt += 1
            await _retry.sleep(delay)

    async def create(
        self,
        path: str,
        body: dict[str, Any],
        *,
        limiter: RateLimiter | None,
        timeout: float | None = None,
        client_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CreateTaskResponse:
        """The billed POST: resent only when MiniMax provably did not accept it.

        ``client_key`` is the key the task journal recorded the intent under (a fresh
        one otherwise); it names the request in logs and in AmbiguousCreateError.
        ``headers`` are sent on top of the client's own (a caller's ``extra_headers``).
        """
        # A correlation key, not a secret: random's generator (reseeded in forked
        # children) is enough, and unlike uuid4 it needs no system call per create.
        client_key = client_key or f"{random.getrandbits(128):032x}"
        payload = _BODY.serializer.to_json(body)
        logger.debug("create %s client_key=%s", path, client_key)
        attempt = 0
        while True:
            if limiter is not None:
                await limiter.acquire()
            sent_at = time.time()
            try:
                answer = await self._send(
                    "POST", path, body=payload, timeout=timeout, headers=headers
                )
                return self._accepted(answer, path, body, client_key, sent_at)
            except (_NotSent, RateLimitError) as exc:
                # Provably not accepted (is_unaccepted): refused before sending, or a 1002.
                if attempt >= self.policy.max_retries:
                    raise
                delay = self.policy.delay(attempt)
                if isinstance(exc, RateLimitError) and limiter is not None:
                    limiter.pause(delay)
                    delay = 0.0  # the limiter holds this caller back now
                logger.info("create refused before acceptance (%s); resending", exc)
            except TransportError as exc:
                # Sent, but no usable answer: MiniMax may have accepted (and billed) it.
                raise _ambiguous(path, body, client_key, sent_at, str(exc)) from exc
            attempt += 1
            await _retry.sleep(delay)

    def _accepted(
        self, answer: _Answer, path: str, body: dict[str, Any], client_key: str, sent_at: float
    ) -> CreateTaskResponse:
        """The created task from a create's answer; AmbiguousCreateError when unclear."""
        if answer.status >= 500:
            why = f"HTTP {answer.status} (Trace-Id {answer.trace_id})"
            raise _ambiguous(path, body, client_key, sent_at, why)
        if 200 <= answer.status < 300:
            refused = _v2_error(answer)
            # A 2xx carrying an envelope is a relay's doing: only a definite no is
            # believed; anything else (its http_code "504") may hide an accepted task.
            if refused is not None and not isinstance(refused, _REFUSALS):
                raise _ambiguous(path, body, client_key, sent_at, str(refused))
        try:
            created = self._decode(answer, CreateTaskResponse)
        except TransportError as exc:
            raise _ambiguous(path, body, client_key, sent_at, str(exc)) from exc
        if not created.task_id:
            why = f"success answer without a task_id (Trace-Id {answer.trace_id})"
            raise _ambiguous(path, body, client_key, sent_at, why)
        created.trace_id = answer.trace_id
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "submitted task %s client_key=%s (Trace-Id %s)",
                created.task_id,
                client_key,
                answer.trace_id,
                extra={
                    "task_id": created.task_id,
                    "trace_id": answer.trace_id,
                    "event": "submitted",
                },
            )
        return created

    @asynccontextmanager
    async def stream(
        self, url: str, *, timeout: float | None = None, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[ByteStream]:
        """GET a download URL without credentials (it is a signed CDN link).

        ``headers`` go on top of the User-Agent (a resumed download's Range, If-Range).
        """
        http = self._http()
        per_read = timeout if timeout is not None else self._config.timeout
        client_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=min(per_read, _CONNECT_TIMEOUT), sock_read=per_read
        )
        try:
            response = await http.get(
                url, headers={"User-Agent": USER_AGENT, **(headers or {})}, timeout=client_timeout
            )
        except Exception as exc:
            raise _translate_download(exc) from exc
        try:
            if not 200 <= response.status < 300:
                try:
                    text = (await response.content.read(200)).decode("utf-8", "replace")
                except Exception:
                    text = ""
                raise HTTPStatusError(
                    f"download HTTP {response.status}: {text.strip() or 'no body'}",
                    status_code=response.status,
                    trace_id=response.headers.get("Trace-Id"),
                )
            yield ByteStream(response)
        finally:
            response.release()


def _never_closed(session: aiohttp.ClientSession, connector: aiohttp.BaseConnector) -> None:
    """The client was dropped without ``aclose()``: say so in our words, then let go.

    aiohttp's own "Unclosed client session" names an object users never made; this
    names the one they did, and what to do about it.
    """
    warnings.warn(
        "AsyncMiniMax was not closed: use `async with AsyncMiniMax() as client:` "
        "or `await client.aclose()` when done",
        ResourceWarning,
        stacklevel=2,
    )
    session.detach()  # the session counts as closed; its own warning stays quiet
    # TCPConnector.close() is a coroutine, and a finalizer cannot await: _close() is its
    # synchronous part (it closes the sockets), the one way to let go from here.
    with contextlib.suppress(Exception):  # the loop may be gone at interpreter exit
        connector._close()


class ByteStream:
    """The body of a download response, chunk by chunk."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    @property
    def total(self) -> int | None:
        """The Content-Length, when the server sent one."""
        return self._response.content_length

    @property
    def status(self) -> int:
        """The HTTP status (200, or 206 for a range)."""
        return self._response.status

    def header(self, name: str) -> str | None:
        """One response header, case-insensitively."""
        return self._response.headers.get(name)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the body; a broken or stalled connection raises a TransportError."""
        # Whatever the socket delivered, as it arrived: re-slicing it into fixed-size
        # chunks copied every byte once more (about 0.9x curl's rate instead of 1.0x).
        # The writer batches to 1 MiB anyway, and aiohttp's flow control bounds a chunk.
        iterator = self._response.content.iter_any().__aiter__()
        while True:
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except Exception as exc:
                raise _translate_download(exc) from exc
            yield chunk


def _translate_download(exc: Exception) -> Exception:
    if isinstance(exc, MiniMaxError):
        return exc
    if isinstance(exc, _TIMEOUTS):
        return APITimeoutError("download stalled: no data in time")
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        return APIConnectionError(f"download broke: {type(exc).__name__}: {exc}")
    return exc


class _Envelope(pydantic.BaseModel):
    base_resp: BaseResp


def _envelope_error(answer: _Answer) -> APIError | None:
    try:
        base = _Envelope.model_validate_json(answer.body).base_resp
    except pydantic.ValidationError:
        return None
    if base.ok:
        return None
    return api_error_for(
        base.status_code,
        base.status_msg,
        status_code=answer.status,
        trace_id=answer.trace_id,
        body=answer.body[:500],
    )


def _v2_error(answer: _Answer) -> APIError | None:
    """The V2 envelope's error (§10.1), or None when the body is no such envelope.

    The class follows the HTTP status; on a 2xx (a relay's envelope) it follows the
    envelope's own ``http_code``. ``status_code`` is always the real HTTP status.
    """
    if b'"error"' not in answer.body:
        return None  # most answers: skip the parse
    try:
        envelope = V2ErrorEnvelope.model_validate_json(answer.body)
    except pydantic.ValidationError:
        return None
    detail = envelope.error
    family = answer.status
    if 200 <= family < 300 and detail.http_code and detail.http_code.isdigit():
        family = int(detail.http_code)
    error = api_error_for_status(
        family,
        detail.message or detail.type or f"HTTP {answer.status}",
        code=detail.legacy_code,
        request_id=envelope.request_id,
        trace_id=answer.trace_id,
        body=envelope.model_dump(mode="json"),
    )
    error.status_code = answer.status
    return error


def _form(
    fields: Mapping[str, str], name: str, file: UploadFile, files: contextlib.ExitStack
) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    # A path is streamed by aiohttp from the open file (closed by ``files`` whatever
    # happens), so a 50 MB video never sits in memory for an upload.
    content: Any = file.data if file.path is None else files.enter_context(file.path.open("rb"))
    form.add_field(name, content, filename=file.filename, content_type=file.content_type)
    return form


def _ambiguous(
    path: str, body: dict[str, Any], client_key: str, sent_at: float, why: str
) -> AmbiguousCreateError:
    return AmbiguousCreateError(
        f"POST {path}: {why}", request=body, client_key=client_key, sent_at=sent_at
    )


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
