"""A server that echoes the key back gets it into no message, repr or traceback of ours.

The server has the key (we sent it); an error message that quotes it, or a malformed
answer made of it, would otherwise carry it into logs and tracebacks.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback

import httpx
import pydantic
import pytest

from openai_async import (
    APIConnectionError,
    APIResponseValidationError,
    AsyncClient,
    AuthenticationError,
    OpenAIError,
    StreamDecodeError,
    StreamEventError,
)
from openai_async._exceptions import REDACTED, quotes_credentials
from openai_async.testing import LocalServer, RawRequest, RawServer, raw_response

from .conftest import API_KEY

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "hi"}]
AZURE_KEY = "azure-0123456789abcdef-KEY"


def every_link(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it was raised from or during, each once.

    Contexts included, suppressed or not: tracebacks do not show a suppressed one, but
    it stays reachable (``__context__``) to anything that walks the chain itself.
    """
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is not None and all(item is not other for other in found):
            found.append(item)
            todo += [item.__cause__, item.__context__]
    return found


def assert_withheld(exc: BaseException, secret: str = API_KEY) -> None:
    """Neither the secret nor its first 12 characters anywhere ``exc`` shows itself.

    Its traceback, and the str, repr and args of every exception reachable from it.
    """
    shown = "".join(traceback.format_exception(exc))
    for each in every_link(exc):
        shown += f"{each!s} {each!r} {each.args!r}"
    assert secret[:12] not in shown, shown[-2000:]


async def test_a_status_error_that_quotes_the_key(client: AsyncClient, server: LocalServer) -> None:
    body = {"error": {"message": f"Incorrect API key provided: {API_KEY}.", "type": "auth"}}
    server.inject(status=401, body=body)
    with pytest.raises(AuthenticationError) as info:
        await client.models.list()
    assert_withheld(info.value)
    assert f"Incorrect API key provided: {REDACTED} (request id" in str(info.value)
    assert info.value.body == body["error"]  # what the server sent stays on .body


async def test_a_key_cut_short_by_the_excerpt(client: AsyncClient, server: LocalServer) -> None:
    """The message quotes at most 500 characters: a copy cut inside the key goes too."""
    server.inject(status=400, body={"error": {"message": "x" * 480 + API_KEY}})
    with pytest.raises(OpenAIError) as info:
        await client.models.list()
    assert API_KEY not in "x" * 480 + str(info.value)[:500]  # the cut fell inside the key
    assert_withheld(info.value)


async def test_a_header_secret_of_the_callers(server: LocalServer) -> None:
    """Azure's ``api-key`` (a default header) is a credential like the bearer key."""
    server.inject(status=401, body={"error": {"message": f"bad api-key {AZURE_KEY}"}})
    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=0, default_headers={"api-key": AZURE_KEY}
    ) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.models.list()
    assert_withheld(info.value, AZURE_KEY)


def _echo_event(request: RawRequest) -> bytes:
    key = request.headers["authorization"].removeprefix("Bearer ")
    event = json.dumps({"error": {"message": f"key {key} is revoked"}})
    body = f"data: {event}\n\n".encode()
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
    )


