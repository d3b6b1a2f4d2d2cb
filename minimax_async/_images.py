"""Frame images: read, check against MiniMax's rules, and encode as data URLs.

Pixel dimensions come from ``imagesize``, a small pure-Python header reader, so nothing
is decoded and no heavy imaging library is needed. The rules (reference §3.4): JPEG,
PNG or WebP; under 20 MB; short side over 300 px; aspect ratio strictly between 2:5
and 5:2. The emulator runs the same checks on the images it receives.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Union

import anyio

from minimax_async._catalog import (
    MAX_ASPECT,
    MAX_IMAGE_BYTES,
    MIN_ASPECT,
    MIN_IMAGE_SHORT_SIDE,
)
from minimax_async._exceptions import InvalidInputError

__all__ = (
    "ImageInfo",
    "ImageInput",
    "check_data_url",
    "decode_data_url",
    "encode_data_url",
    "image_to_wire",
    "inspect_image",
    "is_remote_url",
    "local_file_errors",
    "sniff_format",
)

#: What a frame can be given as: a URL or data URL string, a path, raw bytes, or an
#: open binary file.
ImageInput = Union[str, "os.PathLike[str]", bytes, IO[bytes]]

_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_MIME_TO_FORMAT = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
}


@dataclass(frozen=True)
class ImageInfo:
    """What the header of an accepted image says."""

    format: str
    width: int
    height: int
    size: int

    @property
    def mime(self) -> str:
        return _MIME[self.format]


def sniff_format(head: bytes) -> str | None:
    """The container format from the magic bytes, or None if it is none we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] in (b"BM",):
        return "bmp"
    return None


def inspect_image(data: bytes, *, field: str, shown: object = None) -> ImageInfo:
    """Check ``data`` against every image rule; raise naming ``field`` on the first break.

    ``shown`` is what the error reports as the value (a path, a URL prefix), so a
    20 MB blob never ends up in an exception message.
    """
    label = shown if shown is not None else f"<{len(data)} bytes>"
    if len(data) >= MAX_IMAGE_BYTES:
        raise InvalidInputError(field, label, f"image is {len(data)} bytes; must be under 20 MB")
    fmt = sniff_format(data[:16])
    if fmt not in _MIME:
        raise InvalidInputError(
            field, label, f"image format {fmt or 'unrecognised'}; must be JPG, JPEG, PNG or WebP"
        )
    import imagesize  # here, not at import: it pulls in xml.etree for SVG support

    width, height = imagesize.get(io.BytesIO(data), exif_rotation=False)
    if width <= 0 or height <= 0:
        raise InvalidInputError(field, label, f"{fmt} header unreadable: no pixel size found")
    short = min(width, height)
    if short <= MIN_IMAGE_SHORT_SIDE:
        raise InvalidInputError(
            field, label, f"image is {width}x{height}; the short side must exceed 300 px"
        )
    ratio = width / height
    if not MIN_ASPECT < ratio < MAX_ASPECT:
        raise InvalidInputError(
            field,
            label,
            f"image is {width}x{height} (aspect {ratio:.3f}); aspect ratio must be between"
            " 2:5 and 5:2",
        )
    return ImageInfo(fmt, width, height, len(data))


def is_remote_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def decode_data_url(value: str, *, field: str) -> tuple[str, bytes]:
    """Split a ``data:image/...;base64,`` URL into its declared MIME type and bytes."""
    shown = value[:40] + ("..." if len(value) > 40 else "")
    header, sep, payload = value.partition(",")
    if not sep or not header.startswith("data:") or not header.endswith(";base64"):
        raise InvalidInputError(
            field, shown, "data URL must look like data:image/<type>;base64,..."
        )
    mime = header[len("data:") : -len(";base64")].lower()
    if mime not in _MIME_TO_FORMAT:
        raise InvalidInputError(field, shown, f"data URL type {mime!r}; must be JPG, PNG or WebP")
    try:
        return mime, base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(field, shown, "data URL payload is not valid base64") from None


def check_data_url(value: str, *, field: str) -> ImageInfo:
    """Decode and check a data URL; its declared type must match the bytes."""
    mime, data = decode_data_url(value, field=field)
    info = inspect_image(data, field=field, shown=value[:40] + "...")
    if _MIME_TO_FORMAT[mime] != info.format:
        raise InvalidInputError(
            field, value[:40] + "...", f"data URL says {mime} but the bytes are {info.format}"
        )
    return info


def encode_data_url(data: bytes, info: ImageInfo) -> str:
    return f"data:{info.mime};base64,{base64.b64encode(data).decode('ascii')}"


async def image_to_wire(value: ImageInput, *, field: str) -> str:
    """Turn any accepted image input into what the API takes: a URL or a data URL.

    Remote URLs pass through untouched (MiniMax fetches them). Data URLs, paths, bytes
    and files are checked locally first, so a bad frame never costs a request.
    """
    if isinstance(value, str):
        if is_remote_url(value):
            return value
        if value.startswith("data:"):
            check_data_url(value, field=field)
            return value
        return await _path_to_wire(value, field=field)
    if isinstance(value, os.PathLike):
        return await _path_to_wire(os.fspath(value), field=field)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return encode_data_url(data, inspect_image(data, field=field))
    if hasattr(value, "read"):
        data = await anyio.to_thread.run_sync(value.read, MAX_IMAGE_BYTES + 1)
        if not isinstance(data, bytes):
            raise InvalidInputError(field, value, "file-like image must be opened in binary mode")
        return encode_data_url(data, inspect_image(data, field=field, shown=value))
    raise InvalidInputError(
        field, value, "image must be a URL, a data URL, a path, bytes or a binary file"
    )


async def _path_to_wire(path: str, *, field: str) -> str:
    file = anyio.Path(path)
    with local_file_errors(field, path, urls="an http(s) or data URL"):
        size = (await file.stat()).st_size
        if size >= MAX_IMAGE_BYTES:
            raise InvalidInputError(field, path, f"image is {size} bytes; must be under 20 MB")
        data = await file.read_bytes()
    return encode_data_url(data, inspect_image(data, field=field, shown=path))


@contextlib.contextmanager
def local_file_errors(field: str, path: object, *, urls: str) -> Iterator[None]:
    """A path that cannot be read becomes an InvalidInputError naming ``field``.

    ``urls`` names what else the field would have taken, since a typo in a URL
    arrives here as a path.
    """
    try:
        yield
    except FileNotFoundError:
        raise InvalidInputError(field, path, f"no such file (and not {urls})") from None
    except IsADirectoryError:
        raise InvalidInputError(field, path, "is a directory, not a file") from None
    except PermissionError:
        raise InvalidInputError(field, path, "file is not readable") from None
