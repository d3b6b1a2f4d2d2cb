from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp is asyncio-only.
    return "asyncio"


@pytest.fixture(params=["aiohttp", "httptools"])
def receiver_http(request: pytest.FixtureRequest) -> str:
    """Each HTTP implementation of the standalone receiver in turn: both must behave
    the same, and CI installs httptools (dev extra) so neither goes untested."""
    value: str = request.param
    return value
