"""``client.files``: file metadata and downloads of generated videos."""

from __future__ import annotations

import os
from pathlib import Path

from minimax_async._download import Progress, Target, download_to
from minimax_async._exceptions import UnexpectedResponseError
from minimax_async.models import FileObject, FileRetrieveResponse
from minimax_async.resources._base import Resource, check_id

__all__ = ("Files",)


class Files(Resource):
    """``GET /v1/files/retrieve`` and streaming the file it points at."""

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
