"""Wire models of MiniMax's V2 video API (MiniMax-H3, MiniMax-H3-Max).

Reference: minimax-api-v2.md. Requests carry a ``content[]`` array of text and media
items with roles (§3); answers are ``{"task_id"}`` for a create, ``{"task": {...}}``
for a query (§4), ``{"items", "total"}`` for a list (§5), ``{"task_id", "action",
"status"}`` for a delete (§6), and the V1-style ``{"file": {...}, "base_resp"}`` for
an upload (§7). Errors are an OpenAI-style envelope with the real HTTP status (§10).

As for V1, every model keeps fields it does not know and every id is a string.
Statuses stay the wire's own words (``queued`` ... ``cancelled``), and ``expired`` or
any other word is accepted too (§16.1): :attr:`V2Task.is_terminal` says which of
them end a task.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from minimax_async._status import TaskStatus
from minimax_async.models._base import BaseResp, Id, WireModel
from minimax_async.models._video import TaskSnapshot

__all__ = (
    "V2_FAILED_STATUSES",
    "V2_STATUSES",
    "V2_TERMINAL_STATUSES",
    "ContentItem",
    "MediaURL",
    "V2DeleteResponse",
    "V2Error",
    "V2ErrorDetail",
    "V2ErrorEnvelope",
    "V2Extra",
    "V2ListResponse",
    "V2QueryResponse",
    "V2Snapshot",
    "V2Task",
    "V2TaskContent",
    "V2UploadResponse",
    "V2UploadedFile",
    "V2Usage",
    "VideoGenerationV2Request",
)

#: The documented lifecycle words (§4.1); ``expired`` is accepted as a failure (§16.1).
V2_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
V2_FAILED_STATUSES = frozenset({"failed", "cancelled", "expired"})
V2_TERMINAL_STATUSES = frozenset({"succeeded"}) | V2_FAILED_STATUSES

ContentType = Literal["text", "image_url", "video_url", "audio_url"]
Role = Literal[
    "first_frame",
    "last_frame",
    "reference_image",
    "reference_video",
    "reference_audio",
    "base_video",  # regeneration only (§8.2)
]


class MediaURL(WireModel):
    """``{"url": ...}``: a public URL, ``mm_file://{file_id}`` or a ``data:`` URL."""

    url: str


class ContentItem(WireModel):
    """One element of ``content[]`` (§3.3): a text, or a media URL with its role."""

    type: ContentType
    text: str | None = None
    image_url: MediaURL | None = None
    video_url: MediaURL | None = None
    audio_url: MediaURL | None = None
    role: Role | None = None

    @classmethod
    def of_text(cls, text: str) -> ContentItem:
        return cls(type="text", text=text)

    @classmethod
    def of_media(
        cls, kind: Literal["image", "video", "audio"], url: str, role: Role
    ) -> ContentItem:
        field = f"{kind}_url"
        return cls.model_validate({"type": field, field: {"url": url}, "role": role})

    @property
    def url(self) -> str | None:
        """The media item's URL, whichever of the three fields holds it."""
        media = self.image_url or self.video_url or self.audio_url
        return media.url if media is not None else None


class V2Extra(WireModel):
    """``extra`` (§3.1): H3-Max options; MiniMax refuses any other key inside it."""

    prompt_expansion_mode: Literal["disabled", "balanced", "quality"] | None = None


class VideoGenerationV2Request(WireModel):
    """Body of ``POST /v2/video_generation`` (T2V, first/last frame, reference)."""

    model: str
    content: list[ContentItem]
    resolution: str
    duration: int
    ratio: str | None = None
    extra: V2Extra | None = None
    callback_url: str | None = None
    aigc_watermark: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        """The exact JSON body: unset options are left out, never sent as null."""
        return self.model_dump(mode="json", exclude_none=True)


def _number_or_none(value: Any) -> Any:
    # Tolerate "5" or null where a number is documented: a count is never worth a
    # ValidationError that would hide the task's status behind it.
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return None
    return value


class V2Usage(WireModel):
    """``usage`` (§4.2): ``{}`` before success; every field optional."""

    total_seconds: float | None = None
    input_seconds: float | None = None
    output_seconds: float | None = None
    input_image_count: int | None = None
    input_audio_seconds: float | None = None
    total_tokens: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _number_or_none(value)


class V2TaskContent(WireModel):
    """``content`` of a succeeded task: the time-limited MP4 ``url`` (or an IR ``prompt``)."""

    url: str | None = None
    prompt: str | None = None


