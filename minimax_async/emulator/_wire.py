"""The JSON bodies the emulator answers and pushes, shaped as the reference documents."""

from __future__ import annotations

from typing import Any

from minimax_async.emulator._state import FileRecord, TaskRecord
from minimax_async.emulator._status import Status

__all__ = (
    "FAILURE_MESSAGES",
    "base_resp",
    "envelope",
    "error_body",
    "file_body",
    "push_body",
    "push_status",
    "query_body",
)

FAILURE_MESSAGES = {1026: "input new_sensitive", 1027: "output new_sensitive"}


# §10.2 error.type by HTTP status. 404 and 413 have no documented type; they only
# appear through knobs (v2_unknown_task_status, v2_body_cap_status).
_TYPES = {
    400: "bad_request_error",
    401: "authorized_error",
    402: "insufficient_balance_error",
    404: "not_found_error",
    413: "bad_request_error",
    422: "unprocessable_entity_error",
    429: "rate_limit_error",
    500: "server_error",
    529: "overloaded_error",
}


def envelope(status: int, code: int, message: str, request_id: str) -> dict[str, Any]:
    """The V2 error body (§10.1): real HTTP status, legacy code in parentheses."""
    return {
        "type": "error",
        "error": {
            "type": _TYPES[status],
            "message": f"{message} ({code})",
            "http_code": str(status),
        },
        "request_id": request_id,
    }


def base_resp(code: int = 0, message: str = "success") -> dict[str, Any]:
    return {"status_code": code, "status_msg": message}


def error_body(code: int, message: str, **extra: Any) -> dict[str, Any]:
    return {**extra, "base_resp": base_resp(code, message)}


def _task_resp(task: TaskRecord) -> dict[str, Any]:
    # A failed task answers status Fail with base_resp carrying 1026/1027, so a client
    # that only checks base_resp still learns the reason.
    if task.status is Status.FAIL and task.failure_code is not None:
        return base_resp(task.failure_code, FAILURE_MESSAGES[task.failure_code])
    return base_resp()


def query_body(task: TaskRecord) -> dict[str, Any]:
    """Answer of the query route for ``task`` (capitalised status enum)."""
    body: dict[str, Any] = {"task_id": task.task_id, "status": task.status.value}
    if task.status is Status.SUCCESS:
        if task.kind == "video":
            body["file_id"] = task.file_id
            body["video_width"] = task.width
            body["video_height"] = task.height
        else:
            body["video_url"] = task.video_url
    body["base_resp"] = _task_resp(task)
    return body


def push_status(status: Status, case: str) -> str:
    # Current docs push lowercase and say "failed" where the query says "Fail".
    return status.pushed if case == "lower" else status.value


def push_body(task: TaskRecord, case: str) -> dict[str, Any]:
    """A status push: the query body minus video_width/height, status in ``case``."""
    body = query_body(task)
    body.pop("video_width", None)
    body.pop("video_height", None)
    body["status"] = push_status(task.status, case)
    return body


def file_body(record: FileRecord, download_url: str) -> dict[str, Any]:
    """Answer of files/retrieve; ``file_id`` is a JSON number there, as live answers are."""
    return {
        "file": {
            "file_id": int(record.file_id),
            "bytes": record.bytes,
            "created_at": record.created_at,
            "filename": record.filename,
            "purpose": record.purpose,
            "download_url": download_url,
        },
        "base_resp": base_resp(),
    }
