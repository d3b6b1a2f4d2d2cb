"""``client.video_agent``: Video Agent (template) tasks and the template catalogue.

Templates differ between the global and China platforms (even the Diving template has
two ids), so the catalogue shown and checked is the client's region's. A create for a
template the catalogue lists is refused locally when it lacks a required input; an id
the catalogue does not list only warns (MiniMax adds templates over time).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from minimax_async._catalog import TEMPLATES, Template, template_by_id
from minimax_async._exceptions import InvalidInputError
from minimax_async._images import ImageInput, image_to_wire
from minimax_async._ref import TaskRef
from minimax_async._tasks import VideoAgentTask
from minimax_async.models import (
    AgentQueryResponse,
    MediaInput,
    TextInput,
    VideoTemplateRequest,
)
from minimax_async.resources._base import TaskResource, check_id

__all__ = ("TemplateWarning", "VideoAgent")

_FLOAT_EXACT = 2**53


class TemplateWarning(UserWarning):
    """A template id that may be wrong: unknown to the catalogue, or rounded by a float."""


class VideoAgent(TaskResource):
    """``POST /v1/video_template_generation`` and its query endpoint."""

    @property
    def templates(self) -> tuple[Template, ...]:
        """The template catalogue of this client's region, with each one's inputs."""
        return tuple(t for t in TEMPLATES if t.region == self._core.config.region)

    def template(self, template_id: str | int) -> Template | None:
        """The catalogue entry for ``template_id`` in this client's region, if listed."""
        return template_by_id(_template_id(template_id, warn=False), self._core.config.region)

    async def create(
        self,
        *,
        template_id: str | int,
        text_inputs: Sequence[str | TextInput] | None = None,
        media_inputs: Sequence[ImageInput | MediaInput] | None = None,
        callback_url: str | None = None,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> VideoAgentTask:
        """Check the template's required inputs locally, then send one create.

        ``media_inputs`` items may be URLs, data URLs, paths, bytes or binary files;
        local images are checked and sent as data URLs. ``extra_body`` adds (or
        overrides) body fields MiniMax documents before this SDK does, sent unchecked
        and journaled; ``extra_headers`` adds request headers.
        """
        tid = _template_id(template_id, warn=True)
        texts = _texts(text_inputs)
        media = await _media(media_inputs)
        self._check_template(tid, texts, media)
        request = VideoTemplateRequest(
            template_id=tid,
            text_inputs=[TextInput(value=t) for t in texts] if texts else None,
            media_inputs=[MediaInput(value=m) for m in media] if media else None,
            callback_url=await self._core.callback_url(callback_url, "agent"),
        )
        ref = await self._core.submit(
            "agent",
            "/v1/video_template_generation",
            request.to_wire(),
            timeout=timeout,
            extra_body=extra_body,
            hold=self._engine.hold,
            extra_headers=extra_headers,
        )
        return VideoAgentTask(ref, self._engine)

    def _check_template(self, tid: str, texts: list[str], media: list[str]) -> None:
        region = self._core.config.region
        template = template_by_id(tid, region)
        if template is None:
            other = "cn" if region == "global" else "global"
            if template_by_id(tid, other) is not None:
                raise InvalidInputError(
                    "template_id", tid, f"is a {other} template; this client's region is {region}"
                )
            warnings.warn(
                f"template_id {tid} is not in the {region} catalogue; sending it unchecked",
                TemplateWarning,
                stacklevel=4,
            )
            return
        if template.needs_media and not media:
            raise InvalidInputError(
                "media_inputs", None, f"required by template {template.name!r} ({template.note})"
            )
        if template.needs_text and not texts:
            raise InvalidInputError(
                "text_inputs", None, f"required by template {template.name!r} ({template.note})"
            )

    async def query(
        self,
        task_id: str | int,
        *,
        timeout: float | None = None,
    ) -> AgentQueryResponse:
        """The task's current state; on Success it carries ``video_url``."""
        return await self._core.query(
            "/v1/query/video_template_generation", task_id, AgentQueryResponse, timeout=timeout
        )

    def task(self, task_id: str | int) -> VideoAgentTask:
        """A handle for an existing Video Agent task id."""
        ref = TaskRef("agent", check_id(task_id, field="task_id"))
        return VideoAgentTask(ref, self._engine)


def _template_id(value: Any, *, warn: bool) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if warn and abs(value) > _FLOAT_EXACT:
            warnings.warn(
                f"template_id {value} is an int above 2**53: if it passed through a float"
                " (JSON in JavaScript, a spreadsheet) it may have been rounded; pass a string",
                TemplateWarning,
                stacklevel=4,
            )
        value = str(value)
    if not isinstance(value, str) or not value.strip().isdigit():
        raise InvalidInputError("template_id", value, "must be a numeric id string")
    return value.strip()


def _texts(values: Sequence[str | TextInput] | None) -> list[str]:
    if values is None:
        return []
    given: Any = values  # a lone string is a Sequence[str] too: refuse it explicitly
    if isinstance(given, str):
        raise InvalidInputError("text_inputs", values, "must be a list of strings, not a string")
    texts: list[str] = []
    for index, item in enumerate(values):
        text: Any = item.value if isinstance(item, TextInput) else item
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError(f"text_inputs[{index}]", item, "must be a non-empty string")
        texts.append(text)
    return texts


async def _media(values: Sequence[ImageInput | MediaInput] | None) -> list[str]:
    if values is None:
        return []
    given: Any = values
    if isinstance(given, (str, bytes, os.PathLike)) or hasattr(given, "read"):
        raise InvalidInputError(
            "media_inputs", str(values)[:60], "must be a list of images, not a single value"
        )
    out: list[str] = []
    for index, item in enumerate(values):
        value = item.value if isinstance(item, MediaInput) else item
        out.append(await image_to_wire(value, field=f"media_inputs[{index}]"))
    return out
