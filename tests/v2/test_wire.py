"""The V2 API on the wire: the error envelope, retries, uploads, list, cancel, delete.

Against scripted in-process aiohttp servers (real sockets on loopback): each test
scripts what MiniMax answers and checks what was sent and what the caller gets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from minimax_async import (
    AmbiguousCreateError,
    APIConnectionError,
    APIError,
    AsyncMiniMax,
    AuthenticationError,
    HTTPStatusError,
    InvalidInputError,
    InvalidRequestError,
    QuotaError,
    RateLimitError,
    SensitiveContentError,
    ServerError,
    _v2_content,
    no_backoff,
)
from tests.client._servers import Handler, json_answer, reset_connection, scripted_server
from tests.images import png
from tests.v2.media import CLIP_3S, CLIP_12S, CLIP_MOV

KEY = "sk-v2-wire-secret-31415"
TASK = "424010985738629"
QUERY = f"/v2/query/video_generation/{TASK}"
LIST = "/v2/query/video_generation"
DELETE = f"/v2/video_generation/{TASK}"
CREATE = "/v2/video_generation"
UPLOAD = "/v1/files/upload"
REQUEST_ID = "021785229015510a2c883cf675b9804d"


def envelope(status: int, kind: str, message: str) -> Handler:
    body = {
        "type": "error",
        "error": {"type": kind, "message": message, "http_code": str(status)},
        "request_id": REQUEST_ID,
    }
    return json_answer(body, status=status)


def task(status: str, **more: Any) -> Handler:
    return json_answer({"task": {"id": TASK, "model": "MiniMax-H3", "status": status, **more}})


@asynccontextmanager
async def client_for(url: str) -> AsyncIterator[AsyncMiniMax]:
    async with AsyncMiniMax(api_key=KEY, base_url=url, rpm=None, max_retries=2) as client:
        yield client


# --- the envelope maps onto the exception tree -------------------------------------------

ERRORS = [
    (400, "bad_request_error", "invalid params, invalid task_id (2013)", InvalidRequestError, 2013),
    (
        401,
        "authorized_error",
        "login fail: Please carry the API secret key (1004)",
        AuthenticationError,
        1004,
    ),
    (402, "insufficient_balance_error", "insufficient balance (1008)", QuotaError, 1008),
    (
        422,
        "unprocessable_entity_error",
        "video description contains sensitive content (1026)",
        SensitiveContentError,
        1026,
    ),
]


@pytest.mark.parametrize(("status", "kind", "message", "cls", "code"), ERRORS)
async def test_a_refusal_maps_to_its_class_with_the_legacy_code_and_is_not_retried(
    status: int, kind: str, message: str, cls: type[APIError], code: int
) -> None:
    async with (
        scripted_server({QUERY: [envelope(status, kind, message)]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(cls) as caught:
            await client.video.v2.query(TASK)
    error = caught.value
    assert (error.code, error.status_code, error.request_id) == (code, status, REQUEST_ID)
    assert error.status_msg == message
    assert REQUEST_ID in str(error)
    assert KEY not in str(error)
    assert KEY not in repr(error)
    assert server.hits[QUERY] == 1


@pytest.mark.parametrize(
    ("first", "cls"),
    [
        (
            envelope(429, "rate_limit_error", "rate limit, please retry later (1002)"),
            RateLimitError,
        ),
        (envelope(500, "server_error", "internal error (1000)"), ServerError),
        (envelope(529, "overloaded_error", "overloaded"), ServerError),
    ],
)
async def test_reads_retry_429_500_and_529_then_succeed(first: Handler, cls: type) -> None:
    async with scripted_server({QUERY: [first, first, task("running")]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                got = await client.video.v2.query(TASK)
                assert got.status == "running"
                server.hits.clear()
                server.script[QUERY] = [first]
                with pytest.raises(cls) as caught:
                    await client.video.v2.query(TASK)
    assert server.hits[QUERY] == 3  # the first try and max_retries=2
    assert isinstance(caught.value, APIError)
    assert caught.value.status_code in (429, 500, 529)


async def test_an_envelope_inside_a_200_is_an_error_not_a_task() -> None:
    body = {
        "type": "error",
        "error": {"type": "bad_request_error", "message": "no (2013)", "http_code": "400"},
        "request_id": REQUEST_ID,
    }
    async with (
        scripted_server({QUERY: [json_answer(body)]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(InvalidRequestError) as caught:
            await client.video.v2.query(TASK)
    assert caught.value.status_code == 200
    assert caught.value.code == 2013


async def test_a_404_without_an_envelope_stays_an_http_status_error() -> None:
    async def not_found(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="404: Not Found")

    async with (
        scripted_server({QUERY: [not_found]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(HTTPStatusError) as caught:
            await client.video.v2.query(TASK)
    assert caught.value.status_code == 404


# --- a create is resent only when provably unaccepted -----------------------------------

BODY = {
    "model": "MiniMax-H3",
    "content": [{"type": "text", "text": "sea"}],
    "resolution": "768P",
    "duration": 5,
    "ratio": "16:9",
}


async def send_create(client: AsyncMiniMax) -> str | None:
    # Phase 1: the V2 create body goes through the one billed-POST path of the transport.
    created = await client._core.transport.create(CREATE, BODY, limiter=None)
    return created.task_id


async def test_a_create_answered_429_is_resent_and_accepted_once() -> None:
    script = [
        envelope(429, "rate_limit_error", "rate limit (1002)"),
        json_answer({"task_id": TASK}),
    ]
    async with scripted_server({CREATE: script}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                assert await send_create(client) == TASK
    assert server.hits[CREATE] == 2
    assert server.bodies == [BODY, BODY]


@pytest.mark.parametrize(
    "answer",
    [
        envelope(500, "server_error", "internal error (1000)"),
        envelope(529, "overloaded_error", "overloaded"),
        json_answer(
            {
                "type": "error",
                "error": {
                    "type": "gateway_timeout",
                    "message": "upstream timeout",
                    "http_code": "504",
                },
            }
        ),
        json_answer({"task": {"id": TASK}}),  # 2xx without a task_id
    ],
    ids=["500", "529", "200-with-504-envelope", "200-without-task_id"],
)
async def test_a_create_that_may_have_been_accepted_is_never_resent(answer: Handler) -> None:
    async with scripted_server({CREATE: [answer]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                with pytest.raises(AmbiguousCreateError) as caught:
                    await send_create(client)
    assert server.hits[CREATE] == 1
    assert caught.value.request == BODY


async def test_a_create_whose_connection_breaks_is_ambiguous() -> None:
    release = asyncio.Event()
    async with scripted_server({CREATE: [reset_connection(release)]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                before = time.time()
                with pytest.raises(AmbiguousCreateError) as caught:
                    await send_create(client)
                after = time.time()
        release.set()
    assert server.hits[CREATE] == 1
    # When it was sent: where candidates(error.request, since=error.sent_at) starts.
    assert caught.value.sent_at is not None
    assert before <= caught.value.sent_at <= after


async def test_a_create_refused_400_raises_at_once_with_its_code() -> None:
    refusal = envelope(
        400,
        "bad_request_error",
        "invalid params, content must include a non-empty text item (prompt is required) (2013)",
    )
    async with scripted_server({CREATE: [refusal]}) as server, client_for(server.url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await send_create(client)
    assert caught.value.code == 2013
    assert server.hits[CREATE] == 1


# --- uploads ---------------------------------------------------------------------------


class UploadPeer:
    """Answers /v1/files/upload like MiniMax (file_id as a number) and keeps each part."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        self.parts.append(
            {
                "purpose": form["purpose"],
                "filename": upload.filename,
                "content_type": upload.content_type,
                "data": upload.file.read(),
                "auth": request.headers.get("Authorization"),
            }
        )
        file_id = 700000 + len(self.parts)
        return web.json_response(
            {
                "file": {
                    "file_id": file_id,
                    "bytes": 1,
                    "created_at": 1,
                    "filename": upload.filename,
                    "purpose": form["purpose"],
                },
                "base_resp": {"status_code": 0, "status_msg": "success"},
            }
        )


