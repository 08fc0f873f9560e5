"""Hostile and unusual answers over loopback, on each HTTP/1.1 transport asyncio may use.

``HTTP11Transport`` (h11 over anyio) is the reference; ``AsyncioTransport`` (a bare
asyncio Protocol, ``_asyncio_http``) must keep every guard it has. Each test runs a
threaded loopback server (``ScriptedServer``) that answers with exactly the bytes it is
told to, and goes through the public client: every failure is ``APIConnectionError``
or ``APITimeoutError``, no answer is read from bytes nobody asked for, no connection is
left counted, and a server's words never carry the key into an error or a log.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final, Protocol

import anyio
import anyio.to_thread
import httpx
import pytest

from openai_async import APIConnectionError, APITimeoutError, AsyncClient
from openai_async._asyncio_http import AsyncioTransport
from openai_async._http11 import HTTP11Transport

from .conftest import API_KEY
from .sockets import ThreadedServer
from .test_redaction import assert_withheld
from .test_transport import server_tls

pytestmark = pytest.mark.anyio

TRUE: Final = b'{"object": "list", "data": []}'
FORGED: Final = b'{"object": "list", "data": [{"id": "forged", "object": "model", "created": 0}]}'
CHUNK: Final = (
    b'{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": []}'
)
BIG_TRUE: Final = b'{"object": "list", "data": [], "padding": "%s"}' % (b"x" * (256 << 10))
MESSAGES: Final = [{"role": "user", "content": "hi"}]


class Pool(Protocol):
    """What both transports offer: httpx's transport interface, and their counts."""

    def counts(self) -> tuple[int, int]: ...

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response: ...

    async def aclose(self) -> None: ...


@pytest.fixture
def anyio_backend() -> str:
    """AsyncioTransport runs on asyncio only; the reference runs there too, for comparison."""
    return "asyncio"


class NewPool(Protocol):
    """Either transport class: both take these arguments."""

    def __call__(
        self, limits: httpx.Limits = ..., *, ssl_context: ssl.SSLContext | None = None
    ) -> Pool: ...


@pytest.fixture(params=[HTTP11Transport, AsyncioTransport], ids=lambda kind: kind.__name__)
def new_pool(request: pytest.FixtureRequest) -> NewPool:
    """The transport class under test (made per test, with its default limits)."""
    pool: NewPool = request.param
    return pool


def _client(url: str, transport: Pool, read: float = 3.0) -> AsyncClient:
    assert isinstance(transport, httpx.AsyncBaseTransport)
    return AsyncClient(
        base_url=url,
        api_key=API_KEY,
        max_retries=0,
        transport=transport,
        timeout=httpx.Timeout(5.0, read=read),
    )


# -- the server ---------------------------------------------------------------------------


class Close:
    """In an answer: the server closes the connection here (it stops sending, and reads on)."""


CLOSE: Final = Close()
# An answer: bytes to send, seconds to sleep, and CLOSE, in order. Without CLOSE the
# connection stays open for the next request.
Answer = Iterable[bytes | float | Close]


class Seen:
    """A request the server read: on which connection, its place there, and its head."""

    __slots__ = ("authorization", "connection", "head", "index", "order")

    def __init__(self, order: int, connection: int, index: int, head: bytes) -> None:
        self.order = order  # 1 for the server's first request
        self.connection = connection
        self.index = index  # 1 for a connection's first request
        self.head = head
        self.authorization = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"authorization":
                self.authorization = value.strip()


