"""The videos the emulator hands out, and the pixel size it reports for them."""

from __future__ import annotations

from pathlib import Path

from minimax_async.emulator._images import CheckedImage
from minimax_async.emulator._v1_tables import RESOLUTION_PIXELS

__all__ = ("VIDEOS_DIR", "output_size", "v2_asset", "video_asset")

VIDEOS_DIR = Path(__file__).parent / "videos"
_FALLBACK_RESOLUTION = "768P"


def video_asset(resolution: str, duration: int) -> Path:
    """The bundled MP4 for (resolution, duration), or the nearest one there is.

    Nearest means: same resolution at another duration, closest first; failing that the
    768P file of the closest duration.
    """
    exact = VIDEOS_DIR / f"{resolution}_{duration}s.mp4"
    if exact.is_file():
        return exact
    for res in (resolution, _FALLBACK_RESOLUTION):
        candidates = sorted(VIDEOS_DIR.glob(f"{res}_*s.mp4"), key=lambda p: _gap(p, duration))
        if candidates:
            return candidates[0]
    raise FileNotFoundError(f"no emulator video assets in {VIDEOS_DIR}")


def v2_asset(resolution: str, ratio: str) -> Path:
    """The bundled V2 MP4 (with audio) for a resolution and a concrete ratio."""
    return VIDEOS_DIR / "v2" / f"{resolution}_{ratio.replace(':', 'x')}.mp4"


def _gap(path: Path, duration: int) -> int:
    seconds = path.stem.rsplit("_", 1)[-1].rstrip("s")
    return abs(int(seconds) - duration) if seconds.isdigit() else 1 << 30


def output_size(resolution: str, first_frame: CheckedImage | None) -> tuple[int, int]:
    """(width, height) MiniMax would report for this output.

    Text-to-video uses the resolution's fixed size. Image modes follow the first
    frame's aspect ratio: the image is scaled so its short side equals the
    resolution's short side, both sides rounded to even numbers (as encoders need).
    When the frame was a remote URL its size is unknown here, so the fixed size is used.
    """
    width, height = RESOLUTION_PIXELS.get(resolution, RESOLUTION_PIXELS[_FALLBACK_RESOLUTION])
    if first_frame is None:
        return width, height
    short = min(width, height)
    scale = short / min(first_frame.width, first_frame.height)
    return _even(first_frame.width * scale), _even(first_frame.height * scale)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)
