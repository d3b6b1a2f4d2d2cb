from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from minimax_async._status import TaskStatus
from minimax_async.models._base import BaseResp, Id, WireModel

__all__ = (
    "AgentQueryResponse",
    "CreateTaskResponse",
    "FileObject",
    "FileRetrieveResponse",
    "MediaInput",
    "SubjectReference",
    "TaskSnapshot",
    "TextInput",
    "VideoGenerationRequest",
    "VideoQueryResponse",
    "VideoTemplateRequest",
)


class SubjectReference(WireModel):
    """One subject for subject-reference (S2V) mode: a person's face, one image."""

    type: Literal["character"] = "character"
    image: list[str]


class VideoGenerationRequest(WireModel):
    """Body of ``POST /v1/video_generation`` (all four V1 modes)."""

    model: str
    prompt: str | None = None
    prompt_optimizer: bool | None = None
    fast_pretreatment: bool | None = None
    duration: int | None = None
    resolution: str | None = None
    first_frame_image: str | None = None
    last_frame_image: str | None = None
    subject_reference: list[SubjectReference] | None = None
    callback_url: str | None = None
    aigc_watermark: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        """The exact JSON body: unset options are left out, never sent as null."""
        return self.model_dump(mode="json", exclude_none=True)


class TextInput(WireModel):
    value: str


class MediaInput(WireModel):
    value: str


class VideoTemplateRequest(WireModel):
    """Body of ``POST /v1/video_template_generation`` (Video Agent)."""

    template_id: Id
    text_inputs: list[TextInput] | None = None
    media_inputs: list[MediaInput] | None = None
    callback_url: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CreateTaskResponse(WireModel):
    """Answer to either create call; ``trace_id`` comes from the Trace-Id header."""

    task_id: Id | None = None
    base_resp: BaseResp = Field(default_factory=BaseResp)
    trace_id: str | None = Field(default=None, exclude=True)


class TaskSnapshot(WireModel):
    """A task's state as a query answer or a callback push reports it.

    ``status`` is normalised from every spelling in use; ``raw_status`` keeps the text
    as received. Video tasks finish with ``file_id`` (and width/height from the query);
    Video Agent tasks finish with ``video_url``.
    """

    task_id: Id
    status: TaskStatus = TaskStatus.UNKNOWN
    raw_status: str | None = Field(default=None, exclude=True)
    file_id: Id | None = None
    video_url: str | None = None
    video_width: int | None = None
    video_height: int | None = None
    base_resp: BaseResp | None = None

    @model_validator(mode="before")
    @classmethod
    def _keep_raw_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "raw_status" not in data and "status" in data:
            raw = data["status"]
            data = {**data, "raw_status": raw if isinstance(raw, str) else None}
        return data

    @field_validator("status", mode="before")
    @classmethod
    def _normalise_status(cls, value: Any) -> TaskStatus:
        return TaskStatus.parse(value)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


class VideoQueryResponse(TaskSnapshot):
    """Answer of ``GET /v1/query/video_generation``."""


class AgentQueryResponse(TaskSnapshot):
    """Answer of ``GET /v1/query/video_template_generation``."""


class FileObject(WireModel):
    """The ``file`` of ``GET /v1/files/retrieve``; ``download_url`` expires (1 h by default)."""

    file_id: Id
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""
    download_url: str | None = None
    backup_download_url: str | None = None


class FileRetrieveResponse(WireModel):
    file: FileObject | None = None
    base_resp: BaseResp = Field(default_factory=BaseResp)
