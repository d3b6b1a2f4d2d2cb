"""Streaming a result video to disk: progress, size check, atomic rename, fresh links.

Used by both result kinds. A V1 video's link comes from files/retrieve (its ``bytes``
is the size to verify, and a new retrieve mints a new link); a Video Agent video comes
straight from ``video_url`` (the size to verify is the Content-Length, and re-querying
the task mints a new URL). The caller passes a ``source`` that returns a
:class:`Target`; it is called again when a link answers 403/410 (expired).

The bytes go to a temporary file in the destination's directory and are renamed into
place only after the count matched, so a failed download leaves nothing behind and a
reader never sees half a video.

A connection cut part-way resumes from the bytes already on disk when the server said
``Accept-Ranges: bytes`` and gave a validator (a strong ETag, else Last-Modified): the
retry asks ``Range: bytes=<done>-`` with ``If-Range: <validator>``, so a server whose
object changed answers 200 with the whole of it and the download starts over instead
of splicing two versions. A server that cannot resume is read again from the start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio

from minimax_async import _retry
from minimax_async._exceptions import DownloadError, HTTPStatusError, TransportError
from minimax_async._transport import ByteStream, Transport

__all__ = ("Progress", "Target", "TargetSource", "download_to")

logger = logging.getLogger(__name__)

#: ``progress(done_bytes, total_bytes)``; ``total_bytes`` is None when nobody said.
Progress = Callable[[int, "int | None"], object]

_EXPIRED = (403, 410)
_UNSATISFIABLE = 416
_MAX_REFRESHES = 2
#: Bytes gathered before one write to disk.
_BATCH = 1024 * 1024


@dataclass(frozen=True)
class Target:
    """Where to fetch and how many bytes to expect (None: trust Content-Length)."""

    url: str
    expected_bytes: int | None = None


#: Returns the link to use; ``fresh=True`` asks for a newly minted one.
TargetSource = Callable[[bool], Awaitable[Target]]


async def download_to(
    transport: Transport,
    path: str | os.PathLike[str],
    *,
    source: TargetSource,
    progress: Progress | None = None,
    read_timeout: float | None = None,
) -> Path:
    """Download to ``path`` atomically; returns the final path.

    Resumes a broken or stalled connection (or starts over when the server cannot
    resume), retries 5xx answers, refreshes an expired link up to twice, and raises
    :class:`DownloadError` when it gives up or the byte count does not match. An
    attempt that brought new bytes restores the retry budget: a flaky but moving
    download finishes.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp_name = _reserve_temp(final)
    try:
        part = await _fetch_with_retries(transport, source, temp_name, progress, read_timeout)
        await anyio.to_thread.run_sync(_fsync, temp_name)
        await anyio.to_thread.run_sync(os.replace, temp_name, final)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.Path(temp_name).unlink(missing_ok=True)
        raise
    logger.debug("saved %d bytes to %s", part.done, final)
    return final


async def _fetch_with_retries(
    transport: Transport,
    source: TargetSource,
    temp_name: str,
    progress: Progress | None,
    read_timeout: float | None,
) -> _Partial:
    target = await source(False)
    part = _Partial()
    failures = refreshes = 0
    while True:
        before = part.done
        try:
            await _fetch_once(transport, target, temp_name, part, progress, read_timeout)
            return part
        except HTTPStatusError as exc:
            if exc.status_code in _EXPIRED:
                if refreshes >= _MAX_REFRESHES:
                    raise DownloadError(
                        f"download link still refused after {refreshes} refreshes: {exc}"
                    ) from exc
                refreshes += 1
                logger.info("download link expired (HTTP %d); fetching a new one", exc.status_code)
                target = await source(True)
                continue
            if exc.status_code == _UNSATISFIABLE and part.done:
                part.forget()  # the object is shorter than what we hold: start over
            elif exc.status_code < 500:
                raise DownloadError(f"download failed: {exc}") from exc
            if failures >= transport.policy.max_retries:
                raise DownloadError(f"download failed: {exc}") from exc
            cause: Exception = exc
        except TransportError as exc:
            if part.done > before:
                failures = 0
            if failures >= transport.policy.max_retries:
                raise DownloadError(f"download failed: {exc}") from exc
            cause = exc
        delay = transport.policy.delay(failures)
        failures += 1
        how = f"from byte {part.done}" if part.range_headers() else "from the start"
        logger.info("download interrupted (%s); retry %d %s in %.2fs", cause, failures, how, delay)
        await _retry.sleep(delay)


