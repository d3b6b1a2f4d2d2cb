"""The HTTP edge: secret, size cap, challenge echo and push validation, over real sockets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest

from minimax_async import InvalidInputError
from minimax_async.callbacks import CallbackServer, InMemoryRegistry, SelfCheckError
from tests.callbacks._helpers import DEADLINE, Events, post_json, post_raw, push


def _early(server: CallbackServer) -> int:
    registry = server.registry
    assert isinstance(registry, InMemoryRegistry)
    return registry.early_count


async def test_the_challenge_is_echoed(server: CallbackServer, http: aiohttp.ClientSession) -> None:
    status, body = await post_json(
        http, server.callback_url("video"), {"challenge": "1a3cs1j-601a"}
    )
    assert (status, body) == (200, {"challenge": "1a3cs1j-601a"})
    status, body = await post_json(http, server.callback_url("agent"), {"challenge": "z"})
    assert (status, body) == (200, {"challenge": "z"})


async def test_the_callback_url_has_a_secret_segment_and_a_kind(server: CallbackServer) -> None:
    video = server.callback_url("video")
    agent = server.callback_url("agent")
    assert video.startswith(f"http://127.0.0.1:{server.port}/minimax/callback/")
    assert video.endswith("/video")
    assert agent.endswith("/agent")
    secret = video.split("/")[-2]
    assert len(secret) >= 32
    assert secret not in repr(server)
    other = CallbackServer()
    assert other.public_url is None
    with pytest.raises(InvalidInputError, match="kind"):
        server.callback_url("image")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.rsplit("/", 2)[0] + "/video",  # no secret
        lambda url: url.rsplit("/", 2)[0] + "/wrong-secret-wrong-secret/video",
        # Off by one character (always a different one: the secret is random).
        lambda url: url[:-7] + ("B" if url[-7] == "A" else "A") + "/video",
        lambda url: url.rsplit("/", 2)[0],  # bare path
        lambda url: url.rsplit("/", 1)[0] + "/image",  # right secret, unknown kind
    ],
)
async def test_a_wrong_or_missing_secret_is_404_and_touches_nothing(
    server: CallbackServer, http: aiohttp.ClientSession, tamper: Any
) -> None:
    events = Events(server)
    url = tamper(server.callback_url("video"))
    status, body = await post_raw(
        http, url, json.dumps(push("42", "success", file_id="1")).encode()
    )
    assert status == 404
    status, body = await post_raw(http, url, json.dumps({"challenge": "c"}).encode())
    assert status == 404
    assert body is None  # no echo without the secret
    assert _early(server) == 0
    assert server.registry.get("42") is None
    assert "push_buffered" not in events.kinds()


async def test_a_body_over_the_cap_is_413_and_touches_nothing(
    http: aiohttp.ClientSession,
) -> None:
    async with CallbackServer(max_body=1024, confirm=False) as server:
        url = server.callback_url("video")
        big = json.dumps(push("42", "processing", pad="x" * 2000)).encode()
        status, _ = await post_raw(http, url, big)
        assert status == 413

        async def chunks() -> AsyncIterator[bytes]:
            # No Content-Length: the cap must hold while streaming too.
            for _ in range(8):
                yield b" " * 512

        status, _ = await post_raw(http, url, chunks())  # type: ignore[arg-type]
        assert status == 413
        assert _early(server) == 0
        status, _ = await post_json(http, url, {"challenge": "still fine"})
        assert status == 200


BAD_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not json", b"task_id=1&status=success"),
    ("invalid utf-8", b"\xff\xfe{}"),
    ("array", b"[1, 2]"),
    ("string", b'"hello"'),
    ("null", b"null"),
    ("deep nesting", b"[" * 30_000 + b"]" * 30_000),
    ("no task_id", json.dumps({"status": "success"}).encode()),
    ("task_id null", json.dumps(push(None, "processing")).encode()),  # type: ignore[arg-type]
    ("task_id bool", json.dumps(push(True, "processing")).encode()),  # type: ignore[arg-type]
    ("task_id list", json.dumps(push([1], "processing")).encode()),  # type: ignore[arg-type]
    ("task_id with slash", json.dumps(push("../etc", "processing")).encode()),
    ("task_id too long", json.dumps(push("1" * 65, "processing")).encode()),
    ("no status", json.dumps({"task_id": "42"}).encode()),
    ("status unknown", json.dumps(push("42", "exploded")).encode()),
    ("status number", json.dumps(push("42", 3)).encode()),  # type: ignore[arg-type]
    ("success without file_id", json.dumps(push("42", "success")).encode()),
    ("base_resp wrong type", json.dumps(push("42", "processing") | {"base_resp": "ok"}).encode()),
    ("width not a number", json.dumps(push("42", "processing", video_width="wide")).encode()),
    ("challenge object", json.dumps({"challenge": {"a": 1}}).encode()),
    ("challenge bool", json.dumps({"challenge": True}).encode()),
]


@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[name for name, _ in BAD_BODIES])
async def test_malformed_bodies_get_400_naming_the_problem_and_change_nothing(
    server: CallbackServer, http: aiohttp.ClientSession, name: str, body: bytes
) -> None:
    events = Events(server)
    status, answer = await post_raw(http, server.callback_url("video"), body)
    assert status == 400, name
    assert isinstance(answer, dict)
    assert answer["error"]
    assert _early(server) == 0
    assert server.registry.get("42") is None
    assert events.kinds() == ["push_rejected"]


async def test_a_400_names_field_value_and_rule(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    status, answer = await post_json(http, server.callback_url("video"), push("42", "exploded"))
    assert status == 400
    assert answer["error"] == "status='exploded': must be a known task status"


async def test_an_agent_success_push_may_carry_a_video_url(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    url = server.callback_url("agent")
    status, _ = await post_json(http, url, push("7", "Success", video_url="https://cdn/x.mp4"))
    assert status == 200
    status, _ = await post_json(http, url, push("8", "success"))
    assert status == 400


async def test_numeric_task_and_file_ids_become_strings(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    status, _ = await post_json(http, server.callback_url("video"), push(77, "processing"))  # type: ignore[arg-type]
    assert status == 200

    async def never() -> Any:
        raise AssertionError("no query expected")

    with anyio.move_on_after(0):
        await server.wait("77", query=never)
    state = server.registry.get("77")
    assert state is not None
    assert state.snapshot is not None
    assert state.snapshot.task_id == "77"


async def test_other_methods_are_refused(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(server.callback_url("video")) as response:
        assert response.status == 405


async def test_self_check_passes_when_the_url_reaches_this_receiver(
    server: CallbackServer,
) -> None:
    events = Events(server)
    await server.self_check(timeout=DEADLINE)
    assert events.kinds() == ["challenge"]


async def test_self_check_fails_when_the_url_reaches_something_else() -> None:
    async with CallbackServer() as other:
        # public_url points at a different receiver: its secret differs, so 404.
        wrong = CallbackServer(public_url=f"http://127.0.0.1:{other.port}", listen=False)
        await wrong.start()
        with pytest.raises(SelfCheckError, match="HTTP 404"):
            await wrong.self_check(timeout=DEADLINE)
        await wrong.aclose()
    # Nothing listens on port 9 of loopback.
    nowhere = CallbackServer(public_url="http://127.0.0.1:9", listen=False, check_on_start=True)
    with pytest.raises(SelfCheckError, match=r"127\.0\.0\.1:9"):
        await nowhere.start()
    assert not nowhere.running


async def test_bad_options_are_refused_naming_them() -> None:
    with pytest.raises(InvalidInputError, match="public_url"):
        CallbackServer(public_url="ftp://x")
    with pytest.raises(InvalidInputError, match="secret") as caught:
        CallbackServer(secret="short")
    assert "short" not in str(caught.value)
    with pytest.raises(InvalidInputError, match="quiet_period"):
        CallbackServer(quiet_period=0)
    with pytest.raises(InvalidInputError, match="public_url"):
        CallbackServer(listen=False)
    with pytest.raises(InvalidInputError, match="max_body"):
        CallbackServer(max_body=1)
