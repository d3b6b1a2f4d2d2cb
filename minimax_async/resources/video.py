"""``client.video``: create V1 video tasks (all four modes) and query them.

The mode follows from the image fields given, as on the wire:

- text-to-video: ``prompt`` only;
- image-to-video: ``first_frame_image``;
- first+last frame: ``first_frame_image`` and ``last_frame_image``;
- subject reference: ``subject_reference`` (one face image).

Every rule that can be checked locally is checked before the paid request: model x
mode, prompt length, duration x resolution, each image's format, size, short side and
aspect ratio. Camera commands in the prompt are checked too, but only ever warn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from minimax_async._camera import check_camera_commands
from minimax_async._exceptions import InvalidInputError
from minimax_async._images import ImageInput, image_to_wire
from minimax_async._ref import TaskRef
from minimax_async._rules import check_video_params
from minimax_async._tasks import V2VideoTask, VideoTask
from minimax_async._v2_content import MediaInput
from minimax_async._v2_rules import is_v2_model
from minimax_async.models import (
    SubjectReference,
    VideoGenerationRequest,
    VideoQueryResponse,
)
from minimax_async.resources._base import Core, TaskResource, check_flag, check_id
from minimax_async.resources.files import Files
from minimax_async.resources.video_v2 import V2Pager, VideosV2

if TYPE_CHECKING:
    from minimax_async._engine import TaskEngine

__all__ = ("SubjectInput", "Videos")

#: One face image, a :class:`SubjectReference`, or the wire's list of ``{type, image}``.
SubjectInput = ImageInput | SubjectReference | Sequence[SubjectReference | Mapping[str, Any]]


class Videos(TaskResource):
    """``POST /v1/video_generation`` and ``GET /v1/query/video_generation``."""

    def __init__(self, core: Core, engine: TaskEngine) -> None:
        super().__init__(core, engine)
        #: The V2 API (MiniMax-H3, H3-Max): its query, list, cancel and delete.
        self.v2 = VideosV2(core, engine, Files(core))

    async def regenerate(
        self,
        source: V2VideoTask | str | int | None = None,
        *,
        base_video: MediaInput | None = None,
        prompt: str | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        callback_url: str | None = None,
        aigc_watermark: bool | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> V2VideoTask:
        """A 768P MiniMax-H3 video re-rendered at 2K: see :meth:`VideosV2.regenerate`."""
        return await self.v2.regenerate(
            source,
            base_video=base_video,
            prompt=prompt,
            reference_images=reference_images,
            reference_videos=reference_videos,
            reference_audios=reference_audios,
            callback_url=callback_url,
            aigc_watermark=aigc_watermark,
            timeout=timeout,
            extra_body=extra_body,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        status: str | None = None,
        task_ids: Sequence[str | int] | None = None,
        model: str | None = None,
        task_type: str | None = None,
        page_size: int = 20,
    ) -> V2Pager:
        """V2 tasks of the last 7 days (V1 has no list): see :meth:`VideosV2.list`."""
        return self.v2.list(
            status=status, task_ids=task_ids, model=model, task_type=task_type, page_size=page_size
        )

    @overload
    async def create(  # type: ignore[overload-overlap]  # the Literal models come first
        self,
        *,
        model: Literal["MiniMax-H3", "MiniMax-H3-Max"],
        prompt: str | None = None,
        first_frame_image: MediaInput | None = None,
        last_frame_image: MediaInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        duration: int | None = None,
        resolution: str | None = None,
        ratio: str | None = None,
        prompt_expansion_mode: str | None = None,
        callback_url: str | None = None,
        aigc_watermark: bool | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> V2VideoTask: ...

    @overload
    async def create(
        self,
        *,
        model: str | None = None,
        prompt: str | None = None,
        first_frame_image: ImageInput | None = None,
        last_frame_image: ImageInput | None = None,
        subject_reference: SubjectInput | None = None,
        duration: int | None = None,
        resolution: str | None = None,
        prompt_optimizer: bool | None = None,
        fast_pretreatment: bool | None = None,
        callback_url: str | None = None,
        aigc_watermark: bool | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> VideoTask: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: str | None = None,
        first_frame_image: MediaInput | None = None,
        last_frame_image: MediaInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        duration: int | None = None,
        resolution: str | None = None,
        ratio: str | None = None,
        prompt_expansion_mode: str | None = None,
        callback_url: str | None = None,
        aigc_watermark: bool | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> VideoTask | V2VideoTask: ...

    async def create(
        self,
        *,
        model: str | None = None,
        prompt: str | None = None,
        first_frame_image: Any = None,
        last_frame_image: Any = None,
        subject_reference: SubjectInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        duration: int | None = None,
        resolution: str | None = None,
        ratio: str | None = None,
        prompt_expansion_mode: str | None = None,
        prompt_optimizer: bool | None = None,
        fast_pretreatment: bool | None = None,
        callback_url: str | None = None,
        aigc_watermark: bool | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> VideoTask | V2VideoTask:
        """Check everything locally, then send one create; returns the task handle.

        The model picks the API: ``MiniMax-H3`` and ``MiniMax-H3-Max`` are V2 (a
        :class:`V2VideoTask`; see :meth:`VideosV2.create`), every other model V1. A
        field of the other API is refused locally, naming it (V2 has no
        ``subject_reference``, ``prompt_optimizer`` or ``fast_pretreatment``; V1 no
        ``reference_*``, ``ratio`` or ``prompt_expansion_mode``).

        ``model=None`` picks the mode's V1 default: MiniMax-Hailuo-2.3 for text- and
        image-to-video, MiniMax-Hailuo-02 for first+last frame, S2V-01 for a subject.
        Images may be a URL (passed through), a data URL, a path, bytes or a binary
        file; local ones are checked and sent as data URLs. Options left as None are
        not sent (MiniMax's defaults apply). ``extra_body`` adds (or overrides) body
        fields MiniMax documents before this SDK does, sent unchecked and journaled;
        ``extra_headers`` adds request headers. Waits for the client's RPM limiter and
        in-flight cap first.
        """
        if is_v2_model(model):
            assert model is not None
            _refuse_other_api(
                model,
                subject_reference=subject_reference,
                prompt_optimizer=prompt_optimizer,
                fast_pretreatment=fast_pretreatment,
            )
            return await self.v2.create(
                model=model,
                prompt=prompt,
                first_frame_image=first_frame_image,
                last_frame_image=last_frame_image,
                reference_images=reference_images,
                reference_videos=reference_videos,
                reference_audios=reference_audios,
                resolution=resolution,
                duration=duration,
                ratio=ratio,
                prompt_expansion_mode=prompt_expansion_mode,
                aigc_watermark=aigc_watermark,
                callback_url=callback_url,
                timeout=timeout,
                extra_body=extra_body,
                extra_headers=extra_headers,
            )
        _refuse_other_api(
            model or "a V1 model",
            reference_images=reference_images,
            reference_videos=reference_videos,
            reference_audios=reference_audios,
            ratio=ratio,
            prompt_expansion_mode=prompt_expansion_mode,
        )
        body = await self._body(
            model=model,
            prompt=prompt,
            first_frame_image=first_frame_image,
            last_frame_image=last_frame_image,
            subject_reference=subject_reference,
            duration=duration,
            resolution=resolution,
            prompt_optimizer=prompt_optimizer,
            fast_pretreatment=fast_pretreatment,
            callback_url=await self._core.callback_url(callback_url, "video"),
            aigc_watermark=aigc_watermark,
        )
        ref = await self._core.submit(
            "video",
            "/v1/video_generation",
            body,
            timeout=timeout,
            extra_body=extra_body,
            hold=self._engine.hold,
            extra_headers=extra_headers,
        )
        return VideoTask(ref, self._engine)

    async def _body(
        self,
        *,
        model: str | None,
        prompt: str | None,
        first_frame_image: ImageInput | None,
        last_frame_image: ImageInput | None,
        subject_reference: SubjectInput | None,
        duration: int | None,
        resolution: str | None,
        prompt_optimizer: bool | None,
        fast_pretreatment: bool | None,
        callback_url: str | None,
        aigc_watermark: bool | None,
    ) -> dict[str, Any]:
        """The exact wire body: checked here, then sent as the request model's wire form."""
        _check_types(model, prompt, duration, resolution)
        resolution = resolution.strip().upper() if resolution is not None else None
        subjects = _subjects(subject_reference) if subject_reference is not None else None
        params = check_video_params(
            model=model,
            prompt=prompt,
            duration=duration,
            resolution=resolution,
            first_frame=first_frame_image is not None,
            last_frame=last_frame_image is not None,
            subject_reference=subjects,
        )
        model = params.model
        if prompt:
            check_camera_commands(prompt, model=model, stacklevel=4)
        wire_subjects = None
        if subjects is not None:
            image = await image_to_wire(
                subjects[0]["image"][0], field="subject_reference[0].image[0]"
            )
            wire_subjects = [SubjectReference(image=[image])]
        return VideoGenerationRequest(
            model=model,
            prompt=prompt,
            prompt_optimizer=check_flag("prompt_optimizer", prompt_optimizer),
            fast_pretreatment=check_flag("fast_pretreatment", fast_pretreatment),
            duration=duration,
            # Only sent when given: MiniMax picks the same default we checked against.
            resolution=params.resolution if resolution is not None else None,
            first_frame_image=await _image(first_frame_image, "first_frame_image"),
            last_frame_image=await _image(last_frame_image, "last_frame_image"),
            subject_reference=wire_subjects,
            callback_url=callback_url,
            aigc_watermark=check_flag("aigc_watermark", aigc_watermark),
        ).to_wire()

    async def query(
        self,
        task_id: str | int,
        *,
        timeout: float | None = None,
    ) -> VideoQueryResponse:
        """The task's current state. A failed task answers normally, with status Fail."""
        return await self._core.query(
            "/v1/query/video_generation", task_id, VideoQueryResponse, timeout=timeout
        )

    def task(self, task_id: str | int) -> VideoTask:
        """A handle for an existing task id (e.g. created by another process)."""
        return VideoTask(TaskRef("video", check_id(task_id, field="task_id")), self._engine)


def _refuse_other_api(model: str, **fields: Any) -> None:
    """A field the model's API does not have is refused, naming it and the other API."""
    for name, value in fields.items():
        if value is not None:
            other = "V1 (Hailuo, S2V)" if is_v2_model(model) else "V2 (MiniMax-H3)"
            raise InvalidInputError(
                name, value, f"{model} does not take it: it belongs to the {other} API"
            )


def _check_types(model: Any, prompt: Any, duration: Any, resolution: Any) -> None:
    if model is not None and not isinstance(model, str):
        raise InvalidInputError("model", model, "must be a model name string or None")
    if prompt is not None and not isinstance(prompt, str):
        raise InvalidInputError("prompt", prompt, "must be a string")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)):
        raise InvalidInputError("duration", duration, "must be an integer number of seconds")
    if resolution is not None and not isinstance(resolution, str):
        raise InvalidInputError("resolution", resolution, "must be a string such as '768P'")


def _subjects(value: SubjectInput) -> list[dict[str, Any]]:
    """Normalise every accepted subject_reference form to the wire's list of dicts."""
    if isinstance(value, SubjectReference):
        return [value.model_dump()]
    if isinstance(value, (list, tuple)):
        items: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            if isinstance(item, SubjectReference):
                items.append(item.model_dump())
            elif isinstance(item, Mapping):
                items.append(dict(item))
            else:
                raise InvalidInputError(
                    f"subject_reference[{index}]", item, "must be {'type', 'image'} or a model"
                )
        return items
    # A single image: the common case, wrapped in the wire's shape.
    return [{"type": "character", "image": [value]}]


async def _image(value: ImageInput | None, field: str) -> str | None:
    return None if value is None else await image_to_wire(value, field=field)