async def test_upload_sends_multipart_with_the_purpose_and_answers_a_reference() -> None:
    peer = UploadPeer()
    async with scripted_server({UPLOAD: [peer]}) as server, client_for(server.url) as client:
        uploaded = await client.files.upload(CLIP_3S)
        from_bytes = await client.files.upload(png(300, 300), filename="hero.png")
    assert uploaded.reference == "mm_file://700001"
    assert uploaded.file_id == "700001"
    first, second = peer.parts
    assert first["purpose"] == "video_generation_input"
    assert (first["filename"], first["content_type"]) == (CLIP_3S.name, "video/mp4")
    assert first["data"] == CLIP_3S.read_bytes()
    assert first["auth"] == f"Bearer {KEY}"
    assert (second["filename"], second["content_type"], second["data"]) == (
        "hero.png",
        "image/png",
        png(300, 300),
    )
    assert from_bytes.reference == "mm_file://700002"


async def test_an_upload_is_checked_locally_first_and_a_bad_one_never_sent() -> None:
    peer = UploadPeer()
    async with scripted_server({UPLOAD: [peer]}) as server, client_for(server.url) as client:
        with pytest.raises(InvalidInputError) as caught:
            await client.files.upload(png(100, 100))
    assert caught.value.field == "file"
    assert "256-5760" in caught.value.rule
    assert UPLOAD not in server.hits