class ScriptedServer(ThreadedServer):
    """Answers each request with ``answer(seen)``, and records what each connection got.

    ``sent`` counts the bytes the kernel took from it; ``leftover[n]`` holds the bytes
    connection ``n`` received that made no whole request (written on a connection the
    client should have dropped); ``ended[n]`` is set once the client closed connection
    ``n`` (or reset it), when ``leftover[n]`` is final.
    """

    def __init__(self, answer: Callable[[Seen], Answer], tls: ssl.SSLContext | None = None) -> None:
        self.answer = answer
        self.tls = tls
        self.seen: list[Seen] = []
        self.sent = 0
        self.leftover: dict[int, bytes] = {}
        self.ended: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        super().__init__()

    @property
    def url(self) -> str:
        if self.tls is not None:
            return f"https://localhost:{self.port}/v1"  # the name the certificate has
        return f"http://127.0.0.1:{self.port}/v1"

    def requests_on(self, connection: int) -> int:
        return sum(1 for seen in self.seen if seen.connection == connection)

    async def wait_ended(self, connection: int, within: float = 2.0) -> bool:
        """Whether the client closed ``connection`` (waiting up to ``within`` seconds).

        The event loop runs meanwhile: asyncio closes a transport's socket in a callback.
        """
        ended = self.ended.setdefault(connection, threading.Event())
        return await anyio.to_thread.run_sync(ended.wait, within)

    def _serve(self, conn: socket.socket, number: int) -> None:
        ended = self.ended.setdefault(number, threading.Event())
        buffer = bytearray()  # received and not yet read as a request
        index = 0
        try:
            # A small send buffer: what the server manages to send is close to what the
            # client read (the client's own receive buffer aside).
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
            if self.tls is not None:  # each send() is a TLS record of its own
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn:
                while (head := _read_head(conn, buffer)) is not None:
                    _skip_body(conn, head, buffer)
                    index += 1
                    with self._lock:
                        seen = Seen(len(self.seen) + 1, number, index, head)
                        self.seen.append(seen)
                    if not self._send(conn, self.answer(seen)):
                        while data := conn.recv(65536):  # until the client closes
                            buffer += data
                        return
        except OSError:
            return  # reset by the client
        finally:
            self.leftover[number] = bytes(buffer)
            ended.set()

    def _send(self, conn: socket.socket, answer: Answer) -> bool:
        """Send an answer; False if it closed the connection (CLOSE)."""
        for item in answer:
            if isinstance(item, Close):
                conn.shutdown(socket.SHUT_WR)
                return False
            if isinstance(item, float):
                time.sleep(item)
                continue
            view = memoryview(item)
            while view:
                count = conn.send(view)
                with self._lock:
                    self.sent += count
                view = view[count:]
        return True


def _read_head(conn: socket.socket, buffer: bytearray) -> bytes | None:
    """The next request's head, taken from ``buffer``; None when the client closed."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    head = bytes(buffer[:end])
    del buffer[: end + 4]
    return head


def _skip_body(conn: socket.socket, head: bytes, buffer: bytearray) -> None:
    """Take the request's body (JSON, of a Content-Length) from ``buffer``."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        assert name.strip().lower() != b"transfer-encoding", "the client sends JSON bodies"
    while len(buffer) < length:
        data = conn.recv(65536)
        if not data:
            break
        buffer += data
    del buffer[:length]