async def test_an_error_event_that_quotes_the_key() -> None:
    with RawServer(_echo_event) as raw:
        async with AsyncClient(base_url=raw.url, api_key=API_KEY, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            async with stream:
                with pytest.raises(StreamEventError) as info:
                    await stream.__anext__()
    assert_withheld(info.value)
    assert REDACTED in str(info.value)


def _malformed(where: str) -> object:
    def answer(request: RawRequest) -> bytes:
        key = request.headers["authorization"].encode()
        if where == "status":
            return b"HTTP/1.1 2OO " + key + b"\r\ncontent-length: 0\r\n\r\n"
        if where == "chunk size":  # refused while the body is read
            return b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + key + b"\r\n"
        return b"HTTP/1.1 200 OK\r\n" + key + b"\r\ncontent-length: 0\r\n\r\n"

    return answer


@pytest.mark.parametrize("where", ["status", "header", "chunk size"])
async def test_a_malformed_answer_made_of_the_key(where: str) -> None:
    """The parser's error quotes the bytes it refused; neither it nor ours shows the key."""
    with RawServer(_malformed(where)) as raw:  # type: ignore[arg-type]
        async with AsyncClient(base_url=raw.url, api_key=API_KEY, max_retries=0) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    assert_withheld(info.value)


def _httpx_pool() -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport()


@pytest.mark.parametrize("where", ["status", "header", "chunk size"])
async def test_a_malformed_answer_made_of_the_key_on_httpx_pool(where: str) -> None:
    """Through a transport given to the client (httpcore's): the same, via HTTPXSend."""
    with RawServer(_malformed(where)) as raw:  # type: ignore[arg-type]
        async with AsyncClient(
            base_url=raw.url, api_key=API_KEY, max_retries=0, transport=_httpx_pool()
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.models.list()
    assert_withheld(info.value)


def _body_of_the_key(kind: str) -> object:
    def answer(request: RawRequest) -> bytes:
        key = request.headers["authorization"].encode()
        if kind == "not utf-8":
            body = b'{"object": "list", "data": ["' + key + b'\xff"]}'
        else:  # a model whose "created" is the key, where an integer goes
            body = (
                b'{"object": "list", "data": [{"id": "m", "object": "model", "created": "'
                + key
                + b'", "owned_by": "o"}]}'
            )
        return raw_response(200, [("content-type", "application/json")], body)

    return answer


@pytest.mark.parametrize("kind", ["not utf-8", "does not fit"])
async def test_a_body_made_of_the_key_that_does_not_decode(kind: str) -> None:
    """The decoder's error quotes the body; neither it nor ours shows the key."""
    with RawServer(_body_of_the_key(kind)) as raw:  # type: ignore[arg-type]
        async with AsyncClient(base_url=raw.url, api_key=API_KEY, max_retries=0) as client:
            with pytest.raises(OpenAIError) as info:
                await client.models.list()
    assert_withheld(info.value)


def _chunk_of_the_key(request: RawRequest) -> bytes:
    key = request.headers["authorization"]
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": key, "model": "m"}
    body = f"data: {json.dumps({**chunk, 'choices': []})}\n\n".encode()
    return raw_response(200, [("content-type", "text/event-stream")], body)


async def test_a_stream_chunk_made_of_the_key_that_does_not_fit() -> None:
    """The structuring error quotes the value; neither it nor ours shows the key."""
    with RawServer(_chunk_of_the_key) as raw:
        async with AsyncClient(base_url=raw.url, api_key=API_KEY, max_retries=0) as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            async with stream:
                with pytest.raises(StreamDecodeError) as info:
                    await stream.__anext__()
    assert_withheld(info.value)


class _Count(pydantic.BaseModel):
    count: int


def _answer_of_the_key(request: RawRequest) -> bytes:
    key = request.headers["authorization"]
    message = {"role": "assistant", "content": json.dumps({"count": key})}
    body = {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
    }
    return raw_response(200, [("content-type", "application/json")], json.dumps(body).encode())


async def test_a_parsed_answer_made_of_the_key_that_does_not_fit() -> None:
    """pydantic's error quotes the input; neither it nor ours shows the key."""
    with RawServer(_answer_of_the_key) as raw:
        async with AsyncClient(base_url=raw.url, api_key=API_KEY, max_retries=0) as client:
            with pytest.raises(APIResponseValidationError) as info:
                await client.chat.completions.parse(
                    model="m", messages=MESSAGES, response_format=_Count
                )
    assert_withheld(info.value)


def _linked(quoting: str) -> BaseException:
    """An exception that reaches one quoting the key: as its context beside a clean cause,
    or as the context of a member of an exception group (whose repr shows its members)."""
    quoted = ValueError(f"bad value {API_KEY!r}")
    error = TypeError("clean")
    error.__context__ = quoted
    if quoting == "context beside a cause":
        error.__cause__ = TypeError("clean too")
        return error
    return ExceptionGroup("clean", [error])


@pytest.mark.parametrize("quoting", ["context beside a cause", "group member"])
def test_quotes_credentials_looks_at_every_link(quoting: str) -> None:
    """What decides whether an error of ours may chain to a parser's: every reachable link."""
    request = httpx.Request("GET", "http://x/v1", headers={"authorization": f"Bearer {API_KEY}"})
    assert quotes_credentials(_linked(quoting), request)
    assert not quotes_credentials(RuntimeError("clean"), request)


async def test_a_malformed_answer_made_of_the_key_mid_upload() -> None:
    """The server answers mid-upload with the key as its status line, and closes.

    The client's write fails and its read too (h11's error quotes the line): the write's
    error is the one raised, and neither it nor ours reaches the read's.
    """
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(65536)
            time.sleep(0.2)  # the client is deep in the body, its writes blocked
            key = next(
                line.split(b": ", 1)[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"authorization:")
            )
            conn.sendall(key + b"\r\n\r\n")
        # Closed with the body unread: the client's next write fails.

    threading.Thread(target=serve, daemon=True).start()
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        async with AsyncClient(base_url=base_url, api_key=API_KEY, max_retries=0) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.request("POST", "uploads", content=b"x" * (64 << 20))
    finally:
        listener.close()
    assert_withheld(info.value)
