"""The client's own pools: ``_asyncio_http``'s on asyncio, ``_http11``'s on trio.

The pool behaviour both share (``test_own_pool_*``) runs on each: ``_http11``'s on both
loops, ``_asyncio_http``'s on asyncio.

``Shards`` (httpcore pools side by side, trio's default before) stays available.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from openai_async import APIConnectionError, APIStatusError, APITimeoutError, AsyncClient
from openai_async._asyncio_http import AsyncioTransport
from openai_async._http11 import HTTP11Transport
from openai_async._transport import Pool, Shards
from openai_async.testing import LocalServer

from .conftest import unused_port
from .sockets import ThreadedServer

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "hi"}]


async def test_pool_is_chosen_by_the_event_loop(server: LocalServer, anyio_backend: str) -> None:
    """Each loop gets its HTTP/1.1 pool owned here, chosen when the client is made."""
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        pool = client._http._transport
        assert isinstance(pool, Pool)
        await client.models.list()
        expected = AsyncioTransport if anyio_backend == "asyncio" else HTTP11Transport
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
    assert isinstance(pool.inner, HTTP11Transport)


def test_limits_are_shared_out() -> None:
    """Each shard gets its share of the connection limits."""
    shards = Shards(httpx.Limits(max_connections=100, max_keepalive_connections=20), count=4)
    pool = shards._pool(3)._pool
    assert len(shards.pools) == 1
    assert pool._max_connections == 25
    assert pool._max_keepalive_connections == 5


# -- the HTTP/1.1 pools owned here (_http11 on both backends, _asyncio_http on asyncio) --


# The HTTP/1.1 pools owned here: _http11's on both loops, _asyncio_http's on asyncio.
POOLS = pytest.mark.parametrize(
    ("anyio_backend", "pool"),
    [("asyncio", HTTP11Transport), ("trio", HTTP11Transport), ("asyncio", AsyncioTransport)],
    ids=["http11-asyncio", "http11-trio", "asyncio_http"],
)
OwnPool = type[HTTP11Transport] | type[AsyncioTransport]


def _client(
    server: LocalServer, transport: httpx.AsyncBaseTransport, **timeouts: float
) -> AsyncClient:
    timeout = httpx.Timeout(5.0, **timeouts) if timeouts else 5.0
    return AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport, timeout=timeout
    )


@POOLS
async def test_own_pool_reuses_one_connection(pool: OwnPool, server: LocalServer) -> None:
    """Requests one at a time, plain and streamed, all go over one kept-alive connection."""
    opened = server.connections_opened
    transport = pool()
    async with _client(server, transport) as client:
        for _ in range(5):
            assert (await client.models.list()).data
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            async with stream:
                assert [chunk async for chunk in stream]
        assert transport.counts() == (0, 1)
    assert server.connections_opened - opened == 1
    assert transport.counts() == (0, 0)


@POOLS
async def test_own_pool_waits_for_a_free_connection(pool: OwnPool, server: LocalServer) -> None:
    """At max_connections a request waits for one to come back, then uses it."""
    server.inject(delay=0.05, times=6)
    opened = server.connections_opened
    transport = pool(httpx.Limits(max_connections=2))
    async with _client(server, transport) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(_list, client)
        assert transport.counts() == (0, 2)
    assert server.connections_opened - opened == 2
    assert len(server.requests) == 6


@POOLS
async def test_own_pool_times_out_waiting_for_a_connection(
    pool: OwnPool, server: LocalServer
) -> None:
    """A request that finds no free connection within the pool timeout times out, typed."""
    transport = pool(httpx.Limits(max_connections=1))
    async with _client(server, transport, pool=0.1) as client:
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async with stream:
            with pytest.raises(APITimeoutError, match="PoolTimeout"):
                await client.models.list()
        assert transport.counts() == (0, 0)  # the stream was closed unfinished
        await client.models.list()  # and its place is free again


@POOLS
async def test_own_pool_read_and_connect_errors_are_typed(
    pool: OwnPool, server: LocalServer
) -> None:
    """A slow answer is an APITimeoutError, a refused connection an APIConnectionError."""
    server.inject(delay=1.0)
    transport = pool()
    async with _client(server, transport, read=0.1) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="ReadTimeout"):
            await client.models.list()
        assert time.monotonic() - started < 0.6
        assert transport.counts() == (0, 0)
    refused = f"http://127.0.0.1:{unused_port()}/v1"
    transport = pool()
    async with AsyncClient(base_url=refused, api_key="", max_retries=0, transport=transport) as c:
        with pytest.raises(APIConnectionError) as caught:
            await c.models.list()
    assert not isinstance(caught.value, APITimeoutError)
    assert transport.counts() == (0, 0)


@POOLS
async def test_own_pool_keepalive_limits(pool: OwnPool, server: LocalServer) -> None:
    """Idle connections stay within max_keepalive_connections and keepalive_expiry."""
    server.inject(delay=0.2, times=4)  # so that all four overlap
    limits = httpx.Limits(max_keepalive_connections=2, keepalive_expiry=0.2)
    transport = pool(limits)
    async with _client(server, transport) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(_list, client)
        assert transport.counts() == (0, 2)
        opened = server.connections_opened
        await anyio.sleep(0.3)
        await client.models.list()  # both idle ones expired: a new connection
        assert server.connections_opened - opened == 1
        assert transport.counts() == (0, 1)


@POOLS
async def test_own_pool_keeps_a_connection_for_a_waiting_request(
    pool: OwnPool, server: LocalServer
) -> None:
    """Beyond max_keepalive_connections, a connection that comes back goes to a waiter."""
    server.inject(delay=0.1, times=1)  # the first request holds the one connection a while
    opened = server.connections_opened
    transport = pool(httpx.Limits(max_connections=1, max_keepalive_connections=0))
    async with _client(server, transport) as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_list, client)
            await anyio.sleep(0.03)  # the second finds the pool full, and waits
            tg.start_soon(_list, client)
        assert transport.counts() == (0, 0)  # kept for no one once both are done
    assert server.connections_opened - opened == 1
    assert len(server.requests) == 2


@POOLS
async def test_own_pool_full_closes_an_idle_connection_to_another_origin(
    pool: OwnPool, server: LocalServer
) -> None:
    """At max_connections, an idle connection to one origin makes way for another origin."""
    transport = pool(httpx.Limits(max_connections=1))
    async with _client(server, transport) as client:
        await client.models.list()
        other = client.with_options(base_url=server.url.replace("127.0.0.1", "localhost"))
        await other.models.list()
        assert transport.counts() == (0, 1)


@POOLS
async def test_own_pool_cancelled_requests_leave_nothing_checked_out(
    pool: OwnPool, server: LocalServer
) -> None:
    """Requests cancelled at any point, some waiting for a connection, leave none in use."""
    server.inject(delay=0.05, times=40)
    transport = pool(httpx.Limits(max_connections=4))
    async with _client(server, transport) as client:
        async with anyio.create_task_group() as tg:
            for i in range(40):
                tg.start_soon(_cancelled_after, client, (i % 8) * 0.01)
        in_use, idle = transport.counts()
        assert in_use == 0
        assert idle <= 4
        await client.models.list()  # the pool still works


@POOLS
async def test_own_pool_timeout_covers_all_the_waits_of_a_request(
    pool: OwnPool, server: LocalServer
) -> None:
    """A request in line behind others times out from its arrival, not from its turn.

    Three requests ahead each hold the one connection 0.15 s: the last one's turn would
    come after 0.45 s, and its pool timeout of 0.25 s runs out first, on time. (A wait
    again after a wake-up for nothing is in tests/test_pool.py, where it can be made.)
    """
    server.inject(delay=0.15, times=3)
    transport = pool(httpx.Limits(max_connections=1))
    patient = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    served: list[float] = []

    async def ahead() -> None:
        response = await transport.handle_async_request(_get(server, patient))
        await response.aread()
        served.append(anyio.current_time())

    async with transport, anyio.create_task_group() as tg:
        for waiting in range(3):
            tg.start_soon(ahead)
            await _until_counted(transport, waiting + 1)
        started = anyio.current_time()
        with pytest.raises(APITimeoutError, match="PoolTimeout"):
            await transport.handle_async_request(_get(server, {**patient, "pool": 0.25}))
        assert anyio.current_time() - started < 0.4
    assert len(served) == 3
    assert transport.counts() == (0, 0)


@POOLS
@pytest.mark.parametrize("waiting", [1, 2])
async def test_own_pool_serves_waiters_first_come_first_served(
    pool: OwnPool, waiting: int, server: LocalServer
) -> None:
    """A request that asks as a connection comes back waits behind those waiting already.

    The connection goes to the first waiter, woken but not yet running, not to the
    newcomer that asks right then; nor does the woken waiter lose its place.
    """
    transport = pool(httpx.Limits(max_connections=1))
    timeouts = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    order: list[str] = []

    async def request(name: str) -> None:
        response = await transport.handle_async_request(_get(server, timeouts))
        order.append(name)
        await response.aread()

    async with transport, anyio.create_task_group() as tg:
        held = await transport.handle_async_request(_get(server, timeouts))
        waiters = [f"waiter {n}" for n in range(waiting)]
        for n, name in enumerate(waiters):
            tg.start_soon(request, name)
            await _until_counted(transport, n + 2)
        await held.aread()  # its end puts the connection back, and wakes the first waiter
        await request("newcomer")  # asks before the waiter runs
    assert order == [*waiters, "newcomer"]
    assert transport.counts() == (0, 0)


async def _until_counted(transport: HTTP11Transport | AsyncioTransport, in_use: int) -> None:
    """Until the other tasks wait, and then ``in_use`` requests hold or wait for a connection."""
    await anyio.wait_all_tasks_blocked()
    assert transport.counts() == (in_use, 0)


@pytest.mark.parametrize(
    ("anyio_backend", "pool"),
    [("asyncio", HTTP11Transport), ("asyncio", AsyncioTransport)],
    ids=["http11-asyncio", "asyncio_http"],
)
async def test_own_pool_waiter_woken_but_cancelled_passes_its_turn_on(
    pool: OwnPool, server: LocalServer
) -> None:
    """A waiter cancelled as its turn comes hands the turn to the next in line at once.

    (asyncio only: there a task cancelled after its wake-up, before it runs, raises.)
    """
    transport = pool(httpx.Limits(max_connections=1))
    timeouts = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 2.0}
    async with transport:
        first = await transport.handle_async_request(_get(server, timeouts))
        second = asyncio.create_task(transport.handle_async_request(_get(server, timeouts)))
        await anyio.sleep(0.02)
        third = asyncio.create_task(transport.handle_async_request(_get(server, timeouts)))
        await anyio.sleep(0.02)
        assert transport.counts() == (3, 0)  # one in use, two waiting
        await first.aread()  # its end puts the connection back, and wakes the second
        second.cancel()
        started = anyio.current_time()
        response = await third
        assert anyio.current_time() - started < 1.0
        await response.aread()
        with pytest.raises(asyncio.CancelledError):
            await second
        assert transport.counts() == (0, 1)


def _get(server: LocalServer, timeouts: dict[str, float]) -> httpx.Request:
    return httpx.Request("GET", f"{server.url}/models", extensions={"timeout": timeouts})


async def _list(client: AsyncClient) -> None:
    await client.models.list()


class _OneAnswerServer(ThreadedServer):
    """Answers each connection's first request, then closes it (without saying so)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.server_names: list[str | None] = []
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                body = b'{"object": "list", "data": []}'
                head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                conn.sendall(head + b"content-length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            return


@POOLS
async def test_own_pool_does_not_reuse_a_connection_the_server_closed(pool: OwnPool) -> None:
    """An idle connection closed by the server is dropped, and the request goes on a new one."""
    server = _OneAnswerServer()
    transport = pool()
    base_url = f"http://127.0.0.1:{server.port}/v1"
    try:
        async with AsyncClient(
            base_url=base_url, api_key="", max_retries=0, transport=transport
        ) as c:
            for _ in range(3):
                await c.models.list()
                await anyio.sleep(0.02)  # the server's close arrives
    finally:
        server.close()
    assert server.connections == 3


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A server's TLS context presenting the ``certificate`` fixture's certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@POOLS
async def test_own_pool_https_sends_the_host_name(
    pool: OwnPool, certificate: tuple[Path, Path]
) -> None:
    """Over TLS the host name goes as SNI, and the certificate is checked against it."""
    cert = certificate[0]
    server_context = server_tls(certificate)
    server = _OneAnswerServer(tls=server_context)
    server_context.sni_callback = lambda _sock, name, _ctx: server.server_names.append(name)
    trusting = ssl.create_default_context(cafile=str(cert))
    try:
        transport = pool(ssl_context=trusting)
        url = f"https://localhost:{server.port}/v1"
        async with AsyncClient(base_url=url, api_key="", max_retries=0, transport=transport) as c:
            assert (await c.models.list()).data == []
        # The certificate names localhost, not 127.0.0.1: refused, as it should be.
        transport = pool(ssl_context=trusting)
        url = f"https://127.0.0.1:{server.port}/v1"
        async with AsyncClient(base_url=url, api_key="", max_retries=0, transport=transport) as c:
            with pytest.raises(APIConnectionError):
                await c.models.list()
            assert transport.counts() == (0, 0)
    finally:
        server.close()
    assert server.server_names[0] == "localhost"


class _HeldTLSServer(ThreadedServer):
    """Over TLS: each connection's handshake waits until ``go`` is set; then it answers
    the requests that come, counted in ``requests``."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        self.go = threading.Event()
        self.requests = 0
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(5)
        self.go.wait(5)
        try:
            with self.tls.wrap_socket(conn, server_side=True) as tls:
                for _ in _request_heads(tls):
                    self.requests += 1
                    tls.sendall(_json_answer(b'{"object": "list", "data": []}'))
        except OSError:
            return


def _request_heads(tls: ssl.SSLSocket) -> Iterator[None]:
    """Once per request head that comes on ``tls`` (its body, if any, left unread)."""
    while True:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = tls.recv(65536)
            if not chunk:
                return
            data += chunk
        yield


def _json_answer(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    return head + b"content-length: %d\r\n\r\n" % len(body) + body


@POOLS
async def test_own_pool_closed_while_connecting_sends_nothing(
    pool: OwnPool, certificate: tuple[Path, Path]
) -> None:
    """A request still connecting as the pool closes is refused: the connection it then
    gets is closed, and nothing is sent on it."""
    server = _HeldTLSServer(server_tls(certificate))
    transport = pool(ssl_context=ssl.create_default_context(cafile=str(certificate[0])))
    timeouts = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    request = httpx.Request(
        "GET", f"https://localhost:{server.port}/v1/models", extensions={"timeout": timeouts}
    )
    outcome: list[object] = []

    async def send() -> None:
        try:
            response = await transport.handle_async_request(request)
            await response.aread()
            outcome.append(response.status_code)
        except RuntimeError as exc:
            outcome.append(exc)

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(send)
            await anyio.wait_all_tasks_blocked()  # connecting: the handshake is held
            assert transport.counts() == (1, 0)
            await transport.aclose()
            server.go.set()
    finally:
        server.go.set()
        server.close()
    assert len(outcome) == 1
    assert isinstance(outcome[0], RuntimeError), "a closed pool sent a request"
    assert "closed" in str(outcome[0])
    assert server.requests == 0
    assert transport.counts() == (0, 0)


class _ForgingTLSServer(ThreadedServer):
    """Over TLS: each connection's first answer is followed at once by a forged one,
    in a TLS record of its own, that no request asked for."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        try:
            with self.tls.wrap_socket(conn, server_side=True) as tls:
                for _ in _request_heads(tls):
                    tls.sendall(_json_answer(b'{"connection": %d}' % number))
                    tls.sendall(_json_answer(b'{"forged": true}'))
        except OSError:
            return


@POOLS
async def test_own_pool_over_tls_drops_a_connection_whose_answer_had_bytes_behind_it(
    pool: OwnPool,
    certificate: tuple[Path, Path],
) -> None:
    """A forged answer in a TLS record after the real one: read with it, then never reused.

    The socket shows nothing (both records left it together); on ``_http11`` the bytes
    wait in the TLS layer, on ``_asyncio_http`` in the connection's buffer: either way the
    connection must be dropped, and the next request gets a real answer.
    """
    server = _ForgingTLSServer(server_tls(certificate))
    transport = pool(ssl_context=ssl.create_default_context(cafile=str(certificate[0])))
    url = f"https://localhost:{server.port}/v1/models"
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            async with http.stream("GET", url) as first:
                await anyio.sleep(0.2)  # both records arrive before the body is read
                await first.aread()
            assert first.json() == {"connection": 1}
            second = await http.get(url)
    finally:
        server.close()
    assert second.json() == {"connection": 2}
    assert server.connections == 2


async def test_an_answer_sent_before_the_body_was_read_is_returned(anyio_backend: str) -> None:
    """A server that answers 413 mid-upload and closes: the caller gets the 413, typed.

    On each loop's own pool: ``_asyncio_http`` on asyncio, ``_http11`` on trio (on
    asyncio, ``_http11`` cannot: once a write fails, anyio's asyncio stream stops
    reading, and what the server sent stays in the socket).
    """
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            time.sleep(0.2)  # the client is deep in the body, its writes blocked
            body = b'{"error": {"message": "too large", "type": "invalid_request_error"}}'
            head = b"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            conn.sendall(head + b"content-length: %d\r\n\r\n" % len(body) + body)
        # Closed with the body unread: the client's next write fails.

    threading.Thread(target=serve, daemon=True).start()
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    transport = AsyncioTransport() if anyio_backend == "asyncio" else HTTP11Transport()
    try:
        async with AsyncClient(
            base_url=base_url, api_key="", max_retries=0, transport=transport
        ) as c:
            with pytest.raises(APIStatusError) as caught:
                await c.request("POST", "uploads", content=b"x" * (64 << 20))
    finally:
        listener.close()
    assert caught.value.status_code == 413
    assert transport.counts() == (0, 0)


@POOLS
async def test_own_pool_closes_expired_idle_connections_while_in_use(
    pool: OwnPool, server: LocalServer
) -> None:
    """Idle connections past keepalive_expiry close even while a newer one serves requests."""
    server.inject(delay=0.2, times=4)  # so that all four overlap
    transport = pool(httpx.Limits(keepalive_expiry=0.3))
    async with _client(server, transport) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(_list, client)
        assert transport.counts() == (0, 4)
        for _ in range(4):
            await anyio.sleep(0.1)
            await client.models.list()  # reuses the newest, which stays fresh
        assert transport.counts() == (0, 1)
