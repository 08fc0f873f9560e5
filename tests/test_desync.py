"""A connection whose answer overran its Content-Length is never used again (issue 14).

The server below answers the first request with a body longer than its
Content-Length: the extra bytes are a whole forged answer. Reusing that connection,
a client would take the forgery as the answer to its next request (raw httpx does).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from openai_async import AsyncClient

TRUE = b'{"object": "list", "data": []}'
FORGED = b'{"object": "list", "data": [{"id": "forged", "object": "model", "created": 0}]}'


def _answer(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % len(body) + body


class KeepAliveServer:
    """Answers every request on a connection, in order; the first one with a forgery behind."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
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
                    answer = _answer(TRUE)
                    if self.requests == 1:
                        answer += _answer(FORGED)  # past the Content-Length
                    conn.sendall(answer)


@pytest.fixture
def keepalive() -> Iterator[KeepAliveServer]:
    server = KeepAliveServer()
    yield server
    server.listener.close()


def test_default_asyncio_transport_drops_the_overrun_connection(
    keepalive: KeepAliveServer,
) -> None:
    """On asyncio's default pool the next request gets its true answer, on a new connection."""

    async def main() -> list[list[str]]:
        async with AsyncClient(base_url=keepalive.url, api_key="", max_retries=0) as client:
            first = await client.models.list()
            await asyncio.sleep(0.05)  # the forgery has arrived by now
            second = await client.models.list()
        return [[m.id for m in page.data] for page in (first, second)]

    assert asyncio.run(main()) == [[], []]
    assert keepalive.requests == 2
    assert keepalive.connections == 2
