"""Streaming a result video to disk: progress, size check, atomic rename, fresh links.

Used by both result kinds. A V1 video's link comes from files/retrieve (its ``bytes``
is the size to verify, and a new retrieve mints a new link); a Video Agent video comes
straight from ``video_url`` (the size to verify is the Content-Length, and re-querying
the task mints a new URL). The caller passes a ``source`` that returns a
:class:`Target`; it is called again when a link answers 403/410 (expired).

The bytes go to a temporary file in the destination's directory and are renamed into
place only after the count matched, so a failed download leaves nothing behind and a
reader never sees half a video.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import anyio

from minimax_async import _retry
from minimax_async._exceptions import DownloadError, HTTPStatusError, TransportError
from minimax_async._transport import Transport

__all__ = ("Progress", "Target", "TargetSource", "download_to")

logger = logging.getLogger(__name__)

#: ``progress(done_bytes, total_bytes)``; ``total_bytes`` is None when nobody said.
Progress = Callable[[int, "int | None"], object]

_EXPIRED = (403, 410)
_MAX_REFRESHES = 2


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

    Retries broken or stalled connections (from the start) and 5xx answers, refreshes
    an expired link up to twice, and raises :class:`DownloadError` when it gives up or
    the byte count does not match.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    target = await source(False)
    failures = refreshes = 0
    while True:
        try:
            return await _fetch_once(transport, target, final, progress, read_timeout)
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
            if exc.status_code < 500 or failures >= transport.policy.max_retries:
                raise DownloadError(f"download failed: {exc}") from exc
            cause: Exception = exc
        except TransportError as exc:
            if failures >= transport.policy.max_retries:
                raise DownloadError(f"download failed: {exc}") from exc
            cause = exc
        delay = transport.policy.delay(failures)
        failures += 1
        logger.info("download interrupted (%s); retry %d in %.2fs", cause, failures, delay)
        await _retry.sleep(delay)


async def _fetch_once(
    transport: Transport,
    target: Target,
    final: Path,
    progress: Progress | None,
    read_timeout: float | None,
) -> Path:
    temp_name = _reserve_temp(final)
    temp = anyio.Path(temp_name)
    try:
        async with transport.stream(target.url, timeout=read_timeout) as body:
            expected = target.expected_bytes or body.total
            if target.expected_bytes and body.total is not None and body.total != expected:
                raise DownloadError(
                    f"server announces {body.total} bytes but files/retrieve said {expected}"
                )
            done = 0
            async with await anyio.open_file(temp, "wb") as out:
                async for chunk in body.chunks():
                    await out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, expected)
                await out.flush()
                await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
        if expected is not None and done != expected:
            raise DownloadError(f"received {done} bytes, expected {expected}; nothing was saved")
        await anyio.to_thread.run_sync(os.replace, temp_name, final)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await temp.unlink(missing_ok=True)
        raise
    logger.debug("saved %d bytes to %s", done, final)
    return final


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
