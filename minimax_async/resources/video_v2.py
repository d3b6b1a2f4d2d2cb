"""The V2 video API (MiniMax-H3, MiniMax-H3-Max): body, query, list, cancel, delete.

``client.video`` delegates its V2 calls here. The mode follows from the media given,
as on the wire (§3.5): text only (text-to-video), a first and/or last frame (image-to-
video), or any mix of reference images, videos and audio clips (reference-to-video).
Every rule of :mod:`minimax_async._v2_rules` is checked before the paid request.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from minimax_async._exceptions import InvalidInputError
from minimax_async._ref import TaskRef
from minimax_async._tasks import V2PromptTask, V2VideoTask
from minimax_async._transport import is_unaccepted
from minimax_async._v2_content import LocalMedia, MediaInput, build_content
from minimax_async._v2_rules import (
    REGEN_TEXT_MAX_CHARS,
    check_v2_inputs,
    check_v2_params,
    is_v2_model,
)
from minimax_async.models import (
    V2DeleteResponse,
    V2Extra,
    V2ListResponse,
    V2Task,
    VideoGenerationV2Request,
)
from minimax_async.models._v2 import V2_STATUSES
from minimax_async.resources._base import V2_QUERY_PATH, Core, TaskResource, check_flag, check_id

if TYPE_CHECKING:
    from minimax_async._engine import TaskEngine
    from minimax_async.resources.files import Files

__all__ = (
    "CONTEXT_IR_PATH",
    "CREATE_PATH",
    "QUERY_PATH",
    "REGENERATION_PATH",
    "TASK_TYPES",
    "V2Pager",
    "VideosV2",
)

CREATE_PATH = "/v2/video_generation"
REGENERATION_PATH = "/v2/video_regeneration"
CONTEXT_IR_PATH = "/v2/h3_context_ir"
QUERY_PATH = V2_QUERY_PATH
TASK_TYPES = ("generation", "h3_context_ir", "regeneration")


class VideosV2(TaskResource):
    """The V2 endpoints of §2: create, query, list, cancel and delete."""

    def __init__(self, core: Core, engine: TaskEngine, files: Files) -> None:
        super().__init__(core, engine)
        self._files = files

    async def create(
        self,
        *,
        model: str,
        prompt: Any,
        first_frame_image: MediaInput | None = None,
        last_frame_image: MediaInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        resolution: Any = None,
        duration: Any = None,
        ratio: Any = None,
        prompt_expansion_mode: Any = None,
        aigc_watermark: Any = None,
        callback_url: str | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> V2VideoTask:
        """Check everything, upload what must be, then send one create (see :meth:`body`)."""
        body = await self.body(
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
            callback_url=await self._core.callback_url(callback_url, "v2"),
        )
        ref = await self._core.submit(
            "v2",
            CREATE_PATH,
            body,
            timeout=timeout,
            extra_body=extra_body,
            hold=self._engine.hold,
            extra_headers=extra_headers,
        )
        return V2VideoTask(ref, self._engine, self)

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
        """Re-render a 768P MiniMax-H3 video at 2K (``POST /v2/video_regeneration``, §8.2).

        Either ``source`` (a task or its id: MiniMax needs whitelist access for this
        form; the task must be yours, succeeded, and under 7 days old) or
        ``base_video`` (the 768P output itself) with the ``prompt`` actually used and
        the original references. The base video is checked first: sound, 24 fps,
        sides multiples of 32, 768x768-768x1344 in area, 107-362 frames in 17s.
        """
        if (source is None) == (base_video is None):
            raise InvalidInputError(
                "source", source, "give exactly one of source (a task) or base_video"
            )
        body: dict[str, Any] = {"model": "MiniMax-H3", "resolution": "2K"}
        if source is not None:
            if reference_images or reference_videos or reference_audios or prompt is not None:
                raise InvalidInputError(
                    "prompt", prompt, "a regeneration by task takes no content; use base_video"
                )
            tid = source.task_id if isinstance(source, V2VideoTask) else source
            body["source_task_id"] = check_id(tid, field="source")
        else:
            if not isinstance(prompt, str) or not prompt.strip():
                raise InvalidInputError(
                    "prompt", prompt, "required: the prompt the video was made with"
                )
            if len(prompt) > REGEN_TEXT_MAX_CHARS:
                raise InvalidInputError(
                    "prompt", prompt, f"is {len(prompt)} characters; at most {REGEN_TEXT_MAX_CHARS}"
                )
            body["content"] = [
                item.model_dump(mode="json", exclude_none=True)
                for item in await build_content(
                    prompt,
                    first_frame=None,
                    last_frame=None,
                    reference_images=_media_list("reference_images", reference_images),
                    reference_videos=_media_list("reference_videos", reference_videos),
                    reference_audios=_media_list("reference_audios", reference_audios),
                    base_size=len(prompt) * 6 + 1024,
                    upload=self._upload,
                    base_video=base_video,
                )
            ]
        url = await self._core.callback_url(callback_url, "v2")
        if url is not None:
            body["callback_url"] = url
        if check_flag("aigc_watermark", aigc_watermark) is not None:
            body["aigc_watermark"] = aigc_watermark
        ref = await self._core.submit(
            "v2",
            REGENERATION_PATH,
            body,
            timeout=timeout,
            extra_body=extra_body,
            hold=self._engine.hold,
            extra_headers=extra_headers,
        )
        return V2VideoTask(ref, self._engine, self)

    async def candidates(
        self, body: Mapping[str, Any], *, since: float, until: float | None = None
    ) -> list[V2Task]:
        """Tasks that may be what an ambiguous V2 create made: for ``reconcile()``.

        V2 has no idempotency key, and a task does not echo its prompt, so a create that
        timed out is looked for by what it does report: the list's tasks of the same
        model and task type, created between ``since`` and ``until`` (Unix seconds; an
        ``AmbiguousCreateError``'s send time, or a journal entry's ``created_at``, give
        them; 60 s of clock skew are allowed each side), with the body's resolution
        and duration, and its ratio where the task reports a concrete one. Exactly one
        candidate settles it: ``client.reconcile(entry.key, task_id=found[0].id)``;
        none after a few minutes means it was never created.
        """
        model = body.get("model")
        if not isinstance(model, str) or not is_v2_model(model):
            raise InvalidInputError("body.model", model, "must be a V2 model's create body")
        low, high = since - 60, (until if until is not None else time.time()) + 60
        task_type = "regeneration" if "source_task_id" in body else "generation"
        found = []
        async for task in self.list(model=model, task_type=task_type, page_size=50):
            created = task.created_at or 0
            if created < low:
                break  # newest first: the rest are older still
            if created > high:
                continue
            same = task.resolution in (None, body.get("resolution")) and task.duration in (
                None,
                body.get("duration"),
            )
            ratio = body.get("ratio")
            if task.ratio not in (None, "", "adaptive") and ratio not in (None, "adaptive"):
                same = same and task.ratio == ratio
            if same:
                found.append(task)
        return found

    async def context_ir(
        self,
        *,
        prompt: Any,
        first_frame_image: MediaInput | None = None,
        last_frame_image: MediaInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        duration: Any = None,
        ratio: Any = None,
        callback_url: str | None = None,
        timeout: float | None = None,
    ) -> V2PromptTask:
        """MiniMax-H3's prompt enhancement (``POST /v2/h3_context_ir``, §8.1): no video.

        The same content rules as a create (the same checks run), without resolution
        or ``extra``; the result is the enhanced prompt, to send to a create or a
        regeneration. Billed by tokens.
        """
        body = await self.body(
            model="MiniMax-H3",
            prompt=prompt,
            first_frame_image=first_frame_image,
            last_frame_image=last_frame_image,
            reference_images=reference_images,
            reference_videos=reference_videos,
            reference_audios=reference_audios,
            duration=duration,
            ratio=ratio,
            callback_url=await self._core.callback_url(callback_url, "v2"),
        )
        del body["resolution"]  # §8.1: the IR body has none
        ref = await self._core.submit(
            "v2", CONTEXT_IR_PATH, body, timeout=timeout, hold=self._engine.hold
        )
        return V2PromptTask(ref, self._engine)

    def task(self, task_id: str | int) -> V2VideoTask:
        """A handle for an existing V2 task id (e.g. created by another process)."""
        return V2VideoTask(TaskRef("v2", check_id(task_id, field="task_id")), self._engine, self)

    def prompt_task(self, task_id: str | int) -> V2PromptTask:
        """A handle for an existing H3-Context-IR task id."""
        return V2PromptTask(TaskRef("v2", check_id(task_id, field="task_id")), self._engine)

    async def body(
        self,
        *,
        model: str,
        prompt: Any,
        first_frame_image: MediaInput | None = None,
        last_frame_image: MediaInput | None = None,
        reference_images: Sequence[MediaInput] | None = None,
        reference_videos: Sequence[MediaInput] | None = None,
        reference_audios: Sequence[MediaInput] | None = None,
        resolution: Any = None,
        duration: Any = None,
        ratio: Any = None,
        prompt_expansion_mode: Any = None,
        aigc_watermark: Any = None,
        callback_url: str | None = None,
    ) -> dict[str, Any]:
        """The exact ``POST /v2/video_generation`` body, every rule checked first.

        Cheap rules run before any file is read, and files are read and checked
        before any is uploaded (large local files go up first, see
        :mod:`minimax_async._v2_content`).
        """
        params = check_v2_params(
            model=model,
            prompt=prompt,
            resolution=resolution,
            duration=duration,
            prompt_expansion_mode=prompt_expansion_mode,
        )
        images = _media_list("reference_images", reference_images)
        videos = _media_list("reference_videos", reference_videos)
        audios = _media_list("reference_audios", reference_audios)
        sent_ratio = check_v2_inputs(
            first_frame=first_frame_image is not None,
            last_frame=last_frame_image is not None,
            references={"image": len(images), "video": len(videos), "audio": len(audios)},
            ratio=ratio,
        )
        request = VideoGenerationV2Request(
            model=params.model,
            content=[],
            resolution=params.resolution,
            duration=params.duration,
            ratio=sent_ratio,
            extra=V2Extra(prompt_expansion_mode=prompt_expansion_mode)
            if prompt_expansion_mode is not None
            else None,
            callback_url=callback_url,
            aigc_watermark=check_flag("aigc_watermark", aigc_watermark),
        )
        request.content = await build_content(
            prompt,
            first_frame=first_frame_image,
            last_frame=last_frame_image,
            reference_images=images,
            reference_videos=videos,
            reference_audios=audios,
            base_size=len(request.model_dump_json(exclude_none=True)) + len(prompt) * 6,
            upload=self._upload,
        )
        return request.to_wire()

    async def _upload(self, local: LocalMedia) -> str:
        return (await self._files.upload_checked(local)).reference

    async def query(self, task_id: str | int, *, timeout: float | None = None) -> V2Task:
        """The task's current state (tasks of the last 7 days; older ones answer 2013)."""
        return (await self._core.query_v2(task_id, timeout=timeout)).task

    def list(
        self,
        *,
        status: str | None = None,
        task_ids: Sequence[str | int] | None = None,
        model: str | None = None,
        task_type: str | None = None,
        page_size: int = 20,
        timeout: float | None = None,
    ) -> V2Pager:
        """The account's tasks of the last 7 days, newest first, page by page.

        ``async for task in client.video.list(status="queued")`` yields tasks;
        ``.pages()`` yields each page (with MiniMax's ``total``). ``task_ids`` are
        sent comma-joined, as MiniMax's own CLI does (§16.15).
        """
        params: list[tuple[str, str]] = []
        if status is not None:
            if status not in V2_STATUSES:
                raise InvalidInputError("status", status, f"must be one of {V2_STATUSES}")
            params.append(("filter.status", status))
        if task_ids is not None:
            if isinstance(task_ids, (str, bytes)):
                raise InvalidInputError("task_ids", task_ids, "must be a list of ids")
            ids = [check_id(tid, field="task_ids") for tid in task_ids]
            if ids:
                params.append(("filter.task_ids", ",".join(ids)))
        given: Any = model  # callers may pass anything; check it
        if given is not None:
            if not isinstance(given, str) or not given:
                raise InvalidInputError("model", model, "must be a model name")
            params.append(("filter.model", given))
        if task_type is not None:
            if task_type not in TASK_TYPES:
                raise InvalidInputError("task_type", task_type, f"must be one of {TASK_TYPES}")
            params.append(("filter.task_type", task_type))
        size: Any = page_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInputError("page_size", page_size, "must be a positive integer")
        return V2Pager(self._core, params, page_size, timeout)

    async def cancel(self, task_id: str | int, *, timeout: float | None = None) -> V2DeleteResponse:
        """Cancel a queued task (not billed). A task in any other state is refused.

        The same DELETE deletes a finished task's record, so the status is queried
        first and only a ``queued`` task is sent the DELETE: a cancel never deletes a
        result. (A task that starts in between is refused by MiniMax, 2013.)
        """
        tid = check_id(task_id, field="task_id")
        task = await self.query(tid, timeout=timeout)
        if task.status != "queued":
            raise InvalidInputError(
                "task_id", tid, f"is {task.status}; only a queued task can be cancelled"
            )
        return await self._delete(tid, timeout=timeout)

    async def delete(self, task_id: str | int, *, timeout: float | None = None) -> V2DeleteResponse:
        """Delete a finished task's record (or cancel a queued one), as MiniMax's DELETE does.

        Running and cancelled tasks are refused by MiniMax (InvalidRequestError).
        """
        return await self._delete(check_id(task_id, field="task_id"), timeout=timeout)

    async def _delete(self, tid: str, *, timeout: float | None) -> V2DeleteResponse:
        # Resent only when it provably did not arrive: a second DELETE after a lost
        # answer would be refused ("cancelled"), hiding that the first one worked.
        # (aiohttp still resends an idempotent method once if a pooled connection
        # drops; at worst that repeat is refused with 2013.)
        return await self._core.transport.request(
            "DELETE",
            f"/v2/video_generation/{tid}",
            model=V2DeleteResponse,
            timeout=timeout,
            resend=is_unaccepted,
        )