class Serve(Protocol):
    """The ``serve`` fixture: starts a ``ScriptedServer`` (over TLS with ``tls``)."""

    def __call__(
        self, answer: Callable[[Seen], Answer], tls: ssl.SSLContext | None = None
    ) -> ScriptedServer: ...


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start ``ScriptedServer``s; each is closed after the test."""
    servers: list[ScriptedServer] = []

    def start(
        answer: Callable[[Seen], Answer], tls: ssl.SSLContext | None = None
    ) -> ScriptedServer:
        server = ScriptedServer(answer, tls)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _sized(body: bytes, status: bytes = b"200 OK", extra: bytes = b"") -> bytes:
    head = b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n"
    return head % (status, len(body), extra) + body


def _chunked(body: bytes, content_type: bytes = b"application/json") -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: %s\r\ntransfer-encoding: chunked\r\n\r\n"
    return head % content_type + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def _events(*data: bytes) -> bytes:
    return b"".join(b"data: %s\n\n" % item for item in data)


async def _ids(client: AsyncClient) -> list[str]:
    return [model.id for model in (await client.models.list()).data]


async def _stream(client: AsyncClient) -> int:
    stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    async with stream:
        return len([chunk async for chunk in stream])


# -- 1, 2: bytes nobody asked for are never an answer ---------------------------------------

PARTIAL: Final = b"HTTP/1.1 200 OK\r\ncontent-le"


@pytest.mark.parametrize("framing", ["content-length", "chunked", "256 KiB"])
@pytest.mark.parametrize("forgery", ["whole answer", "partial answer"])
@pytest.mark.parametrize("when", ["same write", "late"])
async def test_bytes_past_an_answer_are_never_read_as_the_next(
    new_pool: NewPool,
    serve: Serve,
    framing: str,
    forgery: str,
    when: str,
) -> None:
    """Past the first answer's end come more bytes: in its write, or 50 ms later (idle).

    The next request goes on a fresh connection and gets its true answer; not a byte of
    it is written on the overrun one. A body of 256 KiB is more than a transport may
    hold unread: it reads it in parts, and may pause reading in between.
    """
    frame = _chunked if framing == "chunked" else _sized
    first = BIG_TRUE if framing == "256 KiB" else TRUE

    def answer(seen: Seen) -> Answer:
        if seen.order > 1:
            return [frame(TRUE)]
        extra = frame(FORGED) if forgery == "whole answer" else PARTIAL
        return [frame(first), 0.05, extra] if when == "late" else [frame(first) + extra]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        await anyio.sleep(0.2)  # the late bytes have come, to an idle connection
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert await server.wait_ended(1)
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


@pytest.mark.parametrize("when", ["same write", "late"])
async def test_bytes_past_a_streamed_answer_are_never_read_as_the_next(
    new_pool: NewPool,
    serve: Serve,
    when: str,
) -> None:
    """A forged answer behind a whole event stream: the next request does not read it."""

    def answer(seen: Seen) -> Answer:
        if seen.order > 1:
            return [_sized(TRUE)]
        events = _chunked(_events(CHUNK, b"[DONE]"), b"text/event-stream")
        return [events, 0.05, _sized(FORGED)] if when == "late" else [events + _sized(FORGED)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _stream(client) == 1
        await anyio.sleep(0.2)
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert await server.wait_ended(1)
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_bytes_that_came_while_the_loop_was_busy_are_never_read_as_the_next(
    new_pool: NewPool,
    serve: Serve,
    framing: str,
) -> None:
    """The forged answer comes to the idle connection while the event loop is held up.

    A program busy between two requests (here a blocking sleep) runs no I/O callbacks:
    the bytes wait in the socket, unseen by any callback, when the next request takes
    its connection. They must be found there all the same, before anything is written.
    """
    frame = _chunked if framing == "chunked" else _sized

    def answer(seen: Seen) -> Answer:
        return [frame(TRUE), 0.05, frame(FORGED)] if seen.order == 1 else [frame(TRUE)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        time.sleep(0.2)  # noqa: ASYNC251  (busy: the forgery arrives meanwhile)
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert await server.wait_ended(1)
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


@pytest.mark.parametrize("when", ["next record", "late"])
async def test_over_tls_bytes_past_an_answer_are_never_read_as_the_next(
    new_pool: NewPool,
    serve: Serve,
    certificate: tuple[Path, Path],
    when: str,
) -> None:
    """Over TLS, a forged answer in a record of its own: at once, or 50 ms later (idle).

    The bytes may wait in the TLS layer rather than the socket: never read all the same.
    """

    def answer(seen: Seen) -> Answer:
        if seen.order > 1:
            return [_sized(TRUE)]
        return [_sized(TRUE), *([0.05] if when == "late" else []), _sized(FORGED)]

    server = serve(answer, server_tls(certificate))
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    transport = new_pool(ssl_context=trusting)
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        await anyio.sleep(0.2)
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert await server.wait_ended(1)
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


@pytest.mark.parametrize("method", ["HEAD", "DELETE"])
async def test_a_body_behind_a_bodiless_answer_is_never_read_as_the_next(
    new_pool: NewPool,
    serve: Serve,
    method: str,
) -> None:
    """A body sent after an answer that has none (to HEAD; a 204) overruns it: never reused.

    The answer to HEAD says how long its body would be; the 204 says so too, wrongly.
    Either way the bytes behind are a forged answer, not this one's body nor the next.
    """

    def answer(seen: Seen) -> Answer:
        status = b"200 OK" if method == "HEAD" else b"204 No Content"
        if seen.order == 1:
            return [_sized(FORGED, status)[: -len(FORGED)] + _sized(FORGED)]
        return [_sized(TRUE)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport) as client:
        first = await client.request(method, "models", cast_to=httpx.Response)
        assert first.content == b""
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert await server.wait_ended(1)
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


# -- 3: malformed answers are typed errors, read within bounds ------------------------------

OK_HEAD: Final = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
CHUNKED_HEAD: Final = OK_HEAD + b"transfer-encoding: chunked\r\n\r\n"
# What the server may manage to send of an endless answer: the 100 KiB the client may
# read, a read's worth past it, and the kernel's buffers between (under 200 KiB in all
# against the reference). A client that reads on gets far past it within the test.
SENT_BOUND: Final = 1 << 20


def _endless(start: bytes, block: bytes) -> Answer:
    yield start
    while True:
        yield block


# Answers no client may take; None: the server keeps the connection open after them,
# so that a client waiting for more instead of refusing them fails by its read timeout.
MALFORMED: Final[dict[str, Callable[[], Answer]]] = {
    "head past 100 KiB": lambda: _endless(OK_HEAD, b"x-pad: " + b"a" * 1000 + b"\r\n"),
    "header line without end": lambda: _endless(OK_HEAD + b"x-pad: ", b"a" * 4096),
    "status line without end": lambda: _endless(b"HTTP/1.1 200 ", b"a" * 4096),
    "status line not HTTP": lambda: [b"ICY 200 OK\r\ncontent-length: 2\r\n\r\n{}"],
    "status line of HTTP/2": lambda: [b"HTTP/2 200\r\ncontent-length: 2\r\n\r\n{}"],
    "status code not a number": lambda: [b"HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\n{}"],
    "content-length not a number": lambda: [OK_HEAD + b"content-length: 2x\r\n\r\n{}"],
    "content-length negative": lambda: [OK_HEAD + b"content-length: -2\r\n\r\n{}"],
    "content-length twice, differing": lambda: [
        OK_HEAD + b"content-length: 2\r\ncontent-length: 5\r\n\r\n{}"
    ],
    "content-length listing two": lambda: [OK_HEAD + b"content-length: 2, 5\r\n\r\n{}"],
    "space before a header's colon": lambda: [OK_HEAD + b"content-length : 2\r\n\r\n{}"],
    "control byte in a header value": lambda: [
        OK_HEAD + b"x-a: a\x00b\r\ncontent-length: 2\r\n\r\n{}"
    ],
    "bare CR in a header": lambda: [
        OK_HEAD + b"x-a: a\rcontent-length: 9\r\ncontent-length: 2\r\n\r\n{}"
    ],
    "bare LF in a header": lambda: [
        OK_HEAD + b"x-a: a\ncontent-length: 9\r\ncontent-length: 2\r\n\r\n{}"
    ],
    "transfer-encoding not chunked": lambda: [OK_HEAD + b"transfer-encoding: gzip\r\n\r\n{}"],
    "a transfer coding before chunked": lambda: [
        OK_HEAD + b"transfer-encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    ],
    "chunked twice": lambda: [
        OK_HEAD + b"transfer-encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    ],
    "whitespace before the first header": lambda: [
        b"HTTP/1.1 200 OK\r\n content-length: 2\r\ncontent-length: 2\r\n\r\n{}"
    ],
    "status code below 100": lambda: [b"HTTP/1.1 099 X\r\ncontent-length: 2\r\n\r\n{}"],
    "chunk size not hex": lambda: [CHUNKED_HEAD + b"zz\r\n{}\r\n0\r\n\r\n"],
    "chunk size without end": lambda: _endless(CHUNKED_HEAD, b"f" * 4096),
    "chunk extension without end": lambda: _endless(CHUNKED_HEAD + b"2;x=", b"a" * 4096),
    "chunk without its CRLF": lambda: [CHUNKED_HEAD + b"2\r\n{}XY0\r\n\r\n"],
    "trailers without end": lambda: _endless(CHUNKED_HEAD + b"2\r\n{}\r\n0\r\n", b"x-t: a\r\n"),
    "trailer line malformed": lambda: [CHUNKED_HEAD + b"2\r\n{}\r\n0\r\nx-t a\x00\r\n\r\n"],
    "closed before any answer": lambda: [CLOSE],
    "closed within the head": lambda: [OK_HEAD + b"content-le", CLOSE],
    "closed before the last chunk": lambda: [CHUNKED_HEAD + b"2\r\n{}\r\n", CLOSE],
    "closed within a chunk": lambda: [CHUNKED_HEAD + b"10\r\n{}", CLOSE],
    "closed before content-length": lambda: [OK_HEAD + b"content-length: 100\r\n\r\n{}", CLOSE],
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_answer_is_a_connection_error(
    new_pool: NewPool,
    serve: Serve,
    case: str,
) -> None:
    """Each is an APIConnectionError at once (not a timeout, not a hang), read in bounds.

    Its connection is closed, not kept: counted neither in use nor idle. An endless
    answer is refused once the client has read a little past 100 KiB.
    """
    server = serve(lambda seen: MALFORMED[case]())
    transport = new_pool()
    async with _client(server.url, transport) as client:
        with anyio.fail_after(10), pytest.raises(APIConnectionError) as caught:
            await _ids(client)
        assert not isinstance(caught.value, APITimeoutError), "it waited for more"
        assert transport.counts() == (0, 0)
        assert await server.wait_ended(1), "the connection is still open"
    assert server.sent < SENT_BOUND


# A streamed answer whose body goes wrong after its first event.
STREAM_HEAD: Final = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
)
FIRST_EVENT: Final = b"%x\r\n%s\r\n" % (len(_events(CHUNK)), _events(CHUNK))
MALFORMED_STREAMS: Final[dict[str, Callable[[], Answer]]] = {
    "chunk size not hex": lambda: [STREAM_HEAD + FIRST_EVENT + b"zz\r\n"],
    "chunk size without end": lambda: _endless(STREAM_HEAD + FIRST_EVENT, b"f" * 4096),
    "chunk without its CRLF": lambda: [STREAM_HEAD + b"%s" % FIRST_EVENT[:-2] + b"XY"],
    "closed before the last chunk": lambda: [STREAM_HEAD + FIRST_EVENT, CLOSE],
    "closed within a chunk": lambda: [STREAM_HEAD + FIRST_EVENT + b"100\r\ndata: {", CLOSE],
}


@pytest.mark.parametrize("case", list(MALFORMED_STREAMS))
async def test_a_malformed_stream_is_a_connection_error(
    new_pool: NewPool,
    serve: Serve,
    case: str,
) -> None:
    """After a good first event, a broken body is an APIConnectionError from the stream."""
    server = serve(lambda seen: MALFORMED_STREAMS[case]())
    transport = new_pool()
    async with _client(server.url, transport) as client:
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async with stream:
            await stream.__anext__()
            with anyio.fail_after(10), pytest.raises(APIConnectionError) as caught:
                await stream.__anext__()
        assert not isinstance(caught.value, APITimeoutError), "it waited for more"
        assert transport.counts() == (0, 0)
        assert await server.wait_ended(1), "the connection is still open"
    assert server.sent < SENT_BOUND


async def test_a_folded_header_is_refused_or_unfolded(
    new_pool: NewPool,
    serve: Serve,
) -> None:
    """Obsolete line folding: refused (typed), or unfolded into its header's value.

    RFC 9112 (5.2) lets a client take it, replacing the fold by spaces, as h11 (and so
    the reference) does; what neither may do is read the folded line as a header of its
    own (here a second Content-Length, which would reframe the body).
    """
    folded = OK_HEAD + b"x-folded: a\r\n content-length: 0\r\ncontent-length: %d\r\n\r\n"
    server = serve(lambda seen: [folded % len(TRUE) + TRUE])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        refused: APIConnectionError | None = None
        try:
            raw = await client.models.with_raw_response.list()
        except APIConnectionError as exc:
            refused = exc
        else:
            assert raw.headers.get_list("content-length") == [str(len(TRUE))]
            assert " ".join(raw.headers["x-folded"].split()) == "a content-length: 0"
            assert [m.id for m in raw.parse().data] == []
        if refused is not None:
            assert not isinstance(refused, APITimeoutError), "it waited for more"
            assert transport.counts() == (0, 0)


async def test_chunked_and_a_content_length_is_refused_or_read_by_its_chunks(
    new_pool: NewPool,
    serve: Serve,
) -> None:
    """Both framings at once (a smuggling attempt): refused, typed, or read by the chunks.

    RFC 9112 (6.3) has Transfer-Encoding override Content-Length, as h11 (and so the
    reference) does, and calls such an answer a likely attack, best refused. Never may
    the Content-Length frame it: the next request would read the chunks' rest.
    """
    both = OK_HEAD + b"content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n"
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(TRUE), TRUE)
    server = serve(lambda seen: [both + body] if seen.order == 1 else [_sized(TRUE)])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        refused: APIConnectionError | None = None
        try:
            assert await _ids(client) == []
        except APIConnectionError as exc:
            refused = exc
        if refused is not None:
            assert not isinstance(refused, APITimeoutError), "it waited for more"
            assert transport.counts() == (0, 0)
        assert await _ids(client) == []
    if refused is None:
        assert server.requests_on(1) == 2  # read to its exact end, and kept
    else:
        assert server.connections == 2


# -- 4: a server's words never carry the key out ------------------------------------------

ECHOES: Final[dict[str, Callable[[bytes], bytes]]] = {
    "as the status line": lambda key: key + b"\r\n\r\n",
    "as the status code": lambda key: b"HTTP/1.1 " + key + b" OK\r\ncontent-length: 2\r\n\r\n{}",
    "in a reason with a NUL": lambda key: (
        b"HTTP/1.1 200 " + key + b"\x00\r\ncontent-length: 2\r\n\r\n{}"
    ),
    "as a header line without colon": lambda key: OK_HEAD + key + b"\r\n\r\n{}",
    "in a header's name": lambda key: OK_HEAD + b"x-" + key + b": 1\r\n\r\n{}",
    "in a header value with a NUL": lambda key: OK_HEAD + b"x-echo: " + key + b"\x00\r\n\r\n{}",
    "as the content-length": lambda key: OK_HEAD + b"content-length: " + key + b"\r\n\r\n{}",
    "as the transfer-encoding": lambda key: OK_HEAD + b"transfer-encoding: " + key + b"\r\n\r\n",
    "as a chunk size": lambda key: CHUNKED_HEAD + key + b"\r\n{}\r\n0\r\n\r\n",
    "as a trailer line": lambda key: CHUNKED_HEAD + b"2\r\n{}\r\n0\r\n" + key + b"\r\n\r\n",
}


@pytest.mark.parametrize("where", list(ECHOES))
async def test_an_echoed_key_stays_out_of_errors_and_logs(
    new_pool: NewPool,
    serve: Serve,
    caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    """The server puts the request's Authorization value in a malformed answer.

    It is refused, typed, and the key is neither in the logs nor anywhere the error
    shows itself (``assert_withheld``: its traceback, the str, repr and args of every
    exception reachable from it through ``__cause__`` and ``__context__``, suppressed
    or not).
    """
    transport = new_pool()
    server = serve(lambda seen: [ECHOES[where](seen.authorization)])
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with _client(server.url, transport, read=1.0) as client:
        with anyio.fail_after(10):
            try:
                await _ids(client)
            except APIConnectionError as exc:
                errors.append(exc)
    # Trailers may be dropped unread (RFC 9112, 7.1.2), with a bad line in them; anything
    # else here is refused.
    assert errors or where == "as a trailer line", "a malformed answer was taken"
    assert server.seen[0].authorization == f"Bearer {API_KEY}".encode()  # it was echoed
    assert API_KEY[:12] not in caplog.text
    for error in errors:
        assert_withheld(error)


# -- 5: unusual answers that are valid ------------------------------------------------------


@pytest.mark.parametrize("apart", [False, True], ids=["one write", "apart"])
async def test_informational_answers_come_before_the_real_one(
    new_pool: NewPool,
    serve: Serve,
    apart: bool,
) -> None:
    """100 Continue and 103 Early Hints, then the answer: it is read, and its connection kept."""
    early = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n"
    server = serve(lambda seen: [early, 0.02, _sized(TRUE)] if apart else [early + _sized(TRUE)])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert (server.connections, server.requests_on(1)) == (1, 2)


UNUSUAL_HEADS: Final[dict[str, bytes]] = {
    "no reason phrase": b"HTTP/1.1 200\r\n",
    "an empty reason phrase": b"HTTP/1.1 200 \r\n",
    "a reason in Latin-1": b"HTTP/1.1 200 D\xe9j\xe0 vu\r\n",
    "no space after colons": b"HTTP/1.1 200 OK\r\nx-a:1\r\n",
    "an empty header value": b"HTTP/1.1 200 OK\r\nx-a:\r\nx-b: \r\n",
    "whitespace around a value": b"HTTP/1.1 200 OK\r\nx-a: \t 1 \t\r\n",
    "upper-case names": b"HTTP/1.1 200 OK\r\nX-A: 1\r\nCONTENT-TYPE: application/json\r\n",
    "a thousand headers": b"HTTP/1.1 200 OK\r\n" + b"x-a: 1\r\n" * 1000,
    "a head of 90 KiB": b"HTTP/1.1 200 OK\r\n" + (b"x-a: " + b"a" * 1017 + b"\r\n") * 90,
    "the same content-length twice": b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n" % len(TRUE),
}


@pytest.mark.parametrize("kind", list(UNUSUAL_HEADS))
async def test_an_unusual_but_valid_head_is_read(
    new_pool: NewPool,
    serve: Serve,
    kind: str,
) -> None:
    """Heads HTTP/1.1 allows, though servers seldom send them: read, and the connection kept."""
    head = UNUSUAL_HEADS[kind] + b"content-length: %d\r\n\r\n" % len(TRUE)
    server = serve(lambda seen: [head + TRUE])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert server.connections == 1


ENDS_CONNECTION: Final[dict[str, bytes]] = {
    "HTTP/1.0": b"HTTP/1.0 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(TRUE), TRUE),
    "Connection: close": _sized(TRUE, extra=b"connection: close\r\n"),
    "HTTP/1.0, ended by its close": b"HTTP/1.0 200 OK\r\n\r\n" + TRUE,
    "HTTP/1.1, ended by its close": b"HTTP/1.1 200 OK\r\n\r\n" + TRUE,
}


@pytest.mark.parametrize("kind", list(ENDS_CONNECTION))
async def test_an_answer_that_ends_its_connection_is_not_reused(
    new_pool: NewPool,
    serve: Serve,
    kind: str,
) -> None:
    """HTTP/1.0 without keep-alive, or Connection: close: read, and the connection closed.

    The server keeps it open (unless its close ends the body): the client must close it.
    """
    ended_by_close = "close" in kind and "Connection" not in kind
    server = serve(lambda seen: [ENDS_CONNECTION[kind], *([CLOSE] if ended_by_close else [])])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        assert await _ids(client) == []
        assert transport.counts() == (0, 0)
        assert await server.wait_ended(1), "the connection is still open"
        assert await _ids(client) == []
    assert (server.connections, server.requests_on(1), server.leftover[1]) == (2, 1, b"")


@pytest.mark.parametrize("method", ["HEAD", "DELETE"])
async def test_an_answer_without_a_body_is_not_waited_for(
    new_pool: NewPool,
    serve: Serve,
    method: str,
) -> None:
    """A 200 to HEAD with a Content-Length, a 204 with none: no body, and the connection kept."""
    answer = _sized(TRUE)[: -len(TRUE)] if method == "HEAD" else b"HTTP/1.1 204 No Content\r\n\r\n"
    server = serve(lambda seen: [answer])
    transport = new_pool()
    async with _client(server.url, transport, read=1.0) as client:
        for _ in range(2):
            with anyio.fail_after(0.5):
                response = await client.request(method, "models", cast_to=httpx.Response)
            assert response.content == b""
        assert transport.counts() == (0, 1)
    assert (server.connections, server.requests_on(1)) == (1, 2)


@pytest.mark.parametrize("busy", [False, True], ids=["waiting", "busy"])
async def test_an_idle_connection_the_server_closed_is_not_reused(
    new_pool: NewPool,
    serve: Serve,
    busy: bool,
) -> None:
    """The server closes after its answer, without saying so: the next request goes anew.

    Also when the close came while the event loop was held up (no callback saw it).
    """
    server = serve(lambda seen: [_sized(TRUE), CLOSE])
    transport = new_pool()
    async with _client(server.url, transport) as client:
        for _ in range(3):
            assert await _ids(client) == []
            if busy:
                time.sleep(0.05)  # noqa: ASYNC251  (the server's close comes meanwhile)
            else:
                await anyio.sleep(0.05)  # the server's close has come
    assert [await server.wait_ended(n) for n in (1, 2, 3)] == [True, True, True]
    assert server.connections == 3
    assert [server.leftover[n] for n in (1, 2, 3)] == [b"", b"", b""]


# -- 6: a stalled body times out, and its connection goes --------------------------------


async def test_a_stall_in_a_stream_times_out(
    new_pool: NewPool,
    serve: Serve,
) -> None:
    """The stream's next event comes after the read timeout: APITimeoutError, connection gone."""
    rest = b"%x\r\n%s\r\n0\r\n\r\n" % (len(_events(b"[DONE]")), _events(b"[DONE]"))

    def answer(seen: Seen) -> Answer:
        if seen.order == 1:
            return [STREAM_HEAD + FIRST_EVENT, 1.0, rest]
        return [_sized(TRUE)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport, read=0.2) as client:
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async with stream:
            await stream.__anext__()
            with anyio.fail_after(5), pytest.raises(APITimeoutError):
                await stream.__anext__()
        assert transport.counts() == (0, 0)
        assert await server.wait_ended(1, within=3)
        assert await _ids(client) == []
    assert server.connections == 2