async def test_an_upload_refused_in_base_resp_raises_its_code() -> None:
    refusal = json_answer({"base_resp": {"status_code": 2013, "status_msg": "invalid params"}})
    async with scripted_server({UPLOAD: [refusal]}) as server, client_for(server.url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.files.upload(CLIP_3S)
    assert caught.value.code == 2013


async def test_an_uploaded_file_goes_into_any_media_field() -> None:
    peer = UploadPeer()
    async with scripted_server({UPLOAD: [peer]}) as server, client_for(server.url) as client:
        clip = await client.files.upload(CLIP_3S)
        sent = await client.video.v2.body(
            model="MiniMax-H3", prompt="Video 1, slower", reference_videos=[clip]
        )
    assert sent["content"][1] == {
        "type": "video_url",
        "video_url": {"url": "mm_file://700001"},
        "role": "reference_video",
    }


async def test_a_mov_reference_is_uploaded_and_sent_as_mm_file() -> None:
    peer = UploadPeer()
    async with scripted_server({UPLOAD: [peer]}) as server, client_for(server.url) as client:
        sent = await client.video.v2.body(
            model="MiniMax-H3", prompt="Video 1", reference_videos=[CLIP_MOV]
        )
    assert peer.parts[0]["content_type"] == "video/quicktime"
    assert sent["content"][1]["video_url"] == {"url": "mm_file://700001"}


async def test_when_the_body_would_pass_the_cap_the_largest_files_are_uploaded_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The 64 MB rule at a small scale: a cap of 50 KB, no slack. Inline, the two
    # clips take 20 KB (3 s) and 41 KB (12 s): the 12 s one must go up, alone.
    monkeypatch.setattr(_v2_content, "BODY_MAX_BYTES", 50_000)
    monkeypatch.setattr(_v2_content, "_BODY_SLACK", 0)
    peer = UploadPeer()
    async with scripted_server({UPLOAD: [peer]}) as server, client_for(server.url) as client:
        sent = await client.video.v2.body(
            model="MiniMax-H3", prompt="Video 1 then 2", reference_videos=[CLIP_3S, CLIP_12S]
        )
        assert [p["filename"] for p in peer.parts] == [CLIP_12S.name]
        first, second = (item["video_url"]["url"] for item in sent["content"][1:])
        assert first.startswith("data:video/mp4;base64,")
        assert second == "mm_file://700001"
        # Data URLs the caller gave cannot be uploaded: too big is refused, not sent.
        monkeypatch.setattr(_v2_content, "BODY_MAX_BYTES", 1_000)
        with pytest.raises(InvalidInputError) as caught:
            await client.video.v2.body(
                model="MiniMax-H3",
                prompt="x",
                reference_images=[
                    "data:image/png;base64,"
                    + __import__("base64").b64encode(png(300, 300)).decode()
                ],
            )
    assert caught.value.field == "content"
    assert "exceed" in caught.value.rule


def test_the_real_body_cap_is_64_mib() -> None:
    from minimax_async._v2_rules import BODY_MAX_BYTES

    assert BODY_MAX_BYTES == 64 * 1024 * 1024


# --- list ------------------------------------------------------------------------------


async def test_list_pages_through_the_window_with_the_documented_filters() -> None:
    seen: list[dict[str, Any]] = []

    async def pages(request: web.Request) -> web.StreamResponse:
        seen.append({k: request.query.getall(k) for k in request.query})
        num = int(request.query["page_num"])
        ids = {1: ["5", "4"], 2: ["3", "2"], 3: ["1"]}[num]
        return web.json_response(
            {"items": [{"id": i, "status": "succeeded"} for i in ids], "total": 5}
        )

    async with scripted_server({LIST: [pages]}) as server, client_for(server.url) as client:
        listed = client.video.list(
            status="succeeded",
            task_ids=["5", 4],
            model="MiniMax-H3",
            task_type="generation",
            page_size=2,
        )
        ids = [t.id async for t in listed]
    assert ids == ["5", "4", "3", "2", "1"]
    assert len(seen) == 3  # stops once total is reached
    assert seen[0] == {
        "filter.status": ["succeeded"],
        "filter.task_ids": ["5,4"],
        "filter.model": ["MiniMax-H3"],
        "filter.task_type": ["generation"],
        "page_num": ["1"],
        "page_size": ["2"],
    }


async def test_list_stops_on_a_short_page_and_pages_keep_the_total() -> None:
    answer = json_answer({"items": [{"id": "9", "status": "queued"}], "total": 40})
    async with scripted_server({LIST: [answer]}) as server, client_for(server.url) as client:
        pages = [page async for page in client.video.list(page_size=20).pages()]
    assert [p.total for p in pages] == [40]
    assert server.hits[LIST] == 1


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"status": "Success"}, "status"),
        ({"task_type": "video"}, "task_type"),
        ({"task_ids": "123"}, "task_ids"),
        ({"page_size": 0}, "page_size"),
        ({"model": ""}, "model"),
    ],
)
async def test_list_filters_are_checked_locally(filters: dict[str, Any], field: str) -> None:
    async with AsyncMiniMax(api_key=KEY, base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidInputError) as caught:
            client.video.list(**filters)
    assert caught.value.field == field


