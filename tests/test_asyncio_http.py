"""The HTTP/1.1 transport on a bare asyncio Protocol (``_asyncio_http``), over loopback.

Against the local server, and raw threaded servers for answers paced or shaped by hand.
What it shares with ``_http11``'s pool (reuse, waits, limits, timeouts typed, TLS names)
is tested on both in test_transport.py (``test_own_pool_*``); hostile answers
(desynchronised, malformed, truncated) in test_asyncio_http_hostile.py.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from openai_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    InvalidParameterError,
)
from openai_async._asyncio_http import AsyncioTransport
from openai_async.testing import LocalServer, RawServer

from .sockets import ThreadedServer

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def anyio_backend() -> str:
    """The transport runs on asyncio only; the trio test below asks for trio itself."""
    return "asyncio"


def _client(server: LocalServer, transport: AsyncioTransport, **timeouts: float) -> AsyncClient:
    timeout = httpx.Timeout(5.0, **timeouts) if timeouts else 5.0
    return AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport, timeout=timeout
    )


async def _list(client: AsyncClient) -> None:
    await client.models.list()


@pytest.mark.skipif(
    sys.platform != "linux", reason="Linux drops a connection its backlog has no room for"
)
async def test_a_connection_not_accepted_in_time_is_a_connect_timeout() -> None:
    """A listener whose backlog is full never completes the connection: ConnectTimeout, typed."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]  # the backlog full, never accepted
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            await anyio.sleep(0.1)
            transport = AsyncioTransport()
            base_url = f"http://127.0.0.1:{port}/v1"
            timeout = httpx.Timeout(5.0, connect=0.2)
            async with AsyncClient(
                base_url=base_url, api_key="", max_retries=0, transport=transport, timeout=timeout
            ) as c:
                started = time.monotonic()
                with pytest.raises(APITimeoutError, match="ConnectTimeout"):
                    await c.models.list()
                assert time.monotonic() - started < 2
                assert transport.counts() == (0, 0)
        finally:
            for filler in fillers:
                filler.close()


async def test_a_reset_mid_answer_is_a_connection_error(server: LocalServer) -> None:
    """A connection reset instead of an answer is an APIConnectionError, and frees its place."""
    server.inject(reset=True)
    transport = AsyncioTransport(httpx.Limits(max_connections=1))
    async with _client(server, transport) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.models.list()
        assert not isinstance(caught.value, APITimeoutError)
        assert transport.counts() == (0, 0)
        await client.models.list()


async def _cancelled_after(client: AsyncClient, delay: float) -> None:
    with anyio.move_on_after(delay):
        await client.models.list()


async def test_a_request_cancelled_waiting_for_its_head_closes_its_connection(
    server: LocalServer,
) -> None:
    """Its answer may still come: that connection is never handed to another request."""
    server.inject(delay=0.2)
    opened = server.connections_opened
    transport = AsyncioTransport()
    async with _client(server, transport) as client:
        with anyio.move_on_after(0.05):
            await client.models.list()
        assert transport.counts() == (0, 0)
        await anyio.sleep(0.3)  # the delayed answer arrives, to nobody
        assert (await client.models.list()).data
    assert server.connections_opened - opened == 2


class _ScriptedServer(ThreadedServer):
    """Answers the requests on each connection with the scripted answers, in turn, and
    closes a connection after an answer marked to close it."""

    def __init__(self, answers: list[tuple[bytes, bool]]) -> None:
        self.answers = answers
        self.served = 0
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            data = b""
            while self.served < len(self.answers):
                while b"\r\n\r\n" not in data:
                    received = conn.recv(65536)
                    if not received:
                        return
                    data += received
                data = data.partition(b"\r\n\r\n")[2]
                answer, close = self.answers[self.served]
                self.served += 1
                conn.sendall(answer)
                if close:
                    return