@pytest.mark.parametrize("where", ["head", "body"])
async def test_a_stall_in_a_head_or_body_times_out(
    new_pool: NewPool,
    serve: Serve,
    where: str,
) -> None:
    """Half a head or body, then nothing past the read timeout: APITimeoutError, connection gone."""
    whole = _sized(TRUE)
    half = len(OK_HEAD) // 2 if where == "head" else len(whole) - len(TRUE) // 2

    def answer(seen: Seen) -> Answer:
        if seen.order == 1:
            return [whole[:half], 1.0, whole[half:]]
        return [whole]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport, read=0.2) as client:
        with anyio.fail_after(5), pytest.raises(APITimeoutError):
            await _ids(client)
        assert transport.counts() == (0, 0)
        assert await _ids(client) == []
    assert server.connections == 2


async def test_each_request_on_a_kept_connection_has_its_own_read_timeout(
    new_pool: NewPool,
    serve: Serve,
) -> None:
    """A request with a short read timeout, on a connection a long one used: the short one.

    And the other way round: a long read timeout after a short one does not expire early.
    """
    stalls = {2: 1.0, 3: 0.4}  # the second answer stalls 1 s, the third 0.4 s

    def answer(seen: Seen) -> Answer:
        return [stalls.get(seen.order, 0.0), _sized(TRUE)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport, read=5.0) as client:
        assert await _ids(client) == []
        short = client.with_options(timeout=httpx.Timeout(5.0, read=0.2))
        start = time.monotonic()
        with anyio.fail_after(5), pytest.raises(APITimeoutError):
            await _ids(short)
        assert time.monotonic() - start < 0.8
        assert await _ids(client) == []  # on a new connection, stalled 0.4 s: within 5 s
        assert await _ids(short) == []  # reused: no stall
    assert server.connections == 2


