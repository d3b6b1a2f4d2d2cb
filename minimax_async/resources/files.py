"""``client.files``: uploads for V2 media fields, file metadata and video downloads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from minimax_async._download import Progress, Target, download_to
from minimax_async._exceptions import InvalidInputError, UnexpectedResponseError
from minimax_async._transport import UploadFile
from minimax_async._v2_content import LocalMedia, inspect_local
from minimax_async.models import FileObject, FileRetrieveResponse, V2UploadedFile, V2UploadResponse
from minimax_async.resources._base import Resource, check_id

#: The purpose that makes an upload usable as ``mm_file://`` in V2 creates (§7).
VIDEO_GENERATION_INPUT = "video_generation_input"

__all__ = ("Files",)


class Files(Resource):
    """``POST /v1/files/upload``, ``GET /v1/files/retrieve`` and streaming a file."""

    async def upload(
        self,
        file: str | os.PathLike[str] | bytes | IO[bytes],
        *,
        purpose: str = VIDEO_GENERATION_INPUT,
        filename: str | None = None,
        timeout: float | None = None,
    ) -> V2UploadedFile:
        """Upload an image, video or audio clip for V2 creates; kept by MiniMax 7 days.

        The file is checked first against the V2 media rules (format, size, pixel
        size and aspect, duration, fps), as MiniMax checks it on arrival. The answer's
        :attr:`~V2UploadedFile.reference` (``mm_file://{file_id}``), or the object
        itself, goes into any V2 media field. An upload is not billed, so a failed one
        is resent like a read.
        """
        if not purpose:
            raise InvalidInputError("purpose", purpose, "must be a non-empty string")
        local = await inspect_local(file, kind=None, field="file")
        return await self.upload_checked(local, purpose=purpose, filename=filename, timeout=timeout)

    async def upload_checked(
        self,
        local: LocalMedia,
        *,
        purpose: str = VIDEO_GENERATION_INPUT,
        filename: str | None = None,
        timeout: float | None = None,
    ) -> V2UploadedFile:
        """Upload media that already passed its checks (a V2 create's large inputs)."""
        part = UploadFile(filename or local.filename, local.info.mime, local.path, local.data)
        answer = await self._core.transport.request(
            "POST",
            "/v1/files/upload",
            upload=({"purpose": purpose}, "file", part),
            model=V2UploadResponse,
            timeout=timeout,
        )
        if answer.file is None:
            raise UnexpectedResponseError("files/upload answered without a file object")
        return answer.file

    async def retrieve(
        self,
        file_id: str | int,
        *,
        timeout: float | None = None,
    ) -> FileObject:
        """The file's size, name and a freshly minted ``download_url`` (valid ~1 hour)."""
        fid = check_id(file_id, field="file_id", digits=True)
        answer = await self._core.transport.get(
            "/v1/files/retrieve",
            params={"file_id": fid},
            model=FileRetrieveResponse,
            timeout=timeout,
        )
        if answer.file is None:
            raise UnexpectedResponseError("files/retrieve answered without a file object")
        return answer.file

    async def download(
        self,
        file_id: str | int,
        path: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
        timeout: float | None = None,
    ) -> Path:
        """Stream the file to ``path``: atomic, size-checked, re-retrieved if the link expired.

        ``progress(done_bytes, total_bytes)`` is called after every chunk.
        """
        fid = check_id(file_id, field="file_id", digits=True)

        async def source(fresh: bool) -> Target:
            # Every retrieve mints a new link, so a fresh one needs nothing special.
            file = await self.retrieve(fid, timeout=timeout)
            url = file.download_url or file.backup_download_url
            if not url:
                raise UnexpectedResponseError(f"file {fid} has no download_url")
            # Some answers show bytes=0 (unknown): then the Content-Length is checked.
            return Target(url, file.bytes if file.bytes > 0 else None)

        return await download_to(
            self._core.transport, path, source=source, progress=progress, read_timeout=timeout
        )