# --- cancel and delete -----------------------------------------------------------------


async def test_cancel_deletes_only_a_queued_task() -> None:
    cancelled = json_answer({"task_id": TASK, "action": "cancelled", "status": "cancelled"})
    async with (
        scripted_server({QUERY: [task("queued")], DELETE: [cancelled]}) as server,
        client_for(server.url) as client,
    ):
        answer = await client.video.v2.cancel(TASK)
    assert answer.cancelled
    assert server.hits[DELETE] == 1


@pytest.mark.parametrize("status", ["running", "succeeded", "failed", "cancelled"])
async def test_cancel_refuses_any_other_status_and_never_deletes_a_result(status: str) -> None:
    async with (
        scripted_server({QUERY: [task(status)], DELETE: [json_answer({})]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(InvalidInputError) as caught:
            await client.video.v2.cancel(TASK)
    assert status in caught.value.rule
    assert DELETE not in server.hits


async def test_the_sdk_resends_a_delete_after_a_429_but_not_after_a_broken_connection() -> None:
    deleted = json_answer({"task_id": TASK, "action": "deleted", "status": "deleted"})
    limited = envelope(429, "rate_limit_error", "rate limit (1002)")
    async with scripted_server({DELETE: [limited, deleted]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                assert not (await client.video.v2.delete(TASK)).cancelled
    assert server.hits[DELETE] == 2
    release = asyncio.Event()
    async with scripted_server({DELETE: [reset_connection(release)]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                with pytest.raises(APIConnectionError):
                    await client.video.v2.delete(TASK)
        release.set()
    # aiohttp itself resends an idempotent method once when the connection drops (HTTP
    # calls DELETE idempotent; MiniMax answers a repeat with a 2013 refusal, never a
    # charge); the SDK's own retries would have made it three.
    assert server.hits[DELETE] == 2


async def test_delete_of_a_running_task_is_refused_by_minimax() -> None:
    refusal = envelope(400, "bad_request_error", "invalid params, cannot cancel (2013)")
    async with scripted_server({DELETE: [refusal]}) as server, client_for(server.url) as client:
        with pytest.raises(InvalidRequestError):
            await client.video.v2.delete(TASK)
