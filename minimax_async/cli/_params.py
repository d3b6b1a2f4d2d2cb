"""Turn user-given video options (flags or a JSON line) into checked create parameters.

``generate`` and ``batch`` share this, so a flag and a JSONL field obey the same rules
and give the same one-line errors. Every check here runs before any money is spent:
model x mode, duration x resolution, prompt length, camera moves, and local images
(exists, readable, JPEG/PNG/WebP, size, short side, aspect ratio).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from minimax_async._camera import CameraMove, camera
from minimax_async._exceptions import InvalidInputError
from minimax_async._images import check_data_url, inspect_image, is_remote_url
from minimax_async._rules import check_video_params

__all__ = ("VideoParams", "check_image", "in_user_words", "parse_camera", "video_params")


@dataclass(frozen=True)
class VideoParams:
    """A checked video create request; images are URLs, data URLs or absolute paths.

    ``model`` is what the user asked for (None: the SDK picks the mode's default);
    ``resolved_model`` is the model the create will use.
    """

    model: str | None
    resolved_model: str
    prompt: str | None = None
    first_frame_image: str | Path | None = None
    last_frame_image: str | Path | None = None
    subject_image: str | Path | None = None
    duration: int | None = None
    resolution: str | None = None
    prompt_optimizer: bool | None = None
    fast_pretreatment: bool | None = None
    aigc_watermark: bool | None = None
    seconds: int = 6

    def images(self) -> dict[str, str | Path]:
        """The image fields that are set, by wire field name."""
        found = {
            "first_frame_image": self.first_frame_image,
            "last_frame_image": self.last_frame_image,
            "subject_reference": self.subject_image,
        }
        return {name: value for name, value in found.items() if value is not None}


_BYTES = re.compile(r"\b(\d{4,}) bytes\b")
_PLACEHOLDER = re.compile(r"=(None|'<set>')(?=:)")


def in_user_words(exc: InvalidInputError, names: dict[str, str] | None = None) -> str:
    """The error as the user should read it: their option names, sizes in MB.

    The shared rules speak of wire fields (``last_frame_image``) and bytes; on the
    command line that is ``--last-frame`` and ``21.0 MB``. ``names`` maps wire names to
    what the user typed (a JSONL line uses the wire names, so it passes none).
    """
    message = _BYTES.sub(lambda m: f"{int(m.group(1)) / (1 << 20):.1f} MB", str(exc))
    message = _PLACEHOLDER.sub("", message, count=1)  # "--first-frame=None: required..."
    for wire, flag in (names or {}).items():
        message = re.sub(rf"\b{wire}\b", flag, message)
    return message


def parse_camera(moves: list[str], *, field: str = "--camera") -> str | None:
    """One bracket combining the named moves (``[Pan left,Pedestal up]``), or None."""
    if not moves:
        return None
    known: list[CameraMove] = []
    for text in moves:
        move = CameraMove.lookup(text)
        if move is None:
            names = ", ".join(m.value for m in CameraMove)
            raise InvalidInputError(field, text, f"unknown camera move; known moves: {names}")
        known.append(move)
    return camera(*known)


def check_image(value: str, *, field: str, base: Path) -> str | Path:
    """Check one image given as a URL, a data URL or a path (relative to ``base``).

    Local files are read and checked now, so a bad frame is reported before any
    request; they are returned as absolute paths for the client to encode.
    """
    if not value:
        raise InvalidInputError(field, value, "must be a path, an http(s) URL or a data URL")
    if is_remote_url(value):
        return value
    if value.startswith("data:"):
        check_data_url(value, field=field)
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(field, value, "no such file (and not an http(s) URL)") from None
    except IsADirectoryError:
        raise InvalidInputError(field, value, "is a directory, not an image file") from None
    except OSError as exc:
        raise InvalidInputError(field, value, f"cannot read file: {exc.strerror}") from None
    try:
        inspect_image(data, field=field, shown=value)
    except InvalidInputError:
        if _looks_like_text(data):
            raise InvalidInputError(
                field, value, "is a text file, not an image; give a JPG, PNG or WebP file"
            ) from None
        raise
    return path.resolve()


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # only a character cut at the 4 KiB boundary
    return True


def video_params(
    *,
    model: str | None,
    prompt: str | None,
    first_frame: str | None = None,
    last_frame: str | None = None,
    subject: str | None = None,
    duration: int | None = None,
    resolution: str | None = None,
    camera_moves: list[str] | None = None,
    prompt_optimizer: bool | None = None,
    fast_pretreatment: bool | None = None,
    aigc_watermark: bool | None = None,
    base: Path,
    names: dict[str, str] | None = None,
) -> VideoParams:
    """Check every option by the SDK's rules; errors name the flag or field.

    ``names`` maps a parameter to what the user calls it (``first_frame`` to
    ``--first-frame``, say); by default the wire field names are used.
    """
    label = {
        "first_frame": "first_frame_image",
        "last_frame": "last_frame_image",
        "subject": "subject_reference",
        "camera": "camera",
        **(names or {}),
    }
    bracket = parse_camera(camera_moves or [], field=label["camera"])
    if bracket is not None:
        prompt = f"{prompt} {bracket}" if prompt else bracket
    if resolution is not None:
        resolution = resolution.upper()
    # The SDK's own rules (and its default model per mode), checked before any create.
    checked = check_video_params(
        model=model,
        prompt=prompt,
        duration=duration,
        resolution=resolution,
        first_frame=first_frame is not None,
        last_frame=last_frame is not None,
        subject_reference=[{"type": "character", "image": [subject]}] if subject else None,
    )

    def image(value: str | None, key: str) -> str | Path | None:
        return None if value is None else check_image(value, field=label[key], base=base)

    return VideoParams(
        model=model,
        resolved_model=checked.model,
        prompt=prompt,
        first_frame_image=image(first_frame, "first_frame"),
        last_frame_image=image(last_frame, "last_frame"),
        subject_image=image(subject, "subject"),
        duration=duration,
        resolution=resolution,
        prompt_optimizer=prompt_optimizer,
        fast_pretreatment=fast_pretreatment,
        aigc_watermark=aigc_watermark,
        seconds=checked.duration,
    )