async def test_answers_without_a_body_and_interim_answers_keep_the_connection() -> None:
    """HEAD, 204 and 304 answers have no body whatever their head says; 1xx ones are skipped.

    An HTTP/1.0 answer ends its connection's use, as does one read up to the close.
    """
    server = _ScriptedServer(
        [
            (b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n", False),  # to HEAD
            (b"HTTP/1.1 204 No Content\r\n\r\n", False),
            (b"HTTP/1.1 304 Not Modified\r\ncontent-length: 100\r\n\r\n", False),
            (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", False),
            (b"HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nold", False),  # kept open
            (b"HTTP/1.1 200 OK\r\n\r\nto the end", True),
            (b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfresh", False),
        ]
    )
    transport = AsyncioTransport()
    url = f"http://127.0.0.1:{server.port}/"
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            head = await http.head(url)
            assert (head.status_code, head.content) == (200, b"")
            assert (await http.get(url)).status_code == 204
            assert (await http.get(url)).status_code == 304
            assert (await http.get(url)).content == b"ok"
            assert server.connections == 1
            assert (await http.get(url)).content == b"old"
            assert transport.counts() == (0, 0)
            assert (await http.get(url)).content == b"to the end"
            assert transport.counts() == (0, 0)
            assert (await http.get(url)).content == b"fresh"
            assert transport.counts() == (0, 1)
    finally:
        server.close()
    assert server.connections == 3


class _UploadServer(ThreadedServer):
    """Reads one request whole (chunked or with a length), slowly if told, and answers."""

    def __init__(self, read_delay: float = 0.0, read: bool = True) -> None:
        self.read_delay = read_delay
        self.read = read
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self.done = threading.Event()
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            stream = conn.makefile("rb")
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += stream.readline()
            self.heads.append(head)
            if not self.read:
                self.done.wait(10)
                return
            time.sleep(self.read_delay)  # the client's writes fill the socket meanwhile
            body = b""
            if b"transfer-encoding: chunked" in head.lower():
                while size := int(stream.readline().split(b";")[0], 16):
                    body += stream.read(size)
                    assert stream.readline() == b"\r\n"
                assert stream.readline() == b"\r\n"
            else:
                for line in head.lower().split(b"\r\n"):
                    if line.startswith(b"content-length:"):
                        body = stream.read(int(line.split(b":")[1]))
            self.bodies.append(body)
            answer = b'{"received": %d}' % len(body)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(answer) + answer)


async def _pieces(count: int, size: int) -> AsyncIterator[bytes]:
    for i in range(count):
        yield bytes([65 + i % 26]) * size


async def test_a_streamed_upload_goes_chunked_and_whole_to_a_late_reader() -> None:
    """A body of unknown length goes chunk-encoded, all of it, while the server reads late."""
    server = _UploadServer(read_delay=0.3)
    transport = AsyncioTransport()
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            url = f"http://127.0.0.1:{server.port}/v1/uploads"
            response = await http.post(url, content=_pieces(64, 256 * 1024))
    finally:
        server.close()
    assert response.json() == {"received": 64 * 256 * 1024}
    assert b"transfer-encoding: chunked" in server.heads[0].lower()
    assert server.bodies[0] == b"".join([bytes([65 + i % 26]) * 256 * 1024 for i in range(64)])


async def test_a_stalled_upload_times_out_writing() -> None:
    """A server that never reads the body: the upload ends at the write timeout, typed."""
    server = _UploadServer(read=False)
    transport = AsyncioTransport()
    base_url = f"http://127.0.0.1:{server.port}/v1"
    timeout = httpx.Timeout(5.0, write=0.2)
    try:
        async with AsyncClient(
            base_url=base_url, api_key="", max_retries=0, transport=transport, timeout=timeout
        ) as c:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match="WriteTimeout"):
                await c.request("POST", "uploads", content=_pieces(4096, 64 * 1024))
            assert time.monotonic() - started < 3
            assert transport.counts() == (0, 0)
    finally:
        server.done.set()
        server.close()


class _PacedServer(ThreadedServer):
    """Answers with a chunked body of ``count`` pieces, ``pace`` seconds apart, then
    ``stall`` seconds of silence before its end."""

    def __init__(self, count: int, pace: float, stall: float = 0.0) -> None:
        self.count = count
        self.pace = pace
        self.stall = stall
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                for i in range(self.count):
                    time.sleep(self.pace)
                    conn.sendall(b"6\r\npiece%d\r\n" % (i % 10))
                time.sleep(self.stall)
                conn.sendall(b"0\r\n\r\n")
            except OSError:
                return


async def _read_paced(server: _PacedServer, read: float) -> list[bytes]:
    transport = AsyncioTransport()
    try:
        timeout = httpx.Timeout(5.0, read=read)
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
            url = f"http://127.0.0.1:{server.port}/"
            async with http.stream("GET", url) as response:
                return [piece async for piece in response.aiter_raw()]
    finally:
        server.close()


async def test_a_steady_body_does_not_time_out_however_long_it_takes() -> None:
    """The read timeout is between bytes: pieces 50 ms apart, for 5 times the timeout, pass."""
    started = time.monotonic()
    pieces = await _read_paced(_PacedServer(count=20, pace=0.05), read=0.2)
    assert len(pieces) == 20  # each piece on its own, as it came
    assert time.monotonic() - started > 0.9


async def test_a_stall_mid_body_times_out_within_the_read_timeout() -> None:
    """Silence mid-body ends the read at the read timeout, not at the body's end."""
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="ReadTimeout"):
        await _read_paced(_PacedServer(count=3, pace=0.02, stall=2.0), read=0.2)
    elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 1.0


