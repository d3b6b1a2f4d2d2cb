"""Helpers for the V2 emulator tests: an HTTP caller and real media built in memory.

Videos start from the emulator's own shipped MP4s (real H.264 + AAC); variants edit
only the header fields the V2 rules read (frame count, duration, size, tracks), which
is what MiniMax's checks see too.
"""

from __future__ import annotations

import base64
import io
import struct
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from minimax_async.emulator._media import v2_asset
from tests.mp4_tracks import inside, tracks

__all__ = (
    "V2",
    "b64",
    "heif",
    "item",
    "mp3",
    "mp4",
    "t2v",
    "text",
    "v2_caller",
    "wav",
)

CREATE = "/v2/video_generation"


class V2:
    """Sends V2 requests, returning (HTTP status, JSON body); checks every answer's ids."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, self.base_url + path, **kwargs) as resp:
            body = await resp.json(content_type=None)
            if resp.status >= 400 and isinstance(body, dict) and "error" in body:
                # Every V2 error is the envelope, its request_id the Trace-Id header.
                assert body["type"] == "error"
                assert body["error"]["http_code"] == str(resp.status)
                assert body["request_id"] == resp.headers["Trace-Id"]
                assert len(body["request_id"]) == 32
            return resp.status, body

    async def create(self, body: Any, path: str = CREATE) -> tuple[int, Any]:
        return await self.call("POST", path, json=body)

    async def created(self, body: Any, path: str = CREATE) -> str:
        status, answer = await self.create(body, path)
        assert status == 200, answer
        assert list(answer) == ["task_id"]
        task_id: str = answer["task_id"]
        return task_id

    async def query(self, task_id: str) -> tuple[int, Any]:
        return await self.call("GET", f"/v2/query/video_generation/{task_id}")

    async def task(self, task_id: str) -> dict[str, Any]:
        status, body = await self.query(task_id)
        assert status == 200, body
        task: dict[str, Any] = body["task"]
        return task

    async def list(self, **params: Any) -> tuple[int, Any]:
        return await self.call("GET", "/v2/query/video_generation", params=params)

    async def delete(self, task_id: str) -> tuple[int, Any]:
        return await self.call("DELETE", f"/v2/video_generation/{task_id}")

    async def upload(
        self, data: bytes, *, purpose: str = "video_generation_input"
    ) -> tuple[int, Any]:
        form = aiohttp.FormData()
        form.add_field("purpose", purpose)
        form.add_field("file", io.BytesIO(data), filename="input.bin")
        return await self.call("POST", "/v1/files/upload", data=form)


@asynccontextmanager
async def v2_caller(base_url: str, key: str | None) -> AsyncIterator[V2]:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    async with aiohttp.ClientSession(headers=headers) as http:
        yield V2(http, base_url)


def t2v(**changes: Any) -> dict[str, Any]:
    """A valid text-to-video body, changed as asked (None removes a field)."""
    body: dict[str, Any] = {
        "model": "MiniMax-H3",
        "content": [{"type": "text", "text": "a lighthouse at dusk"}],
        "resolution": "768P",
        "duration": 5,
        "ratio": "16:9",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def item(kind: str, url: str, role: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": kind, kind: {"url": url}}
    if role is not None:
        entry["role"] = role
    return entry


def text(value: str = "a lighthouse at dusk") -> dict[str, Any]:
    return {"type": "text", "text": value}


def b64(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A real PCM WAV of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * int(seconds * rate))
    return out.getvalue()


def mp3(seconds: float) -> bytes:
    """Constant-bitrate MPEG-1 Layer III frames (128 kb/s, 44.1 kHz), zeroed payloads."""
    header = bytes([0xFF, 0xFB, 0x90, 0x00])
    frame = header + bytes(417 - len(header))
    count = round(seconds * 44100 / 1152)
    return frame * count


def heif(width: int, height: int) -> bytes:
    """The boxes a HEIF reader needs: ftyp heic, then meta > iprp > ipco > ispe."""

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(body), kind) + body

    ispe = box(b"ispe", b"\x00\x00\x00\x00" + struct.pack(">II", width, height))
    meta = box(b"meta", b"\x00\x00\x00\x00" + box(b"iprp", box(b"ipco", ispe)))
    return box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + meta


def mp4(
    resolution: str = "768P",
    ratio: str = "16:9",
    *,
    frames: int | None = None,
    seconds: float | None = None,
    size: tuple[int, int] | None = None,
    audio: bool = True,
    codec: bytes | None = None,
) -> bytes:
    """A shipped V2 asset, with its video track's header fields changed as asked."""
    data = bytearray(v2_asset(resolution, ratio).read_bytes())
    for track in tracks(data):
        if track.handler == b"soun":
            if not audio:
                data[track.hdlr.body + 8 : track.hdlr.body + 12] = b"text"
            continue
        mdhd = inside(data, track.mdia, b"mdhd")
        stts = inside(data, track.stbl, b"stts")
        (timescale,) = struct.unpack(">I", data[mdhd.body + 12 : mdhd.body + 16])
        delta = struct.unpack(">I", data[stts.body + 12 : stts.body + 16])[0]
        if frames is not None:
            data[stts.body + 8 : stts.body + 12] = struct.pack(">I", frames)
            data[mdhd.body + 16 : mdhd.body + 20] = struct.pack(">I", frames * delta)
        if seconds is not None:
            data[mdhd.body + 16 : mdhd.body + 20] = struct.pack(">I", round(seconds * timescale))
        if size is not None:
            tkhd = inside(data, track.trak, b"tkhd")
            data[tkhd.end - 8 : tkhd.end] = struct.pack(">II", size[0] << 16, size[1] << 16)
        if codec is not None:
            stsd = inside(data, track.stbl, b"stsd")
            data[stsd.body + 12 : stsd.body + 16] = codec
    return bytes(data)
