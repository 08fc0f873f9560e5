"""The deprecated /engines endpoints: they work, and warn."""

from __future__ import annotations

import pytest

from openai_async import AsyncClient, NotFoundError
from openai_async.testing import LocalServer
from openai_async.types import Engine

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio


async def test_list_engines_warns(client: AsyncClient, server: LocalServer) -> None:
    """engines.list emits DeprecationWarning pointing at the caller and returns engines."""
    with pytest.warns(DeprecationWarning, match="client.models") as record:
        engines = await client.engines.list()
    assert record[0].filename == __file__
    sent = server.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", "/v1/engines", b"")
    assert_request_matches_spec(sent)
    assert all(isinstance(e, Engine) for e in engines)
    assert "whisper-1" in [e.id for e in engines]
    assert all(e.ready for e in engines)


async def test_list_engines_warns_for_async_for(client: AsyncClient) -> None:
    """engines.list warns at the call, so async for over it warns at the caller too."""
    with pytest.warns(DeprecationWarning, match="client.models") as record:
        engines = [e async for e in client.engines.list()]
    assert record[0].filename == __file__
    assert "whisper-1" in [e.id for e in engines]


async def test_retrieve_engine_warns(client: AsyncClient, server: LocalServer) -> None:
    """engines.retrieve warns, sends the id in the path and parses the engine."""
    with pytest.warns(DeprecationWarning, match="deprecated"):
        engine = await client.engines.retrieve("text-davinci-003")
    assert server.requests[-1].path == "/v1/engines/text-davinci-003"
    assert_request_matches_spec(server.requests[-1])
    assert engine == Engine(id="text-davinci-003", owner="openai-internal", ready=True)


async def test_unknown_engine(client: AsyncClient, server: LocalServer) -> None:
    """An unknown engine id is a NotFoundError (after the warning)."""
    with pytest.warns(DeprecationWarning, match="deprecated"), pytest.raises(NotFoundError):
        await client.engines.retrieve("nope")