@dataclass
class _Partial:
    """What the temporary file holds so far, and which version of the object it is."""

    done: int = 0
    #: A strong ETag or a Last-Modified date, sent as If-Range when resuming.
    validator: str | None = None
    #: The server said ``Accept-Ranges: bytes``.
    ranges: bool = False

    def forget(self) -> None:
        self.done, self.validator, self.ranges = 0, None, False

    def range_headers(self) -> dict[str, str]:
        """What to send to continue after ``done`` bytes (nothing: start over)."""
        if not (self.ranges and self.done and self.validator):
            return {}
        return {"Range": f"bytes={self.done}-", "If-Range": self.validator}

    def learn(self, body: ByteStream) -> None:
        """Remember how the object of a whole (200) answer can be resumed."""
        etag = body.header("ETag")
        strong = etag if etag and not etag.startswith("W/") else None
        self.validator = strong or body.header("Last-Modified")
        self.ranges = (body.header("Accept-Ranges") or "").strip().lower() == "bytes"


async def _fetch_once(
    transport: Transport,
    target: Target,
    temp_name: str,
    part: _Partial,
    progress: Progress | None,
    read_timeout: float | None,
) -> None:
    headers = part.range_headers()
    async with transport.stream(target.url, timeout=read_timeout, headers=headers) as body:
        if headers and body.status == 206:
            offset, total = part.done, _complete_length(body.header("Content-Range"), part.done)
        else:
            # A whole answer: no range asked, or the object changed (If-Range failed).
            offset, total = 0, body.total
            part.learn(body)
        expected = target.expected_bytes or total
        if target.expected_bytes and total is not None and total != expected:
            raise DownloadError(
                f"server announces {total} bytes but files/retrieve said {expected}"
            )
        async with _Writer(temp_name, offset) as out:
            part.done = offset
            try:
                async for chunk in body.chunks():
                    await out.write(chunk)
                    part.done += len(chunk)
                    if progress is not None:
                        progress(part.done, expected)
            finally:
                # What arrived before a cut is kept: the next attempt resumes after it.
                await out.flush()
    if expected is not None and part.done != expected:
        raise DownloadError(f"received {part.done} bytes, expected {expected}; nothing was saved")


def _complete_length(content_range: str | None, asked: int) -> int | None:
    """The object's length from a 206's ``bytes <first>-<last>/<length>``.

    The range must start where we asked: anything else would splice the wrong bytes.
    """
    unit, _, spec = (content_range or "").partition(" ")
    span, _, length = spec.partition("/")
    first = span.partition("-")[0].strip()
    if unit.strip().lower() != "bytes" or not first.isdigit():
        raise DownloadError(f"a 206 answer with an unusable Content-Range: {content_range!r}")
    if int(first) != asked:
        raise DownloadError(f"asked for the bytes from {asked}, the server sent from {first}")
    length = length.strip()
    return int(length) if length.isdigit() else None


class _Writer:
    """Writes to the temporary file from ``offset`` on, in large batches.

    Chunks are gathered into about a megabyte; each batch is written in a worker
    thread while the next one arrives, so the disk and the network overlap and a slow
    disk never blocks the event loop. At most two batches are held: memory stays
    constant whatever the file size.
    """

    def __init__(self, name: str, offset: int) -> None:
        self._name = name
        self._offset = offset
        self._pending: list[bytes] = []
        self._size = 0
        self._file: BinaryIO | None = None
        self._writing: asyncio.Future[None] | None = None

    async def __aenter__(self) -> _Writer:
        self._file = await anyio.to_thread.run_sync(_open_at, self._name, self._offset)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        file, self._file = self._file, None
        with anyio.CancelScope(shield=True):
            writing, self._writing = self._writing, None
            try:
                if writing is not None:
                    await writing
            finally:
                if file is not None:
                    await anyio.to_thread.run_sync(file.close)

    async def write(self, chunk: bytes) -> None:
        self._pending.append(chunk)
        self._size += len(chunk)
        if self._size >= _BATCH:
            await self._start_batch()

    async def flush(self) -> None:
        """Write everything received so far and wait until it is written."""
        await self._start_batch()
        writing, self._writing = self._writing, None
        if writing is not None:
            await asyncio.shield(writing)

    async def _start_batch(self) -> None:
        if self._writing is not None:
            # One batch on its way to disk at a time; shielded, so a cancelled download
            # still lets the write finish before the file is closed.
            await asyncio.shield(self._writing)
            self._writing = None
        if not self._pending or self._file is None:
            return
        pending, self._pending, self._size = self._pending, [], 0
        loop = asyncio.get_running_loop()
        self._writing = loop.run_in_executor(None, self._file.writelines, pending)


def _open_at(name: str, offset: int) -> BinaryIO:
    """``name`` opened for writing, cut to ``offset`` bytes and positioned there."""
    file = open(name, "r+b")  # noqa: SIM115 - _Writer closes it
    file.truncate(offset)
    file.seek(offset)
    return file


def _fsync(name: str) -> None:
    fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reserve_temp(final: Path) -> str:
    """Create an empty, unique temporary file beside ``final`` and return its name.

    Unlike mkstemp (always 0600), it is created with mode 0666 filtered by the umask,
    so the renamed video ends up with the permissions any new file would get.
    """
    while True:
        name = os.fspath(final.parent / f".{final.name}.{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return name