# -- 7: cancelled while its body is read --------------------------------------------------


@pytest.mark.parametrize("call", ["list", "stream"])
async def test_a_request_cancelled_within_its_body_leaves_nothing_counted(
    new_pool: NewPool,
    serve: Serve,
    call: str,
) -> None:
    """Two idle connections; a request on one is cancelled as its body comes (stalled).

    Its connection is closed, the other stays idle: counts() is (0, 1). The next request
    takes the idle one and works.
    """
    half = len(TRUE) // 2

    def answer(seen: Seen) -> Answer:
        if seen.order <= 2:
            return [0.1, _sized(TRUE)]  # so that the first two overlap
        if seen.order == 3:
            if call == "stream":
                return [STREAM_HEAD + FIRST_EVENT, 2.0]
            return [_sized(TRUE)[:-half], 2.0, TRUE[-half:]]
        return [_sized(TRUE)]

    server = serve(answer)
    transport = new_pool()
    async with _client(server.url, transport) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(_ids, client)
            group.start_soon(_ids, client)
        assert transport.counts() == (0, 2)
        with anyio.move_on_after(0.3) as scope:
            if call == "stream":
                await _stream(client)
            else:
                await _ids(client)
        assert scope.cancelled_caught
        assert len(server.seen) == 3  # it was cancelled within its answer
        assert transport.counts() == (0, 1)
        assert await _ids(client) == []
        assert transport.counts() == (0, 1)
    assert server.connections == 2
