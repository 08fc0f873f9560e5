"""Fixtures: one local server per test session, reset before every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from openai_async import AsyncClient
from openai_async.testing import LocalServer

API_KEY = "sk-test-0123456789abcdefSECRET"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def _server_process() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def server(_server_process: LocalServer) -> LocalServer:
    _server_process.reset()
    return _server_process


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        yield client


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own OPENAI_* variables must not leak into the tests."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
