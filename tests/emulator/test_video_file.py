"""The MP4s the emulator serves are real, playable H.264 files."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from minimax_async.emulator._media import VIDEOS_DIR, video_asset
from minimax_async.emulator._v1_tables import RESOLUTION_PIXELS

ASSETS = sorted(VIDEOS_DIR.glob("*.mp4"))


def _top_level_boxes(data: bytes) -> list[str]:
    """Walk the ISO-BMFF top-level boxes; every size must add up to the file exactly."""
    boxes: list[str] = []
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        assert size >= 8, f"bad box size {size} at {offset}"
        boxes.append(kind.decode("ascii"))
        offset += size
    assert offset == len(data)
    return boxes


def test_every_duration_and_resolution_has_an_asset() -> None:
    assert {p.name for p in ASSETS} >= {
        "512P_6s.mp4",
        "512P_10s.mp4",
        "720P_6s.mp4",
        "768P_6s.mp4",
        "768P_10s.mp4",
        "1080P_6s.mp4",
    }


def test_missing_combinations_fall_back_to_the_nearest() -> None:
    assert video_asset("1080P", 10).name == "1080P_6s.mp4"
    assert video_asset("720P", 10).name == "720P_6s.mp4"
    assert video_asset("4K", 6).name == "768P_6s.mp4"


@pytest.mark.parametrize("path", ASSETS, ids=[p.name for p in ASSETS])
def test_asset_is_an_iso_bmff_movie(path: Path) -> None:
    boxes = _top_level_boxes(path.read_bytes())
    assert boxes[0] == "ftyp"
    assert {"moov", "mdat"} <= set(boxes)


@pytest.mark.parametrize("path", ASSETS, ids=[p.name for p in ASSETS])
def test_ffprobe_sees_h264_at_the_reported_size(path: Path) -> None:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not on PATH; the box walk above still checked the container")
    out = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height:format=duration",
            "-of",
            "json",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    info = json.loads(out)
    stream = info["streams"][0]
    resolution, seconds = path.stem.split("_")
    assert stream["codec_name"] == "h264"
    assert (stream["width"], stream["height"]) == RESOLUTION_PIXELS[resolution]
    assert round(float(info["format"]["duration"])) == int(seconds.rstrip("s"))
