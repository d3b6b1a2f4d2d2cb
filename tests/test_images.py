"""Frame checks (reference §3.4) on real image bytes and files."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from minimax_async import InvalidInputError
from minimax_async._images import check_data_url, image_to_wire, inspect_image
from tests.images import GIF_400x400, JPEG_640x360, WEBP_480x640, data_url, png


@pytest.mark.parametrize(
    ("path", "fmt", "size"),
    [(JPEG_640x360, "jpeg", (640, 360)), (WEBP_480x640, "webp", (480, 640))],
)
def test_jpeg_and_webp_headers_are_read(path: Path, fmt: str, size: tuple[int, int]) -> None:
    info = inspect_image(path.read_bytes(), field="first_frame_image")
    assert (info.format, info.width, info.height) == (fmt, *size)


def test_png_is_read_and_mime_is_right() -> None:
    info = inspect_image(png(1280, 720), field="f")
    assert (info.format, info.mime, info.width, info.height) == ("png", "image/png", 1280, 720)


def test_gif_is_refused_naming_the_format() -> None:
    with pytest.raises(InvalidInputError) as info:
        inspect_image(GIF_400x400.read_bytes(), field="last_frame_image")
    assert info.value.field == "last_frame_image"
    assert "gif" in info.value.rule
    assert "WebP" in info.value.rule


def test_garbage_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="unrecognised"):
        inspect_image(b"hello world, not an image", field="f")


@pytest.mark.parametrize(("w", "h"), [(300, 600), (600, 300), (120, 80)])
def test_short_side_must_exceed_300(w: int, h: int) -> None:
    with pytest.raises(InvalidInputError, match="short side"):
        inspect_image(png(w, h), field="f")


def test_short_side_301_passes() -> None:
    assert inspect_image(png(301, 400), field="f").width == 301


@pytest.mark.parametrize(("w", "h"), [(1000, 400), (400, 1000), (1260, 301)])
def test_aspect_ratio_must_be_strictly_inside_2_5_to_5_2(w: int, h: int) -> None:
    with pytest.raises(InvalidInputError, match="aspect"):
        inspect_image(png(w, h), field="f")


def test_aspect_just_inside_passes() -> None:
    assert inspect_image(png(998, 400), field="f").height == 400


def test_twenty_megabytes_is_too_big() -> None:
    blob = png(400, 400) + b"\x00" * (20 * 1024 * 1024)
    with pytest.raises(InvalidInputError, match="under 20 MB"):
        inspect_image(blob, field="f")


def test_error_value_never_carries_the_blob() -> None:
    with pytest.raises(InvalidInputError) as info:
        inspect_image(b"x" * 5000, field="f")
    assert len(str(info.value)) < 300


def test_data_url_must_declare_the_real_type() -> None:
    with pytest.raises(InvalidInputError, match="says image/jpeg but the bytes are png"):
        check_data_url(data_url(png(400, 400), "image/jpeg"), field="f")


@pytest.mark.parametrize(
    "url",
    [
        "data:image/png,notbase64",
        "data:text/plain;base64,aGVsbG8=",
        "data:image/png;base64,@@@",
        "image/png;base64,AAAA",
    ],
)
def test_malformed_data_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_data_url(url, field="first_frame_image")
    assert info.value.field == "first_frame_image"


async def test_path_becomes_a_data_url_with_the_right_mime(tmp_path: Path) -> None:
    wire = await image_to_wire(WEBP_480x640, field="first_frame_image")
    assert wire.startswith("data:image/webp;base64,")
    assert base64.b64decode(wire.split(",", 1)[1]) == WEBP_480x640.read_bytes()


async def test_bytes_and_files_are_accepted() -> None:
    raw = JPEG_640x360.read_bytes()
    assert (await image_to_wire(raw, field="f")).startswith("data:image/jpeg;base64,")
    wire = await image_to_wire(io.BytesIO(png(640, 480)), field="f")
    assert wire.startswith("data:image/png;base64,")


async def test_urls_pass_through_untouched() -> None:
    url = "https://example.test/a.jpg?sig=1"
    assert await image_to_wire(url, field="f") == url


async def test_a_str_path_is_read(tmp_path: Path) -> None:
    target = tmp_path / "frame.png"
    target.write_bytes(png(640, 360))
    assert (await image_to_wire(str(target), field="f")).startswith("data:image/png")


async def test_missing_file_names_field_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    with pytest.raises(InvalidInputError) as info:
        await image_to_wire(missing, field="last_frame_image")
    assert info.value.field == "last_frame_image"
    assert info.value.value == str(missing)
    assert "no such file" in info.value.rule


async def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="directory"):
        await image_to_wire(tmp_path, field="f")


async def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "frame.txt"
    target.write_text("hello")
    with target.open() as handle, pytest.raises(InvalidInputError, match="binary"):
        await image_to_wire(handle, field="f")  # type: ignore[arg-type]


async def test_other_types_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="must be a URL"):
        await image_to_wire(42, field="f")  # type: ignore[arg-type]
