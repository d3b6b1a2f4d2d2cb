"""Facts about the MiniMax V1 video API, in one place.

Every table here is transcribed from the project's API reference (models x modes,
duration x resolution, image limits, template catalogue). The client checks requests
against these tables before spending money, and the emulator enforces the same tables,
so the two can never disagree about what the API accepts.

Where the sources disagree, the reading chosen is noted beside the entry.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = (
    "CAMERA_MODELS",
    "CN_BASE_URL",
    "FAST_PRETREATMENT_MODELS",
    "GLOBAL_BASE_URL",
    "IMAGE_FORMATS",
    "MAX_IMAGE_BYTES",
    "MAX_PROMPT_CHARS",
    "MIN_IMAGE_SHORT_SIDE",
    "MODEL_MODES",
    "RESOLUTION_PIXELS",
    "TEMPLATES",
    "Mode",
    "ModeRules",
    "Region",
    "Template",
    "mode_rules",
    "template_by_id",
)

GLOBAL_BASE_URL = "https://api.minimax.io"
CN_BASE_URL = "https://api.minimaxi.com"

MAX_PROMPT_CHARS = 2000
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # "< 20 MB": the limit itself is already too big
MIN_IMAGE_SHORT_SIDE = 300  # "short side > 300 px": 300 itself is refused
# Aspect ratio w:h strictly between 2:5 and 5:2.
MIN_ASPECT = 2 / 5
MAX_ASPECT = 5 / 2
IMAGE_FORMATS = ("jpeg", "png", "webp")


class Mode(str, enum.Enum):
    """How a V1 create request is interpreted, decided by which image fields it carries."""

    TEXT_TO_VIDEO = "t2v"
    IMAGE_TO_VIDEO = "i2v"
    FIRST_LAST_FRAME = "fl2v"
    SUBJECT_REFERENCE = "s2v"


Region = str  # "global" | "cn"


@dataclass(frozen=True)
class ModeRules:
    """What one model accepts in one mode: resolution -> allowed durations, and defaults."""

    durations: Mapping[str, frozenset[int]]
    default_resolution: str
    default_duration: int = 6

    @property
    def resolutions(self) -> tuple[str, ...]:
        return tuple(self.durations)


_HAILUO_768 = ModeRules({"768P": frozenset({6, 10}), "1080P": frozenset({6})}, "768P")
# 01-series: the resolution table says 720P only and no 10 s; the duration table's
# "6 at 1080P" contradicts it. We follow the resolution table (reference §13.8).
_SERIES_01 = ModeRules({"720P": frozenset({6})}, "720P")

MODEL_MODES: Mapping[str, Mapping[Mode, ModeRules]] = {
    "MiniMax-Hailuo-2.3": {
        Mode.TEXT_TO_VIDEO: _HAILUO_768,
        Mode.IMAGE_TO_VIDEO: _HAILUO_768,
    },
    "MiniMax-Hailuo-2.3-Fast": {
        Mode.IMAGE_TO_VIDEO: _HAILUO_768,
    },
    "MiniMax-Hailuo-02": {
        Mode.TEXT_TO_VIDEO: _HAILUO_768,
        Mode.IMAGE_TO_VIDEO: ModeRules(
            {
                "512P": frozenset({6, 10}),
                "768P": frozenset({6, 10}),
                "1080P": frozenset({6}),
            },
            "768P",
        ),
        Mode.FIRST_LAST_FRAME: _HAILUO_768,
    },
    "T2V-01-Director": {Mode.TEXT_TO_VIDEO: _SERIES_01},
    "T2V-01": {Mode.TEXT_TO_VIDEO: _SERIES_01},
    "I2V-01-Director": {Mode.IMAGE_TO_VIDEO: _SERIES_01},
    "I2V-01-live": {Mode.IMAGE_TO_VIDEO: _SERIES_01},
    "I2V-01": {Mode.IMAGE_TO_VIDEO: _SERIES_01},
    # S2V-01 output size is undocumented (720P per one gateway, 1080P forced by another
    # client); both are accepted, 6 s only (reference §13.9).
    "S2V-01": {
        Mode.SUBJECT_REFERENCE: ModeRules(
            {"720P": frozenset({6}), "1080P": frozenset({6})}, "720P"
        ),
    },
}

CAMERA_MODELS = frozenset(
    {
        "MiniMax-Hailuo-2.3",
        "MiniMax-Hailuo-2.3-Fast",
        "MiniMax-Hailuo-02",
        "T2V-01-Director",
        "I2V-01-Director",
    }
)
# Union of the readings in reference §13.7; other models simply ignore the flag.
FAST_PRETREATMENT_MODELS = frozenset(
    {"MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02"}
)

# Landscape pixel sizes of text-to-video output; image modes follow the first frame.
# 768P and 1080P from the reference; 720P from an observed example; 512P is undocumented
# and taken as the 16:9 size with a 512 px short side.
RESOLUTION_PIXELS: Mapping[str, tuple[int, int]] = {
    "512P": (912, 512),
    "720P": (1280, 720),
    "768P": (1366, 768),
    "1080P": (1920, 1080),
}


def mode_rules(model: str, mode: Mode) -> ModeRules | None:
    """Rules for ``model`` in ``mode``, or None when the model does not offer that mode."""
    return MODEL_MODES.get(model, {}).get(mode)


@dataclass(frozen=True)
class Template:
    """One Video Agent template and the inputs it needs."""

    template_id: str
    name: str
    region: Region
    needs_media: bool
    needs_text: bool
    note: str = ""

    @property
    def required_inputs(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, needed in (
                ("media_inputs", self.needs_media),
                ("text_inputs", self.needs_text),
            )
            if needed
        )


def _t(tid: str, name: str, region: Region, media: bool, text: bool, note: str = "") -> Template:
    return Template(tid, name, region, media, text, note)


# Template ids are 18-digit strings (> 2**53): never let them pass through a float.
TEMPLATES: tuple[Template, ...] = (
    _t("392747428568649728", "Diving", "global", True, False, "subject does a dive"),
    _t("393769180141805569", "Run for Life", "global", True, True, "pet photo + a wild-beast type"),
    _t("397087679467597833", "Transformers", "global", True, False, "car photo to mecha"),
    _t("393881433990066176", "Still rings routine", "global", True, False),
    _t("393498001241890824", "Weightlifting", "global", True, False, "pet photo"),
    _t("393488336655310850", "Climbing", "global", True, False),
    _t("394514820878671878", "Anime Life Sim", "global", False, True, "scene description"),
    _t("393879757702918151", "McDonald's Delivery Pet", "global", True, False),
    _t("397017167949312007", "Pet Pilot", "global", True, False),
    _t("394176968202485769", "Miniature Set Ad", "global", True, False, "product photo"),
    _t("393876118804459526", "Male Model Try-On Ad", "global", True, False, "clothing image"),
    _t("393866076583718914", "Female Model Try-On Ad", "global", True, False, "clothing image"),
    _t("394875727173492739", "Art Fonts", "global", False, True, "word + element"),
    _t("394220989629177861", "Drinkfall", "global", True, False, "beverage"),
    _t("393853165953970178", "E-commerce Display Ad", "global", False, True, "product description"),
    _t(
        "401431836934868999",
        "3D character product presentation",
        "global",
        True,
        True,
        "image + description",
    ),
    _t("392753057216684038", "跳水 Diving", "cn", True, False),
    _t("393881433990066176", "吊环 Still rings", "cn", True, False),
    _t("393769180141805569", "绝地求生 Survival", "cn", True, True, "pet photo + beast type"),
    _t("394246956137422856", "万物皆可 labubu", "cn", True, False),
    _t("393879757702918151", "麦当劳宠物外卖员 McDonald's pet courier", "cn", True, False),
    _t("393766210733957121", "藏族风写真 Tibetan-style portrait", "cn", True, False),
    _t("394125185182695432", "生无可恋 Helpless moments", "cn", False, True),
    # China docs say ...864; MiniMax's skills file says ...856 (reference §13.13). The
    # docs win: ...864 is the exact float64 value, so ...856 looks like the typo.
    _t("393857704283172864", "情书写真 Winter-snow portrait", "cn", True, False),
    _t("393866076583718914", "女模特试穿广告 Female try-on ad", "cn", True, False),
    _t("398574688191234048", "四季写真 Four-seasons portrait", "cn", True, False),
    _t("393876118804459526", "男模特试穿广告 Male try-on ad", "cn", True, False),
)


def template_by_id(template_id: str, region: Region) -> Template | None:
    """The template with ``template_id`` in ``region``'s catalogue, if listed there."""
    for template in TEMPLATES:
        if template.template_id == template_id and template.region == region:
            return template
    return None