class V2Pager:
    """``client.video.list(...)``: iterate tasks, or ``pages()`` for whole pages."""

    def __init__(
        self, core: Core, params: list[tuple[str, str]], page_size: int, timeout: float | None
    ) -> None:
        self._core = core
        self._params = params
        self._page_size = page_size
        self._timeout = timeout

    async def pages(self) -> AsyncIterator[V2ListResponse]:
        """Each page in turn, from ``page_num=1`` until the window's ``total`` is seen."""
        seen = 0
        page_num = 1
        while True:
            params = [
                *self._params,
                ("page_num", str(page_num)),
                ("page_size", str(self._page_size)),
            ]
            page = await self._core.transport.get(
                QUERY_PATH, params=params, model=V2ListResponse, timeout=self._timeout
            )
            yield page
            seen += len(page.items)
            # A short page ends it too: total may count tasks that aged out meanwhile.
            if not page.items or seen >= page.total or len(page.items) < self._page_size:
                return
            page_num += 1

    async def __aiter__(self) -> AsyncIterator[V2Task]:
        async for page in self.pages():
            for task in page.items:
                yield task


def _media_list(field: str, values: Sequence[MediaInput] | None) -> list[MediaInput]:
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(field, values, "must be a list (one item is [item])")
    return list(values)
