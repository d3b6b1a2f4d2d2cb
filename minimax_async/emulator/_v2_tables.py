"""What the V2 API (MiniMax-H3, H3-Max) accepts, transcribed from minimax-api-v2.md.

The emulator's own copy (the SDK has none yet); section numbers refer to that reference.
Where it lists two readings, the one its emulator blueprint (§17) recommends is taken
and the other is a knob of :class:`~minimax_async.emulator.EmulatorConfig`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = (
    "AUDIO_FORMATS",
    "AUDIO_MAX_BYTES",
    "BASE_VIDEO_AREA",
    "BASE_VIDEO_FRAMES",
    "BODY_MAX_BYTES",
    "CLIP_SECONDS",
    "EXPANSION_MODES",
    "FILE_LIFETIME_SECONDS",
    "FILE_PURPOSES",
    "FRAME_ROLES",
    "IMAGE_ASPECT",
    "IMAGE_FORMATS",
    "IMAGE_MAX_BYTES",
    "IMAGE_SIDE",
    "MAX_AUDIOS",
    "MAX_IMAGES",
    "MAX_REFERENCES",
    "MAX_VIDEOS",
    "MODELS",
    "OUTPUT_PIXELS",
    "RATIOS",
    "REGEN_TEXT_MAX_CHARS",
    "ROLES",
    "TASK_WINDOW_SECONDS",
    "TEXT_MAX_CHARS",
    "TOTAL_MEDIA_SECONDS",
    "VIDEO_FORMATS",
    "VIDEO_FPS",
    "VIDEO_MAX_BYTES",
    "ModelRule",
)


@dataclass(frozen=True)
class ModelRule:
    """§3.2: what one model accepts."""

    resolutions: tuple[str, ...]
    durations: range
    #: Only H3-Max documents ``extra.prompt_expansion_mode`` (§3.1).
    takes_extra: bool
    #: /v2/h3_context_ir and /v2/video_regeneration are MiniMax-H3 only (§2, §8).
    side_endpoints: bool


MODELS: Mapping[str, ModelRule] = {
    "MiniMax-H3": ModelRule(("768P", "2K"), range(4, 16), False, True),
    "MiniMax-H3-Max": ModelRule(("480P", "768P"), range(5, 16), True, False),
}

# §3.1 / §3.6: `adaptive` plus six concrete ratios.
RATIOS = ("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
EXPANSION_MODES = ("disabled", "balanced", "quality")

# §3.3: the roles, by content type.
ROLES: Mapping[str, tuple[str, ...]] = {
    "image_url": ("first_frame", "last_frame", "reference_image"),
    "video_url": ("reference_video",),
    "audio_url": ("reference_audio",),
}
FRAME_ROLES = frozenset({"first_frame", "last_frame"})

TEXT_MAX_CHARS = 7000
REGEN_TEXT_MAX_CHARS = 40000

# §3.4 media limits.
BODY_MAX_BYTES = 64 * 1024 * 1024
IMAGE_MAX_BYTES = 30 * 1024 * 1024
VIDEO_MAX_BYTES = 50 * 1024 * 1024
AUDIO_MAX_BYTES = 15 * 1024 * 1024
IMAGE_FORMATS = ("jpeg", "png", "webp", "heif")
VIDEO_FORMATS = ("mp4", "mov")
AUDIO_FORMATS = ("wav", "mp3")
IMAGE_SIDE = (256, 5760)  # each side, inclusive
IMAGE_ASPECT = (0.4, 2.5)  # width / height, inclusive
VIDEO_FPS = (23.976, 60.0)
CLIP_SECONDS = (2.0, 15.0)  # each video or audio reference
TOTAL_MEDIA_SECONDS = 15.0  # videos together, and audios together
MAX_IMAGES = 9  # reference images
MAX_VIDEOS = 3
MAX_AUDIOS = 3
MAX_REFERENCES = 12  # §3.4 "≤ 12 files in total" (guide only)

# §7: uploads for V2 and the older purposes the same route takes.
FILE_PURPOSES = (
    "video_generation_input",
    "voice_clone",
    "prompt_audio",
    "t2a_async_input",
    "video_understanding",
)
FILE_LIFETIME_SECONDS = 7 * 24 * 3600
TASK_WINDOW_SECONDS = 7 * 24 * 3600  # §4: queries see [T - 7 d, T)

# §12: output pixel sizes. Documented: 768P 16:9 = 1344x768, 2K 16:9 = 2560x1440,
# 2K 9:16 = 1440x2560. [inference] The rest: short side 768 / 1440 / 480, sides
# multiples of 32 (16 at 480P); 768P 21:9 shrinks to 1536x640 to stay inside the
# base_video area box (589,824-1,032,192 px). Keep in step with videos/make_videos.sh.
OUTPUT_PIXELS: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "480P": {
        "21:9": (1120, 480),
        "16:9": (848, 480),
        "4:3": (640, 480),
        "1:1": (480, 480),
        "3:4": (480, 640),
        "9:16": (480, 848),
    },
    "768P": {
        "21:9": (1536, 640),
        "16:9": (1344, 768),
        "4:3": (1024, 768),
        "1:1": (768, 768),
        "3:4": (768, 1024),
        "9:16": (768, 1344),
    },
    "2K": {
        "21:9": (3360, 1440),
        "16:9": (2560, 1440),
        "4:3": (1920, 1440),
        "1:1": (1440, 1440),
        "3:4": (1440, 1920),
        "9:16": (1440, 2560),
    },
}

# §8.2 base_video for regeneration.
BASE_VIDEO_AREA = (589_824, 1_032_192)
BASE_VIDEO_FRAMES = range(107, 363, 17)
