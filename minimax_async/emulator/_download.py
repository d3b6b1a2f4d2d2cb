"""Serving a stored video the way a CDN does: byte ranges, validators, If-Range.

aiohttp's FileResponse already answers ``Range`` (206 with Content-Range, 416 past the
end), sends ``Accept-Ranges``, an ETag and Last-Modified, and honours an ``If-Range``
date. It ignores an ``If-Range`` entity tag, which is what a resuming client sends
when it has one; a CDN answers the whole object (200) when that tag no longer matches,
so a client never glues two versions of a file together. That check is added here.
"""

from __future__ import annotations

import os
from pathlib import Path

from aiohttp import hdrs, web

__all__ = ("serve_file",)


async def serve_file(request: web.Request, path: Path, content_type: str) -> web.StreamResponse:
    """The file at ``path``, whole or the requested range, with CDN validators."""
    response = web.FileResponse(path, headers={hdrs.CONTENT_TYPE: content_type})
    if_range = request.headers.get(hdrs.IF_RANGE, "").strip()
    if hdrs.RANGE in request.headers and if_range and not _etag_matches(if_range, path):
        headers = request.headers.copy()
        del headers[hdrs.RANGE]
        # Prepared here: aiohttp would prepare a returned response with the original.
        await response.prepare(request.clone(headers=headers))
    return response


def _etag_matches(if_range: str, path: Path) -> bool:
    """False when ``if_range`` is an entity tag other than the file's strong ETag.

    A date is left to FileResponse. A weak tag never matches (RFC 9110, 13.1.5).
    """
    if not if_range.startswith(('"', "W/")):
        return True
    try:
        st = os.stat(path)
    except OSError:
        return True  # FileResponse answers the missing file itself
    # FileResponse's own ETag: mtime in nanoseconds and size, both in hex.
    return if_range == f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
