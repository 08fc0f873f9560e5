"""The aiohttp transport (``aiohttp_transport()``, an optional extra), over loopback
against the local server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import httpx
import pytest

import openai_async
from openai_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer

from .conftest import API_KEY, unused_port
from .transports import CloseAwaitsFirst

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only; the trio test below asks for trio itself."""
    return "asyncio"


@pytest.fixture
async def aio_client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(
        base_url=server.url, api_key=API_KEY, max_retries=0, transport=transport
    ) as client:
        yield client


async def _raw_server(
    reply: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> asyncio.Server:
    return await asyncio.start_server(reply, "127.0.0.1", 0)


async def test_models_list_over_aiohttp(aio_client: AsyncClient, server: LocalServer) -> None:
    """A request on the aiohttp transport reaches the server with auth and decodes."""
    models = await aio_client.models.list()
    assert "gpt-4o-mini" in [model.id for model in models]
    assert server.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"
    assert server.requests[-1].path == "/v1/models"


async def test_error_status_over_aiohttp(aio_client: AsyncClient) -> None:
    """An error status becomes the same typed error as on the default transport."""
    with pytest.raises(NotFoundError) as info:
        await aio_client.models.retrieve("no-such-model")
    assert info.value.status_code == 404


async def test_many_in_flight_share_a_pool(aio_client: AsyncClient, server: LocalServer) -> None:
    """Requests in flight together all succeed; later ones reuse the open connections."""
    opened_before = server.connections_opened
    for _ in range(2):
        results = await asyncio.gather(*(aio_client.models.list() for _ in range(40)))
        assert all(len(models) > 0 for models in results)
    assert len(server.requests) == 80
    assert server.connections_opened - opened_before <= 40


async def test_refused_connection_is_a_connection_error() -> None:
    """A refused connection is an APIConnectionError, not a timeout."""
    base_url = f"http://127.0.0.1:{unused_port()}/v1"
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(base_url=base_url, api_key="", transport=transport) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.with_options(max_retries=0).models.list()
    assert not isinstance(info.value, APITimeoutError)


async def test_read_timeout_is_a_timeout_error(server: LocalServer) -> None:
    """A server slower than the read timeout raises APITimeoutError."""
    server.inject(delay=2.0)
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, timeout=0.2, transport=transport
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.models.list()


async def test_dropped_connection_is_a_connection_error(server: LocalServer) -> None:
    """A server that closes the connection without answering raises APIConnectionError.

    aiohttp itself resends an idempotent request once on a new connection, so the
    server drops two in a row.
    """
    server.inject(drop=True, times=2)
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
    assert not isinstance(info.value, APITimeoutError)


async def test_truncated_body_is_a_connection_error() -> None:
    """A body cut short of its content-length raises APIConnectionError."""

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"data": [')
        await writer.drain()
        writer.close()

    server = await _raw_server(reply)
    async with server:
        base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
        transport = openai_async.aiohttp_transport()
        async with AsyncClient(
            base_url=base_url, api_key="", max_retries=0, transport=transport
        ) as client:
            with pytest.raises(APIConnectionError):
                await client.models.list()


async def test_malformed_response_is_a_connection_error() -> None:
    """A reply that is not HTTP raises APIConnectionError, not aiohttp's own error."""

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await _raw_server(reply)
    async with server:
        base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
        transport = openai_async.aiohttp_transport()
        async with AsyncClient(
            base_url=base_url, api_key="", max_retries=0, transport=transport
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    assert not isinstance(info.value, APITimeoutError)


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_trio_gets_a_clear_error(server: LocalServer) -> None:
    """Under trio the first request raises InvalidParameterError naming the transport."""
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        with pytest.raises(InvalidParameterError) as info:
            await client.models.list()
    assert info.value.param == "transport"
    assert "asyncio" in str(info.value)
    assert server.requests == []


def test_without_aiohttp_a_clear_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp not installed: ``aiohttp_transport()`` says which extra brings it."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # importing it fails, as if absent
    with pytest.raises(ModuleNotFoundError, match=r"openai-anyio\[aiohttp\]") as info:
        openai_async.aiohttp_transport()
    assert info.value.name == "aiohttp"


async def test_limits_bound_the_connections(server: LocalServer) -> None:
    """``limits.max_connections`` bounds the connections aiohttp opens."""
    opened_before = server.connections_opened
    transport = openai_async.aiohttp_transport(limits=httpx.Limits(max_connections=2))
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        await asyncio.gather(*(client.models.list() for _ in range(10)))
    assert len(server.requests) == 10
    assert server.connections_opened - opened_before <= 2


@pytest.mark.off_spec("a POST on /models (the API has none), which nothing may resend")
async def test_dropped_post_is_not_resent(server: LocalServer) -> None:
    """aiohttp never resends a POST on its own: the server sees it once, the caller an error."""
    server.inject(drop=True)
    transport = openai_async.aiohttp_transport()
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        with pytest.raises(APIConnectionError):
            await client.request("POST", "models", json={})
    assert len(server.requests) == 1


# About 30 kB: the body spans several reads, and stalls halfway when injected so.
MODELS = {"object": "list", "data": [{"id": f"m{i:04d}", "object": "model"} for i in range(800)]}


@pytest.mark.parametrize("status", [200, 500])
async def test_cancelled_while_reading_a_body_leaks_nothing(status: int) -> None:
    """Cancelled while its stalled body is read, a request leaves no connection acquired."""
    # Unlike httpcore's, aiohttp's response does not release its connection when a read
    # is cancelled: the close in HTTPXSend's ``finally`` does, inside the cancelled scope.
    # A server of its own: no other test's connections in its count.
    with LocalServer(record=False) as server:
        server.inject(status=status, body=MODELS, stall_body=0.2, times=30, path="/models")
        transport = openai_async.aiohttp_transport()
        async with AsyncClient(
            base_url=server.url, api_key="", max_retries=0, transport=transport
        ) as client:
            for _ in range(3):
                async with anyio.create_task_group() as tg:
                    for _ in range(10):
                        tg.start_soon(_cancelled_list, client)
            session = transport._session  # type: ignore[attr-defined]
            assert session is not None
            assert session.connector._acquired == set()  # nothing checked out of the pool
            for _ in range(500):  # the server sees each half-read connection close
                if server.connections_open == 0:
                    break
                await anyio.sleep(0.01)
            assert server.connections_open == 0


async def test_cancelled_close_of_a_slow_closing_transport_leaks_nothing(
    server: LocalServer,
) -> None:
    """A close that awaits before releasing still releases, though the request was cancelled."""
    transport = CloseAwaitsFirst(openai_async.aiohttp_transport())
    server.inject(status=200, body=MODELS, stall_body=0.2, times=10, path="/models")
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(_cancelled_list, client)
        session = transport.inner._session  # type: ignore[attr-defined]
        assert session is not None
        assert session.connector._acquired == set()


async def _cancelled_list(client: AsyncClient) -> None:
    with anyio.move_on_after(0.05) as scope:
        await client.models.list()
    assert scope.cancelled_caught
