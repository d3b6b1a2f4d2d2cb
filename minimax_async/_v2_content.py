"""A V2 create's ``content[]``: the prompt, then each frame or reference as a URL.

What a media field takes: an ``http(s)://`` URL or an ``mm_file://`` reference (sent
as given: MiniMax fetches and checks them), an upload's :class:`V2UploadedFile`, a
``data:`` URL, a path, bytes or a binary file. Everything local is read from its
headers and checked against §3.4 before anything is sent.

Local media go inline as data URLs while the whole body stays within MiniMax's 64 MB
cap (base64 makes each file a third larger). When it would not, the largest local
files are uploaded first (``/v1/files/upload``, free, kept 7 days) and sent as
``mm_file://{file_id}``, until the rest fits. A MOV is always uploaded: the only video
data URL MiniMax documents is ``data:video/mp4``.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Union

import anyio

from minimax_async._exceptions import InvalidInputError
from minimax_async._images import local_file_errors
from minimax_async._media import MediaInfo, MediaKind, probe_media
from minimax_async._v2_rules import (
    BODY_MAX_BYTES,
    MAX_BYTES,
    check_v2_media,
    check_v2_size,
    check_v2_totals,
)
from minimax_async.models import ContentItem, V2UploadedFile
from minimax_async.models._v2 import Role

__all__ = ("LocalMedia", "MediaInput", "Uploader", "build_content", "inspect_local")

#: What any V2 media field takes.
MediaInput = Union[str, "os.PathLike[str]", bytes, IO[bytes], V2UploadedFile]

#: Room left in the 64 MB for the JSON around the media (prompt, keys, quotes).
_BODY_SLACK = 64 * 1024


@dataclass(frozen=True)
class LocalMedia:
    """A local file or blob that passed its checks, not yet sent anywhere."""

    field: str
    info: MediaInfo
    path: Path | None = None
    data: bytes | None = None

    @property
    def inline_size(self) -> int:
        """Its size as a data URL in the body."""
        return len(f"data:{self.info.mime};base64,") + 4 * ((self.info.size + 2) // 3)

    @property
    def filename(self) -> str:
        return self.path.name if self.path is not None else f"{self.field}.{self.info.format}"

    async def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return await anyio.Path(self.path).read_bytes()


#: Uploads one local file and answers the ``mm_file://`` reference to send.
Uploader = Callable[[LocalMedia], Awaitable[str]]


@dataclass
class _Slot:
    role: Role
    kind: MediaKind
    url: str | None = None  # set when the input is already a reference
    local: LocalMedia | None = None
    duration: float | None = None  # what the headers said, local file or data: URL


def _shown(value: str) -> str:
    return value[:40] + ("..." if len(value) > 40 else "")


async def inspect_local(
    value: object, *, kind: MediaKind | None, field: str, base: bool = False
) -> LocalMedia:
    """Read and check a path, bytes or binary file (``kind=None``: whatever it is)."""
    if isinstance(value, (str, os.PathLike)):
        path = Path(os.fspath(value))
        shown: object = os.fspath(value)
        with local_file_errors(field, shown, urls="an http(s), mm_file:// or data: URL"):
            size = (await anyio.Path(path).stat()).st_size
            if kind is not None:
                check_v2_size(kind, size, field=field, shown=shown)
            info = await anyio.to_thread.run_sync(_probe_path, path, size, field, shown)
        _check(info, kind, field, shown, base)
        return LocalMedia(field, info, path=path)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    elif hasattr(value, "read"):
        limit = max(MAX_BYTES.values()) if kind is None else MAX_BYTES[kind]
        data = await anyio.to_thread.run_sync(value.read, limit + 1)
        if not isinstance(data, bytes):
            raise InvalidInputError(field, value, "a file must be opened in binary mode")
    else:
        raise InvalidInputError(
            field, value, "must be a URL, mm_file:// or data: URL, a path, bytes or a binary file"
        )
    shown = f"<{len(data)} bytes>"
    info = probe_media(data, size=len(data), field=field, shown=shown)
    _check(info, kind, field, shown, base)
    return LocalMedia(field, info, data=data)


def _probe_path(path: Path, size: int, field: str, shown: object) -> MediaInfo:
    with path.open("rb") as file:
        return probe_media(file, size=size, field=field, shown=shown)


def _check(
    info: MediaInfo, kind: MediaKind | None, field: str, shown: object, base: bool = False
) -> None:
    check_v2_media(info, kind=kind or info.kind, field=field, shown=shown, base=base)


def _check_data_url(value: str, *, kind: MediaKind, field: str, base: bool) -> MediaInfo:
    """A caller's ``data:`` URL: its type must be the field's kind, and the bytes too."""
    shown = _shown(value)
    header, sep, payload = value.partition(",")
    if not sep or not header.endswith(";base64"):
        raise InvalidInputError(field, shown, f"data URL must look like data:{kind}/<type>;base64,")
    mime = header[len("data:") : -len(";base64")]
    if not mime.startswith(f"{kind}/") or mime != mime.lower():
        raise InvalidInputError(field, shown, f"data URL type {mime!r}; must be {kind}/<lowercase>")
    if kind == "video" and mime != "video/mp4":
        raise InvalidInputError(
            field, shown, "the only video data URL MiniMax takes is data:video/mp4 (upload a MOV)"
        )
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(field, shown, "data URL payload is not valid base64") from None
    info = probe_media(data, size=len(data), field=field, shown=shown)
    check_v2_media(info, kind=kind, field=field, shown=shown, base=base)
    return info


async def _slot(value: MediaInput, *, kind: MediaKind, role: Role, field: str) -> _Slot:
    base = role == "base_video"
    if isinstance(value, V2UploadedFile):
        return _Slot(role, kind, url=value.reference)
    if isinstance(value, str) and value.startswith(("http://", "https://", "mm_file://")):
        return _Slot(role, kind, url=value)
    if isinstance(value, str) and value.startswith("data:"):
        info = _check_data_url(value, kind=kind, field=field, base=base)
        return _Slot(role, kind, url=value, duration=info.duration)
    local = await inspect_local(value, kind=kind, field=field, base=base)
    return _Slot(role, kind, local=local, duration=local.info.duration)


async def build_content(
    prompt: str,
    *,
    first_frame: MediaInput | None,
    last_frame: MediaInput | None,
    reference_images: Sequence[MediaInput],
    reference_videos: Sequence[MediaInput],
    reference_audios: Sequence[MediaInput],
    base_size: int,
    upload: Uploader,
    base_video: MediaInput | None = None,
) -> list[ContentItem]:
    """Check every medium, decide inline or upload (see the module doc), build content.

    ``base_size`` is the JSON size of the rest of the body; ``upload`` sends one
    local file to ``/v1/files/upload``.
    """
    fields: list[tuple[str, MediaKind, Role, MediaInput]] = []
    if first_frame is not None:
        fields.append(("first_frame_image", "image", "first_frame", first_frame))
    if last_frame is not None:
        fields.append(("last_frame_image", "image", "last_frame", last_frame))
    groups: tuple[tuple[str, MediaKind, Role, Sequence[MediaInput]], ...] = (
        ("reference_images", "image", "reference_image", reference_images),
        ("reference_videos", "video", "reference_video", reference_videos),
        ("reference_audios", "audio", "reference_audio", reference_audios),
    )
    for name, kind, role, values in groups:
        fields.extend((f"{name}[{i}]", kind, role, value) for i, value in enumerate(values))
    if base_video is not None:
        fields.append(("base_video", "video", "base_video", base_video))
    slots = [
        await _slot(value, kind=kind, role=role, field=field) for field, kind, role, value in fields
    ]
    # URLs are MiniMax's to measure; local files and data: URLs are counted here.
    check_v2_totals(
        {
            kind: [s.duration or 0.0 for s in slots if s.role == f"reference_{kind}"]
            for kind in ("video", "audio")
        }
    )
    await _fit_body(slots, base_size=base_size, upload=upload)
    items = [ContentItem.of_text(prompt)]
    for slot in slots:
        url = slot.url
        if url is None:
            assert slot.local is not None
            encoded = base64.b64encode(await slot.local.read()).decode("ascii")
            url = f"data:{slot.local.info.mime};base64,{encoded}"
        items.append(ContentItem.of_media(slot.kind, url, slot.role))
    return items


async def _fit_body(slots: list[_Slot], *, base_size: int, upload: Uploader) -> None:
    """Upload local files, largest first, until the body fits the 64 MB cap."""
    size = base_size + sum(len(s.url) for s in slots if s.url is not None)
    local = [s for s in slots if s.local is not None]
    for slot in local:
        assert slot.local is not None
        if slot.local.info.format == "mov":
            slot.url = await upload(slot.local)
            size += len(slot.url)
    inline = sorted(
        (s for s in local if s.url is None),
        key=lambda s: s.local.inline_size if s.local else 0,
        reverse=True,
    )
    budget = BODY_MAX_BYTES - _BODY_SLACK
    size += sum(s.local.inline_size for s in inline if s.local)
    for slot in inline:
        if size <= budget:
            break
        assert slot.local is not None
        slot.url = await upload(slot.local)
        size += len(slot.url) - slot.local.inline_size
    if size > budget:
        raise InvalidInputError(
            "content",
            f"<{size} bytes>",
            f"the request body would exceed MiniMax's {BODY_MAX_BYTES // 2**20} MB: pass the"
            " large data: URLs as paths, URLs or uploads (client.files.upload)",
        )
