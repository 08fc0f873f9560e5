"""The local server itself: its command line and its control endpoints."""

from __future__ import annotations

import time

import pytest

from openai_async import AsyncClient, InternalServerError
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio


async def test_command_line_server(cli_server: str) -> None:
    """`python -m openai_async.testing --port N` serves the models and takes faults."""
    async with AsyncClient(base_url=cli_server, api_key="", max_retries=0) as client:
        models = await client.models.list()
        assert "gpt-4o-mini" in [m.id for m in models]
        control = cli_server.removesuffix("/v1") + "/_control/faults"
        await client.request("POST", control, json={"status": 503, "times": 1})
        with pytest.raises(InternalServerError):
            await client.models.list()
        assert len(await client.models.list()) == len(models)


async def test_faults_match_path_and_count_down(client: AsyncClient, server: LocalServer) -> None:
    """A fault applies only to its path and only for `times` requests."""
    server.inject(status=500, path="/models/whisper-1", times=2)
    await client.models.list()  # another path: untouched
    for _ in range(2):
        with pytest.raises(InternalServerError):
            await client.models.retrieve("whisper-1")
    assert (await client.models.retrieve("whisper-1")).id == "whisper-1"


async def test_delay_then_normal_answer(client: AsyncClient, server: LocalServer) -> None:
    """A delay-only fault slows the answer down but still answers normally."""
    server.inject(delay=0.2)
    start = time.monotonic()
    models = await client.models.list()
    assert time.monotonic() - start >= 0.2
    assert len(models) > 0


@pytest.mark.off_spec("a path and a method the API lacks, for the server to refuse")
async def test_unknown_path_and_method(client: AsyncClient) -> None:
    """Unknown paths answer 404 and wrong methods 405, in OpenAI's error shape."""
    from openai_async import APIStatusError, NotFoundError

    with pytest.raises(NotFoundError) as info:
        await client.request("GET", "no/such/thing")
    assert info.value.code == "unknown_url"
    with pytest.raises(APIStatusError) as info405:
        await client.request("PUT", "models")
    assert info405.value.status_code == 405
