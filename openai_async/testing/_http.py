"""A small HTTP/1.1 server on asyncio streams and h11.

Why not an ASGI server: the point of this server is to misbehave on purpose (close
the socket before answering, stop a chunked body halfway, split an event across
writes), and those need the socket in hand. h11 does the parsing and framing and
is already installed with httpx (through httpcore), so this costs no dependency.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import h11

__all__ = [
    "DROP",
    "RESET",
    "Abort",
    "HTTPServer",
    "ServerRequest",
    "ServerResponse",
    "json_response",
]


class Abort(Exception):
    """Raised by a streamed body to close the connection without finishing it."""


@attrs.frozen
class ServerRequest:
    """A request as the server received it."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined by ", "
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class ServerResponse:
    """What a handler answers: ``body`` as bytes, or an async iterator of chunks."""

    status: int = 200
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | AsyncIterator[bytes] = b""


DROP = ServerResponse(status=0)
"""Answer nothing and close the connection."""

RESET = ServerResponse(status=-1)
"""Answer nothing and reset the connection (a TCP RST, not a clean close)."""


def json_response(
    obj: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> ServerResponse:
    return ServerResponse(
        status=status,
        headers={"content-type": "application/json", **(headers or {})},
        body=json.dumps(obj).encode(),
    )


Handler = Callable[[ServerRequest], Awaitable[ServerResponse]]


class HTTPServer:
    """Serve ``handler`` on a loopback port; counts connections for leak tests."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections_opened = 0
        self.connections_open = 0

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_connect, self._host, self._port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections_opened += 1
        self.connections_open += 1
        try:
            await self._serve(reader, writer)
        except (ConnectionError, h11.ProtocolError, Abort, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # close() cancels us; asyncio would log a cancelled callback task
        finally:
            self.connections_open -= 1
            self._tasks.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            request = await _read_request(conn, reader)
            if request is None:
                return
            response = await self._handler(request)
            if response is DROP:
                return
            if response is RESET:
                _reset(writer)
                return
            await _write_response(conn, writer, response)
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()


def _reset(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER on, timeout 0: closing sends RST, so the client sees ECONNRESET.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _read_request(conn: h11.Connection, reader: asyncio.StreamReader) -> ServerRequest | None:
    start: h11.Request | None = None
    body: list[bytes] = []
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Request):
            start = event
        elif isinstance(event, h11.Data):
            body.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            assert start is not None
            return _to_request(start, b"".join(body))
        elif isinstance(event, h11.ConnectionClosed):
            return None
        else:  # pragma: no cover - h11 events we do not expect from a client
            return None


def _to_request(start: h11.Request, body: bytes) -> ServerRequest:
    target = urlsplit(start.target.decode())
    headers: dict[str, str] = {}
    for name, value in start.headers:
        key = name.decode().lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return ServerRequest(
        method=start.method.decode(),
        path=target.path,
        query=dict(parse_qsl(target.query)),
        headers=headers,
        body=body,
    )


async def _write_response(
    conn: h11.Connection, writer: asyncio.StreamWriter, response: ServerResponse
) -> None:
    headers = [(k.encode(), v.encode()) for k, v in response.headers.items()]
    body = response.body
    if isinstance(body, bytes):
        headers.append((b"content-length", str(len(body)).encode()))
    try:
        reason = HTTPStatus(response.status).phrase.encode()
    except ValueError:
        reason = b""
    writer.write(
        conn.send(h11.Response(status_code=response.status, headers=headers, reason=reason))
    )
    if isinstance(body, bytes):
        if body:
            writer.write(conn.send(h11.Data(data=body)))
    else:
        async for chunk in body:  # Abort propagates and closes the connection
            if chunk:
                writer.write(conn.send(h11.Data(data=chunk)))
                await writer.drain()
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()
