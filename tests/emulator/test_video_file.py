"""The MP4s the emulator serves are real, playable H.264 files."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from minimax_async.emulator._media import VIDEOS_DIR, v2_asset, video_asset
from minimax_async.emulator._probe import probe_video
from minimax_async.emulator._v1_tables import RESOLUTION_PIXELS
from minimax_async.emulator._v2_tables import OUTPUT_PIXELS

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


V2_ASSETS = sorted((VIDEOS_DIR / "v2").glob("*.mp4"))


@pytest.mark.parametrize("path", ASSETS + V2_ASSETS, ids=[p.name for p in ASSETS + V2_ASSETS])
def test_every_asset_says_it_is_emulator_output(path: Path) -> None:
    # make_videos.sh burns "MiniMax emulator" into the picture and tags the file; the
    # tag is what a byte-level check can see without decoding.
    assert b"minimax-async emulator test pattern" in path.read_bytes()


def test_v1_assets_have_the_right_size_and_duration_by_their_headers() -> None:
    for path in ASSETS:
        info = probe_video(path.read_bytes())
        resolution, seconds = path.stem.split("_")
        assert (info.width, info.height) == RESOLUTION_PIXELS[resolution], path.name
        assert info.duration == pytest.approx(int(seconds.rstrip("s")), abs=0.05), path.name
        assert info.fps == pytest.approx(24.0)
        assert info.video_codec == "avc1"


def test_there_is_a_v2_asset_for_every_resolution_and_ratio() -> None:
    names = {p.name for p in V2_ASSETS}
    for resolution, ratios in OUTPUT_PIXELS.items():
        for ratio in ratios:
            assert v2_asset(resolution, ratio).name in names


@pytest.mark.parametrize("path", V2_ASSETS, ids=[p.name for p in V2_ASSETS])
def test_v2_assets_have_audio_and_the_output_grid(path: Path) -> None:
    info = probe_video(path.read_bytes())
    resolution, ratio = path.stem.split("_")
    assert (info.width, info.height) == OUTPUT_PIXELS[resolution][ratio.replace("x", ":")]
    assert info.frames == 124  # 17k+5 frames, the smallest >= 24 * 5 s
    assert info.fps == pytest.approx(24.0)
    assert (info.video_codec, info.audio_codec) == ("avc1", "mp4a")


def test_shipped_assets_stay_small() -> None:
    total = sum(p.stat().st_size for p in ASSETS + V2_ASSETS)
    assert total < 600_000, f"{total} bytes of sample videos"


def _ffmpeg_or_skip(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not on PATH; the header checks above still ran")
    return found


@pytest.mark.parametrize("path", V2_ASSETS[:1] + V2_ASSETS[-1:], ids=lambda p: p.name)
def test_ffprobe_sees_stereo_32k_aac(path: Path) -> None:
    out = subprocess.run(
        [
            _ffmpeg_or_skip("ffprobe"),
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=codec_name,sample_rate,channels",
            "-of",
            "json",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    stream = json.loads(out)["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("aac", "32000", 2)


RAW_GRAY = ("-f", "rawvideo", "-pix_fmt", "gray", "-")


def test_the_pattern_moves() -> None:
    ffmpeg = _ffmpeg_or_skip("ffmpeg")
    path = VIDEOS_DIR / "512P_6s.mp4"

    def frame_at(seconds: str) -> bytes:
        return subprocess.run(
            [ffmpeg, "-v", "error", "-ss", seconds, "-i", str(path), "-frames:v", "1", *RAW_GRAY],
            check=True,
            capture_output=True,
            timeout=30,
        ).stdout

    first, later = frame_at("0.5"), frame_at("3.5")
    assert len(first) == len(later) == 912 * 512
    assert first != later
