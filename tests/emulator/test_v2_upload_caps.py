"""Uploads over the per-kind size caps of reference §3.4 are refused and not stored."""

from __future__ import annotations

import pytest

from minimax_async.emulator import Emulator
from minimax_async.emulator._media import v2_asset
from tests.emulator._v2 import V2
from tests.images import png

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("kind", "cap_mb"),
    [pytest.param("image", 30, id="image-30MB"), pytest.param("video", 50, id="video-50MB")],
)
async def test_an_upload_over_its_kinds_cap_is_refused(
    v2: V2, minimax_emulator: Emulator, kind: str, cap_mb: int
) -> None:
    head = png(512, 512) if kind == "image" else v2_asset("768P", "16:9").read_bytes()
    # A real header, then padding past the cap: the size rule, not the parser, refuses it.
    big = head + b"\0" * (cap_mb * MB + 1 - len(head))
    status, body = await v2.upload(big)
    assert status == 400, body
    assert f"at most {cap_mb} MB" in body["base_resp"]["status_msg"]
    assert minimax_emulator.uploads == {}


@pytest.mark.parametrize("kind", ["image", "video"])
async def test_the_same_header_within_the_cap_is_stored(
    v2: V2, minimax_emulator: Emulator, kind: str
) -> None:
    # Without the padding the same file is stored: the refusal above is the size rule.
    data = png(512, 512) if kind == "image" else v2_asset("768P", "16:9").read_bytes()
    status, body = await v2.upload(data)
    assert status == 200, body
    assert len(minimax_emulator.uploads) == 1
