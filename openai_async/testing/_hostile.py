"""``RawServer``: a loopback server that answers with exactly the bytes you give it.

``LocalServer`` speaks correct HTTP through h11, which is what makes it a good
OpenAI stand-in and keeps it from sending what a hostile server would: header bytes
h11 refuses, a body longer than its ``Content-Length``, a line of 500 MB without a
newline. A ``RawServer`` reads each request's head and body and writes whatever its
``answer`` function returns, unchecked, then closes the connection::

    def answer(request: RawRequest) -> Iterable[bytes]:
        yield b"HTTP/1.1 200 OK\\r\\ncontent-type: text/event-stream\\r\\n\\r\\n"
        while True:
            yield b"x" * 65536  # data without end: the client must stop reading

    with RawServer(answer) as server:
        client = AsyncClient(base_url=server.url, api_key="")

Each connection runs in its own thread with a blocking socket; a client that goes
away ends the answer (the write fails). ``sent`` counts the body bytes written.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable
from types import TracebackType

import attrs

__all__ = ["RawRequest", "RawServer", "raw_response"]


@attrs.frozen
class RawRequest:
    """What a ``RawServer`` received: the request line and head, parsed loosely, and body."""

    method: str
    target: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


def raw_response(
    status: int = 200,
    headers: Iterable[tuple[str | bytes, str | bytes]] = (),
    body: bytes = b"",
    *,
    content_length: int | None = None,
) -> bytes:
    """An HTTP/1.1 answer as bytes; header names and values go out as given (str as latin-1).

    ``content_length`` defaults to the body's length; pass another number to lie.
    """
    lines = [f"HTTP/1.1 {status} X".encode()]
    for name, value in headers:
        raw_name = name.encode("latin-1") if isinstance(name, str) else name
        raw_value = value.encode("latin-1") if isinstance(value, str) else value
        lines.append(raw_name + b": " + raw_value)
    length = len(body) if content_length is None else content_length
    lines.append(b"content-length: " + str(length).encode())
    lines.append(b"connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


Answer = Callable[[RawRequest], bytes | Iterable[bytes]]


class RawServer:
    """Answer every request on a loopback port with ``answer(request)``'s bytes."""

    def __init__(self, answer: Answer, *, host: str = "127.0.0.1") -> None:
        self._answer = answer
        self._listener = socket.create_server((host, 0))
        self._host = host
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.requests: list[RawRequest] = []
        self.sent = 0
        self.connections_open = 0

    @property
    def url(self) -> str:
        """The base URL to give the client, ``http://127.0.0.1:PORT/v1``."""
        port = self._listener.getsockname()[1]
        return f"http://{self._host}:{port}/v1"

    def start(self) -> RawServer:
        thread = threading.Thread(target=self._accept, name="openai_async-raw-server", daemon=True)
        thread.start()
        self._threads.add(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        # Wakes accept(): shutdown on a listening socket makes it fail at once on Linux.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=10)

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._threads.add(thread)
                self.connections_open += 1
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(30)
                request = _read_request(conn)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                answer = self._answer(request)
                for chunk in [answer] if isinstance(answer, bytes) else answer:
                    if self._stopped.is_set():
                        return
                    conn.sendall(chunk)
                    with self._lock:
                        self.sent += len(chunk)
                conn.shutdown(socket.SHUT_WR)
                while conn.recv(65536):  # until the client closes: no reset of unread bytes
                    pass
        except OSError:
            pass  # the client went away: that ends the answer
        finally:
            with self._lock:
                self.connections_open -= 1
                self._threads.discard(threading.current_thread())


def _read_request(conn: socket.socket) -> RawRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    first, *lines = head.decode("latin-1").split("\r\n")
    method, target, *_ = first.split(" ")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return RawRequest(method=method, target=target, headers=headers, body=body)