class _FloodServer(ThreadedServer):
    """Answers with a body of 64 MiB as fast as the client takes it; counts what it sent
    in the first ``within`` seconds (``counted`` set then), then sends the rest."""

    def __init__(self, within: float) -> None:
        self.within = within
        self.sent = 0
        self.counted = threading.Event()
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % (64 << 20))
            piece = b"x" * (1 << 20)
            conn.settimeout(0.05)
            until = time.monotonic() + self.within
            try:
                while time.monotonic() < until:
                    try:
                        self.sent += conn.send(piece)
                    except TimeoutError:
                        continue
                self.counted.set()
                conn.settimeout(10)
                rest = (64 << 20) - self.sent
                conn.sendall(piece * (rest >> 20) + piece[: rest & ((1 << 20) - 1)])
            except OSError:
                self.counted.set()


async def test_an_unread_body_is_not_buffered_whole() -> None:
    """While the body goes unread, reading pauses: the server can send little of 64 MiB."""
    server = _FloodServer(within=0.5)
    transport = AsyncioTransport()
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            url = f"http://127.0.0.1:{server.port}/"
            async with http.stream("GET", url) as response:
                await anyio.to_thread.run_sync(server.counted.wait, 5)
                # The kernel's buffers hold some MiB; the client takes no more than its bound.
                assert server.sent < 24 << 20
                assert len(await response.aread()) == 64 << 20
    finally:
        server.close()


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_trio_gets_a_clear_error(server: LocalServer) -> None:
    """Under trio the first request raises InvalidParameterError naming the transport."""
    transport = AsyncioTransport()
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, transport=transport
    ) as client:
        with pytest.raises(InvalidParameterError) as info:
            await client.models.list()
    assert info.value.param == "transport"
    assert "asyncio" in str(info.value)
    assert server.requests == []


async def test_closing_the_client_closes_every_socket_at_once() -> None:
    """A connection dropped mid-request is closed by the time the client is.

    asyncio closes an aborted socket in a callback; closing the transport runs them. The
    server sees the close at once: without it, stopping the server (which waits for its
    connections to end) waits out its 10 s.
    """
    with RawServer(lambda request: b"HTTP/1.1 2OO X\r\ncontent-length: 0\r\n\r\n") as raw:
        async with AsyncClient(
            base_url=raw.url, api_key="", max_retries=0, transport=AsyncioTransport()
        ) as client:
            with pytest.raises(APIConnectionError):
                await client.models.list()
        started = time.monotonic()
        raw.stop()
        assert time.monotonic() - started < 2
