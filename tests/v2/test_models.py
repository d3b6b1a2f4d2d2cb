"""V2 wire models read the reference's documented answers and keep what they do not know."""

from __future__ import annotations

import pytest

from minimax_async.models import (
    ContentItem,
    V2DeleteResponse,
    V2ErrorEnvelope,
    V2ListResponse,
    V2QueryResponse,
    V2UploadResponse,
    VideoGenerationV2Request,
)

SUCCEEDED = """{"task": {"id": "424010985738629", "model": "MiniMax-H3", "status": "succeeded",
  "created_at": 1785125529, "updated_at": 1785125946,
  "content": {"url": "https://video-product.cdn.minimax.io/output.mp4"},
  "resolution": "2K", "duration": 5,
  "usage": {"total_seconds": 5, "input_seconds": 0, "output_seconds": 5, "input_image_count": 1,
            "total_tokens": 0, "prompt_tokens": 0, "completion_tokens": 0},
  "ratio": "16:9", "task_type": "generation", "modality": "video", "progress_hint": 7}}"""

FAILED = """{"task": {"id": 424010985738630, "model": "MiniMax-H3", "status": "failed",
  "error": {"code": "1026", "message": "video description contains sensitive content"},
  "created_at": 1785125529, "updated_at": 1785125700, "resolution": "2K", "duration": 5,
  "usage": {}, "ratio": "16:9", "task_type": "generation", "modality": "video"}}"""


def test_a_succeeded_query_gives_the_url_usage_and_keeps_unknown_fields() -> None:
    task = V2QueryResponse.model_validate_json(SUCCEEDED).task
    assert task.succeeded
    assert task.is_terminal
    assert not task.failed
    assert task.video_url == "https://video-product.cdn.minimax.io/output.mp4"
    assert task.usage is not None
    assert task.usage.output_seconds == 5
    assert task.model_extra == {"progress_hint": 7}


def test_a_failed_query_keeps_its_string_code_and_a_numeric_id_becomes_a_string() -> None:
    task = V2QueryResponse.model_validate_json(FAILED).task
    assert task.id == "424010985738630"
    assert task.failed
    assert task.error is not None
    assert task.error.code == "1026"
    assert task.error.legacy_code == 1026
    assert task.usage is not None
    assert task.usage.total_seconds is None


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("queued", False),
        ("running", False),
        ("succeeded", True),
        ("failed", True),
        ("cancelled", True),
        ("expired", True),  # §16.1: not in the enum, sent by some pages and clients
        ("Succeeded", True),
        ("paused", False),  # an unknown word is kept, and does not end the wait
    ],
)
def test_statuses_documented_or_not_are_accepted(status: str, terminal: bool) -> None:
    task = V2QueryResponse.model_validate({"task": {"id": "1", "status": status}}).task
    assert task.status == status.lower()
    assert task.is_terminal is terminal


def test_a_list_page_and_its_total() -> None:
    page = V2ListResponse.model_validate(
        {"items": [{"id": "1", "status": "queued"}, {"id": "2", "status": "running"}], "total": 9}
    )
    assert [t.id for t in page.items] == ["1", "2"]
    assert page.total == 9


@pytest.mark.parametrize(
    ("action", "cancelled"),
    [("cancelled", True), ("cancel", True), ("deleted", False), ("delete", False)],
)
def test_both_delete_spellings_are_understood(action: str, cancelled: bool) -> None:
    answer = V2DeleteResponse.model_validate({"task_id": "1", "action": action, "status": action})
    assert answer.cancelled is cancelled


def test_an_upload_answer_with_a_numeric_file_id_gives_an_mm_file_reference() -> None:
    answer = V2UploadResponse.model_validate(
        {
            "file": {
                "file_id": 123456,
                "bytes": 10,
                "created_at": 1,
                "filename": "a.png",
                "purpose": "video_generation_input",
            },
            "base_resp": {"status_code": 0, "status_msg": "success"},
        }
    )
    assert answer.file is not None
    assert answer.file.reference == "mm_file://123456"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (
            "invalid params, content must include a non-empty text item"
            " (prompt is required) (2013)",
            2013,
        ),
        ("rate limit, please retry later (1002)", 1002),
        ("overloaded", None),
    ],
)
def test_the_legacy_code_is_read_from_the_trailing_parentheses(message: str, code: int) -> None:
    envelope = V2ErrorEnvelope.model_validate(
        {
            "type": "error",
            "error": {"type": "x", "message": message, "http_code": 400},
            "request_id": "021785229015510a2c883cf675b9804d",
        }
    )
    assert envelope.error.legacy_code == code
    assert envelope.error.http_code == "400"


def test_the_create_body_leaves_unset_options_out() -> None:
    body = VideoGenerationV2Request(
        model="MiniMax-H3",
        content=[
            ContentItem.of_text("a lighthouse"),
            ContentItem.of_media("image", "mm_file://1", "reference_image"),
        ],
        resolution="2K",
        duration=6,
        ratio="16:9",
    ).to_wire()
    assert body == {
        "model": "MiniMax-H3",
        "content": [
            {"type": "text", "text": "a lighthouse"},
            {"type": "image_url", "image_url": {"url": "mm_file://1"}, "role": "reference_image"},
        ],
        "resolution": "2K",
        "duration": 6,
        "ratio": "16:9",
    }


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, 1004, "AuthenticationError"),
        (529, None, "ServerError"),
        (403, 1004, "AuthenticationError"),  # an unlisted status: the legacy code decides
        (404, None, "HTTPStatusError"),
        (200, None, "APIError"),
        (429, 2013, "RateLimitError"),  # the HTTP status wins over the code
    ],
)
def test_api_error_for_status_picks_the_family(status: int, code: int | None, cls: str) -> None:
    from minimax_async._exceptions import api_error_for_status

    error = api_error_for_status(status, "msg", code=code, request_id="r1")
    assert type(error).__name__ == cls
    assert (error.status_code, error.code, error.request_id) == (status, code, "r1")
