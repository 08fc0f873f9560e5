"""A connection whose answer overran its end is never used again (issue 14).

The server below answers the first request on a connection with more bytes than the
answer holds: past its Content-Length, or past its last chunk, comes a whole forged
answer. Reusing that connection, a client would take the forgery as the answer to its
next request (raw httpx does). The forgery comes in the same write as the answer, or a
moment later, when the client may already have put the connection back in its pool.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest

from openai_async import APIConnectionError, AsyncClient, aiohttp_transport
from openai_async._http11 import HTTP11Transport

from .sockets import ThreadedServer

pytestmark = pytest.mark.anyio

TRUE = b'{"object": "list", "data": []}'
FORGED = b'{"object": "list", "data": [{"id": "forged", "object": "model", "created": 0}]}'


def _answer(body: bytes, chunked: bool = False) -> bytes:
    if chunked:
        head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        return head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % len(body) + body


class KeepAliveServer(ThreadedServer):
    """Answers every request on a connection, in order; the first one with a forgery behind."""

    def __init__(self, chunked: bool = False, late: bool = False, every: bool = False) -> None:
        self.chunked = chunked
        self.late = late  # the forgery comes 20 ms after the answer, in its own write
        self.every = every  # a forgery behind the first answer on every connection
        self.requests = 0
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            buffer = b""
            served = 0
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    _, _, buffer = buffer.partition(b"\r\n\r\n")
                    self.requests += 1
                    served += 1
                    first = served == 1 if self.every else self.requests == 1
                    answer = _answer(TRUE, self.chunked)
                    forged = _answer(FORGED, self.chunked) if first else b""
                    if self.every:
                        time.sleep(0.05)  # all first requests are in flight together
                    try:
                        if self.late:
                            conn.sendall(answer)
                            time.sleep(0.02)
                            answer = b""
                        conn.sendall(answer + forged)
                    except OSError:
                        return


@pytest.fixture(params=["content-length", "chunked"])
def framing(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["same write", "late"])
def keepalive(framing: str, request: pytest.FixtureRequest) -> Iterator[KeepAliveServer]:
    """The forgery in the answer's own write, or in a write of its own a moment later."""
    server = KeepAliveServer(chunked=framing == "chunked", late=request.param == "late")
    yield server
    server.listener.close()


async def _two_lists(client: AsyncClient) -> list[list[str]]:
    first = await client.models.list()
    await anyio.sleep(0.05)  # the forgery has arrived by now
    second = await client.models.list()
    return [[m.id for m in page.data] for page in (first, second)]


async def test_default_transport_drops_the_overrun_connection(
    keepalive: KeepAliveServer,
) -> None:
    """On the default pool (asyncio's and trio's) the next request gets its true answer.

    On asyncio, ``_asyncio_http`` marks a connection dead when bytes arrive while it is
    idle; aiohttp's pool (``aiohttp_transport()``) parses them as an answer and would
    hand it to the next request (aio-libs/aiohttp#13656, so in 3.14.5) but for
    ``_aiohttp``'s check before a request is written, tested below.
    """
    async with AsyncClient(base_url=keepalive.url, api_key="", max_retries=0) as client:
        assert await _two_lists(client) == [[], []]
    assert keepalive.requests == 2
    assert keepalive.connections == 2


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp's pool: asyncio only
async def test_a_pool_of_overrun_connections_fails_typed_before_sending() -> None:
    """Each overrun connection is closed unsent; a request meeting eight in a row stops.

    Nine connections each get a forgery while idle. The next request finds eight of
    them in turn (aiohttp's pool hands out the oldest first) and raises a connection
    error, retried like any other, without writing a byte; the one after it finds
    the ninth and then a fresh connection.
    """
    server = KeepAliveServer(late=True, every=True)
    try:
        async with AsyncClient(
            base_url=server.url, api_key="", max_retries=0, transport=aiohttp_transport()
        ) as client:

            async def one() -> None:
                await client.models.list()

            async with anyio.create_task_group() as tg:
                for _ in range(9):
                    tg.start_soon(one)
            assert (server.connections, server.requests) == (9, 9)
            await anyio.sleep(0.1)  # every forgery has arrived
            with pytest.raises(APIConnectionError, match="idle kept-alive"):
                await client.models.list()
            assert server.requests == 9  # nothing was written
            assert [m.id for m in (await client.models.list()).data] == []
            assert (server.connections, server.requests) == (10, 10)
    finally:
        server.listener.close()


async def test_http11_transport_drops_the_overrun_connection(
    keepalive: KeepAliveServer,
) -> None:
    """The HTTP/1.1 transport, on either backend, never reads a forgery as an answer."""
    transport = HTTP11Transport()
    async with AsyncClient(
        base_url=keepalive.url, api_key="", max_retries=0, transport=transport
    ) as client:
        assert await _two_lists(client) == [[], []]
        assert transport.counts() == (0, 1)  # the fresh connection is kept
    assert keepalive.connections == 2


async def test_raw_httpx_takes_the_forgery() -> None:
    """What the tests above guard against: httpcore reads the forgery as the next answer."""
    server = KeepAliveServer()
    try:
        async with httpx.AsyncClient() as http:
            await http.get(server.url + "/models")
            await anyio.sleep(0.05)
            second = await http.get(server.url + "/models")
    finally:
        server.listener.close()
    assert second.content == FORGED
