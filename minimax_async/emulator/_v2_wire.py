"""V2 answers: the error envelope, VideoTask bodies and pushes (reference §4, §9, §10)."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._http import current_record
from minimax_async.emulator._status import V2Status
from minimax_async.emulator._v2_state import V2Task
from minimax_async.emulator._wire import envelope

__all__ = ("FAILURE_MESSAGES", "ApiError", "invalid", "respond", "task_body", "usage")

FAILURE_MESSAGES = {
    1026: "video description contains sensitive content",
    1027: "output video contains sensitive content",
}


class ApiError(Exception):
    """A V2 request refused with HTTP ``status``; ``code`` is the legacy code."""

    def __init__(self, status: int, code: int, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{message} ({code})")

    def body(self, request_id: str) -> dict[str, Any]:
        return envelope(self.status, self.code, self.message, request_id)


def invalid(message: str) -> ApiError:
    return ApiError(400, 2013, f"invalid params, {message}")


def respond(error_or_body: ApiError | dict[str, Any]) -> web.Response:
    """The JSON answer, noted in the request's record (code 0 on success)."""
    record = current_record()
    if isinstance(error_or_body, ApiError):
        record.status_code = error_or_body.code
        # request_id is the request's Trace-Id, so a log line and a body agree.
        return web.json_response(error_or_body.body(record.trace_id), status=error_or_body.status)
    record.status_code = 0
    task_id = error_or_body.get("task_id") or error_or_body.get("task", {}).get("id")
    if task_id:
        record.task_id = str(task_id)
    return web.json_response(error_or_body)


def usage(task: V2Task, config: EmulatorConfig) -> dict[str, Any]:
    """§4.2; ``{}`` (or all zeros, a knob) unless the task succeeded."""
    if task.task_type == "h3_context_ir":
        prompt = _tokens(task.text)
        completion = _tokens(task.prompt or "") if task.status is V2Status.SUCCEEDED else 0
        tokens = {"total_tokens": prompt + completion, "prompt_tokens": prompt}
        if task.status is not V2Status.SUCCEEDED:
            return {} if config.v2_usage_unsuccessful == "empty" else dict.fromkeys(tokens, 0)
        return {**tokens, "completion_tokens": completion}
    videos = sum(m.seconds or 0.0 for m in task.media if m.kind == "video")
    audios = [m.seconds or 0.0 for m in task.media if m.kind == "audio"]
    images = sum(1 for m in task.media if m.kind == "image")
    output = task.duration if task.status is V2Status.SUCCEEDED else 0
    # Reference videos are billed in whole seconds, rounded up (LaoZhang, §11.2).
    inputs = math.ceil(videos - 1e-9) if task.status is V2Status.SUCCEEDED else 0
    body: dict[str, Any] = {
        "total_seconds": inputs + output,
        "input_seconds": inputs,
        "output_seconds": output,
        "input_image_count": images if task.status is V2Status.SUCCEEDED else 0,
    }
    if audios:
        body["input_audio_seconds"] = round(sum(audios)) if output else 0
    # The token conversion for video tasks is unpublished: zeros, as in the composed example.
    body.update(total_tokens=0, prompt_tokens=0, completion_tokens=0)
    if task.status is not V2Status.SUCCEEDED:
        return {} if config.v2_usage_unsuccessful == "empty" else body
    return body


def _tokens(text: str) -> int:
    # An emulator's estimate: about four characters a token.
    return max(1, math.ceil(len(text) / 4)) if text else 0


def task_body(task: V2Task, config: EmulatorConfig) -> dict[str, Any]:
    """The VideoTask object (§4.1), fields in the documented order."""
    body: dict[str, Any] = {"id": task.task_id, "model": task.model, "status": task.status.value}
    if task.status is V2Status.FAILED and task.failure_code is not None:
        code = task.failure_code
        body["error"] = {"code": str(code), "message": FAILURE_MESSAGES[code]}
    body["created_at"] = task.created_at
    body["updated_at"] = task.updated_at
    if task.status is V2Status.SUCCEEDED:
        if task.task_type == "h3_context_ir":
            body["content"] = {"prompt": task.prompt}
        else:
            body["content"] = {"url": task.content_url}
    body["resolution"] = task.resolution
    body["duration"] = task.duration
    body["usage"] = usage(task, config)
    body["ratio"] = task.requested_ratio if config.v2_echo_ratio else task.ratio
    body["task_type"] = task.task_type
    body["modality"] = "text" if task.task_type == "h3_context_ir" else "video"
    return body