class V2Error(WireModel):
    """A failed task's ``error``: ``code`` is a string on V2 (``"1026"``)."""

    code: Id | None = None
    message: str = ""

    @property
    def legacy_code(self) -> int | None:
        """The code as the V1-era integer (1026), when it is one."""
        return int(self.code) if self.code is not None and self.code.isdigit() else None


class V2Task(WireModel):
    """A V2 task as the query, the list and a push report it (§4.1, §9)."""

    id: Id
    model: str | None = None
    status: str = "unknown"
    error: V2Error | None = None
    created_at: int | None = None
    updated_at: int | None = None
    content: V2TaskContent | None = None
    resolution: str | None = None
    duration: int | None = None
    usage: V2Usage | None = None
    ratio: str | None = None
    task_type: str | None = None
    modality: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _lowercase(cls, value: Any) -> Any:
        # V2 documents lowercase words; a relay that capitalises them stays readable.
        return value.strip().lower() if isinstance(value, str) else "unknown"

    @property
    def task_id(self) -> str:
        return self.id

    @property
    def is_terminal(self) -> bool:
        return self.status in V2_TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def failed(self) -> bool:
        return self.status in V2_FAILED_STATUSES

    @property
    def video_url(self) -> str | None:
        return self.content.url if self.content is not None else None


class V2QueryResponse(WireModel):
    """Answer of ``GET /v2/query/video_generation/{task_id}``: ``{"task": {...}}``.

    A push has the same shape (§9), so the receiver parses pushes with this too.
    """

    task: V2Task


class V2ListResponse(WireModel):
    """Answer of ``GET /v2/query/video_generation``: one page, and the window's total."""

    items: list[V2Task] = Field(default_factory=list)
    total: int = 0


class V2DeleteResponse(WireModel):
    """Answer of ``DELETE /v2/video_generation/{task_id}`` (§6).

    ``action``/``status`` read ``cancelled``/``deleted`` on most pages and
    ``cancel``/``delete`` on one (§16.2): :attr:`cancelled` accepts both.
    """

    task_id: Id
    action: str = ""
    status: str = ""

    @property
    def cancelled(self) -> bool:
        return self.action.lower() in ("cancel", "cancelled")


class V2UploadedFile(WireModel):
    """The ``file`` of an upload answer; ``file_id`` may arrive as a number (§1)."""

    file_id: Id
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""

    @property
    def reference(self) -> str:
        """What any V2 media field takes: ``mm_file://{file_id}``."""
        return f"mm_file://{self.file_id}"


class V2UploadResponse(WireModel):
    """Answer of ``POST /v1/files/upload`` (V1-style ``base_resp``, §7)."""

    file: V2UploadedFile | None = None
    base_resp: BaseResp = Field(default_factory=BaseResp)


class V2ErrorDetail(WireModel):
    """``error`` of the envelope: its ``type``, ``message`` and ``http_code`` (a string)."""

    type: str = ""
    message: str = ""
    http_code: str | None = None

    @field_validator("http_code", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def legacy_code(self) -> int | None:
        """MiniMax's internal code: the number in the message's trailing parentheses."""
        found = _TRAILING_CODE.search(self.message)
        return int(found.group(1)) if found else None


_TRAILING_CODE = re.compile(r"\((\d+)\)\s*$")


class V2ErrorEnvelope(WireModel):
    """``{"type": "error", "error": {...}, "request_id": "..."}`` (§10.1)."""

    type: Literal["error"] = "error"
    error: V2ErrorDetail
    request_id: str | None = None


#: The engine's word for each V2 status: ``cancelled`` and ``expired`` end a task
#: without a video, so they are failures (``raw_status`` keeps which one).
_ENGINE_STATUS = {
    "queued": TaskStatus.QUEUEING,
    "running": TaskStatus.PROCESSING,
    "succeeded": TaskStatus.SUCCESS,
    "failed": TaskStatus.FAIL,
    "cancelled": TaskStatus.FAIL,
    "expired": TaskStatus.FAIL,
}


class V2Snapshot(TaskSnapshot):
    """A V2 task as the task engine, the receiver and the journal see every task.

    ``status`` is the shared vocabulary (``raw_status`` the V2 word), ``video_url``
    the task's ``content.url``, ``base_resp`` its ``error`` (code and message), and
    ``task`` the whole V2 task as MiniMax sent it.
    """

    task: V2Task

    @classmethod
    def of(cls, task: V2Task) -> V2Snapshot:
        base = None
        error = task.error
        if error is not None and error.legacy_code:
            base = BaseResp(status_code=error.legacy_code, status_msg=error.message)
        return cls(
            task_id=task.id,
            status=_ENGINE_STATUS.get(task.status, TaskStatus.UNKNOWN),
            raw_status=task.status,
            video_url=task.video_url,
            base_resp=base,
            task=task,
        )
