"""The client's own pool: aiohttp's on asyncio, sharded httpcore pools on trio."""

from __future__ import annotations

import anyio
import httpx
import pytest

from openai_async import APIConnectionError, AsyncClient
from openai_async._aiohttp import AiohttpTransport
from openai_async._transport import Pool, Shards
from openai_async.testing import LocalServer

from .conftest import unused_port

pytestmark = pytest.mark.anyio


async def test_pool_is_chosen_by_the_event_loop(server: LocalServer, anyio_backend: str) -> None:
    """asyncio gets aiohttp's pool and trio the shards, chosen when the client is made."""
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        pool = client._http._transport
        assert isinstance(pool, Pool)
        await client.models.list()
        expected = AiohttpTransport if anyio_backend == "asyncio" else Shards
        assert isinstance(pool.inner, expected)


async def test_closed_pool_refuses_requests(server: LocalServer) -> None:
    """A request on a closed client is refused, as httpx refuses one."""
    client = AsyncClient(base_url=server.url, api_key="", max_retries=0)
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.models.list()


async def _shards_client(server: LocalServer) -> tuple[AsyncClient, Shards]:
    shards = Shards(count=4)
    client = AsyncClient(base_url=server.url, api_key="", max_retries=0, transport=shards)
    return client, shards


async def test_one_request_at_a_time_uses_one_shard(server: LocalServer) -> None:
    """Sequential requests all go to the first shard, so they reuse one connection."""
    client, shards = await _shards_client(server)
    async with client:
        for _ in range(10):
            await client.models.list()
        used = [len(pool._pool.connections) for pool in shards.pools]
    assert used == [1]  # the other pools were never made


async def test_requests_in_flight_spread_over_the_shards(server: LocalServer) -> None:
    """Open streams go to the least busy shard; closing them counts them out again."""
    client, shards = await _shards_client(server)
    messages = [{"role": "user", "content": "hi"}]
    async with client:
        streams = [
            await client.chat.completions.create(model="m", messages=messages, stream=True)
            for _ in range(8)
        ]
        assert shards._in_flight == [2, 2, 2, 2]
        for stream in streams:
            await stream.aclose()
        assert shards._in_flight == [0, 0, 0, 0]
        await client.models.list()
        assert shards._in_flight == [0, 0, 0, 0]


async def test_failed_request_is_counted_out() -> None:
    """A request that fails before any answer leaves its shard's count as it was."""
    shards = Shards(count=2)
    base_url = f"http://127.0.0.1:{unused_port()}/v1"
    async with AsyncClient(base_url=base_url, api_key="", max_retries=0, transport=shards) as c:
        for _ in range(3):
            with pytest.raises(APIConnectionError):
                await c.models.list()
    assert shards._in_flight == [0, 0]


async def test_cancelled_requests_are_counted_out(server: LocalServer) -> None:
    """Requests cancelled at any point leave every shard's count at zero."""
    server.inject(delay=0.05, times=40)
    client, shards = await _shards_client(server)
    async with client, anyio.create_task_group() as tg:
        for i in range(40):
            tg.start_soon(_cancelled_after, client, (i % 8) * 0.01)
    assert shards._in_flight == [0, 0, 0, 0]


async def _cancelled_after(client: AsyncClient, delay: float) -> None:
    with anyio.move_on_after(delay):
        await client.models.list()


def test_pool_made_outside_a_loop_chooses_at_the_first_request(server: LocalServer) -> None:
    """A client made before any event loop runs picks its pool when it is first used."""
    import trio

    client = AsyncClient(base_url=server.url, api_key="", max_retries=0)
    pool = client._http._transport
    assert isinstance(pool, Pool)
    assert pool.inner is None

    async def use() -> None:
        async with client:
            await client.models.list()

    trio.run(use)
    assert isinstance(pool.inner, Shards)


def test_limits_are_shared_out() -> None:
    """Each shard gets its share of the connection limits."""
    shards = Shards(httpx.Limits(max_connections=100, max_keepalive_connections=20), count=4)
    pool = shards._pool(3)._pool
    assert len(shards.pools) == 1
    assert pool._max_connections == 25
    assert pool._max_keepalive_connections == 5
