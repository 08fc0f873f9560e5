"""A hostile server over loopback: every failure its answer causes is an OpenAIError.

``LocalServer.inject`` sends well-formed HTTP with hostile bodies and headers;
``RawServer`` sends what h11 would refuse to (header bytes, endless lines).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import pytest

from openai_async import (
    APIResponseValidationError,
    AsyncClient,
    BadRequestError,
    BatchRequest,
    InternalServerError,
    OpenAIError,
    RateLimitError,
    StreamDecodeError,
    StreamEnd,
    StreamEventError,
    StreamTooLargeError,
    rate_limits_of,
)
from openai_async.testing import LocalServer, RawRequest, RawServer, instant_retries, raw_response
from openai_async.types import ChatCompletion

from .conftest import API_KEY

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "hi"}]
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"error":' * 50_000 + "1" + "}" * 50_000
MESSAGE_LIMIT = 1300  # an excerpt (500) twice, and the words around it

REPLY = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-3.5-turbo",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
}


async def chat(client: AsyncClient) -> ChatCompletion:
    return await client.chat.completions.create(model="gpt-3.5-turbo", messages=MESSAGES)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
async def test_deeply_nested_reply(client: AsyncClient, server: LocalServer, body: str) -> None:
    """A 2xx reply nested 100,000 deep is an APIResponseValidationError, not RecursionError."""
    server.inject(status=200, body=body, headers={"content-type": "application/json"})
    with pytest.raises(APIResponseValidationError) as info:
        await chat(client)
    assert len(str(info.value)) < MESSAGE_LIMIT


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
async def test_deeply_nested_error_body(
    client: AsyncClient, server: LocalServer, body: str
) -> None:
    """An error body nested 100,000 deep gives the status's error, with a short message."""
    server.inject(status=400, body=body, headers={"content-type": "application/json"})
    with pytest.raises(BadRequestError) as info:
        await chat(client)
    assert len(str(info.value)) < MESSAGE_LIMIT


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
async def test_deeply_nested_429_body_is_retried_and_typed(server: LocalServer, body: str) -> None:
    """A 429 whose body is nested 100,000 deep is read for its code, retried, then typed."""
    server.inject(status=429, body=body, headers={"content-type": "application/json"}, times=2)
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=1) as client:
        with instant_retries() as waits, pytest.raises(RateLimitError):
            await chat(client)
    assert len(waits) == 1


@pytest.mark.parametrize("data", [DEEP, DEEP_OBJECT])
async def test_deeply_nested_stream_event(
    client: AsyncClient, server: LocalServer, data: str
) -> None:
    """One SSE event nested 100,000 deep is a StreamDecodeError."""
    body = f"data: {data}\n\n".encode()
    server.inject(status=200, body=body, headers={"content-type": "text/event-stream"})
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    )
    async with stream:
        with pytest.raises(StreamDecodeError) as info:
            await stream.__anext__()
    assert len(str(info.value)) < MESSAGE_LIMIT


async def test_huge_error_event_message_is_excerpted(
    client: AsyncClient, server: LocalServer
) -> None:
    """An error event with an 8 MB message raises with an excerpt; the body keeps it all."""
    error = {"error": {"message": "x" * (8 << 20), "type": "server_error"}}
    body = f"data: {json.dumps(error)}\n\n".encode()
    server.inject(status=200, body=body, headers={"content-type": "text/event-stream"})
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    )
    async with stream:
        with pytest.raises(StreamEventError) as info:
            await stream.__anext__()
    assert len(str(info.value)) < MESSAGE_LIMIT
    assert info.value.type == "server_error"
    assert info.value.body == error


async def test_huge_error_body_message_is_excerpted(
    client: AsyncClient, server: LocalServer
) -> None:
    """A 512 KiB error message (within max_error_size) makes a short exception message;
    .body has the whole object."""
    message = "x" * (512 << 10)
    server.inject(status=500, body={"error": {"message": message, "code": "oops"}})
    with pytest.raises(InternalServerError) as info:
        await chat(client)
    assert len(str(info.value)) < MESSAGE_LIMIT
    assert isinstance(info.value.body, dict)
    assert info.value.body["message"] == message
    assert info.value.code == "oops"


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "\xff\xfe", "object": "chat.completion"}',  # bad UTF-8
        b'{"choices": 7}',  # a wrong shape
        b'{"choices": [{"index": "zero", "message": []}]}',
        b"[1, 2, 3]",
        b'{"created": ' + b"9" * 5000 + b"}",  # past the digit limit
        b"\x00\x01\x02",
    ],
)
async def test_bad_replies_are_validation_errors(
    client: AsyncClient, server: LocalServer, body: bytes
) -> None:
    """Bad UTF-8, wrong shapes and huge numbers in a reply are APIResponseValidationError."""
    server.inject(status=200, body=body, headers={"content-type": "application/json"})
    with pytest.raises(APIResponseValidationError):
        await chat(client)


@pytest.mark.parametrize(
    "name", ["x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "retry-after-ms"]
)
async def test_huge_rate_limit_header_on_a_success(
    client: AsyncClient, server: LocalServer, name: str
) -> None:
    """A success whose rate-limit header has 5,000 digits is still a success, limits None."""
    server.inject(status=200, body=REPLY, headers={name: "9" * 5000})
    reply = await chat(client)
    assert reply.choices[0].message.content == "hi"
    limits = rate_limits_of(reply)
    assert limits.remaining_requests is None
    assert limits.limit_tokens is None


@pytest.mark.parametrize("name", ["x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens"])
async def test_huge_rate_limit_header_keeps_a_batch_item_ok(
    client: AsyncClient, server: LocalServer, name: str
) -> None:
    """In a batch job, a 5,000-digit rate-limit header does not fail the item it came with."""
    server.inject(status=200, body=REPLY, headers={name: "9" * 5000})
    items = [
        BatchRequest.chat(model="gpt-3.5-turbo", messages=MESSAGES, id=f"i{i}") for i in range(3)
    ]
    async with client.batch(items) as job:
        results = await job.collect()
    assert [r.ok for r in results] == [True, True, True], [r.error for r in results]


async def test_huge_rate_limit_header_on_an_error(client: AsyncClient, server: LocalServer) -> None:
    """exc.rate_limits on an error with a 5,000-digit header gives None, not ValueError."""
    server.inject(status=400, headers={"x-ratelimit-limit-requests": "9" * 5000})
    with pytest.raises(BadRequestError) as info:
        await chat(client)
    assert info.value.rate_limits.limit_requests is None


# -- RawServer: bytes h11 would not send ---------------------------------------------------


@pytest.fixture
def raw_answers() -> list[bytes]:
    """The answers the raw server gives, one per request, in order (the last repeats)."""
    return []


@pytest.fixture
def raw_server(raw_answers: list[bytes]) -> Iterator[RawServer]:
    def answer(request: RawRequest) -> bytes:
        return raw_answers.pop(0) if len(raw_answers) > 1 else raw_answers[0]

    with RawServer(answer) as server:
        yield server


@pytest.mark.parametrize(
    "headers",
    [
        [(b"x-request-id", b"\xff\xfe\x80 caf\xe9")],  # obs-text bytes
        [(b"x-ratelimit-remaining-requests", b"\xd9\xa3")],  # an Arabic-Indic 3 in UTF-8
        [(b"x-request-id", b"a" * 20_000)],
        [(b"content-type", b"application/json; charset=no-such-codec")],
        [(b"content-type", b"\xff/\xfe")],
    ],
)
async def test_odd_response_headers_on_a_success(
    raw_server: RawServer, raw_answers: list[bytes], headers: list[tuple[bytes, bytes]]
) -> None:
    """Odd header bytes on a good reply give the reply, or a typed error: never anything else."""
    raw_answers.append(
        raw_response(
            200, [(b"content-type", b"application/json"), *headers], json.dumps(REPLY).encode()
        )
    )
    async with AsyncClient(base_url=raw_server.url, api_key="", max_retries=0) as client:
        try:
            reply = await chat(client)
        except OpenAIError:
            return
        assert reply.id == "chatcmpl-1"
        rate_limits_of(reply)


@pytest.mark.parametrize(
    "headers",
    [
        [(b"x-request-id", b"\xff" * 300)],
        [(b"x-request-id", b"a" * 20_000)],
        [(b"retry-after", b"9" * 5000), (b"x-should-retry", b"\xff")],
    ],
)
async def test_odd_response_headers_on_an_error(
    raw_server: RawServer, raw_answers: list[bytes], headers: list[tuple[bytes, bytes]]
) -> None:
    """Odd header bytes on an error still give the status's error, with a short message."""
    raw_answers.append(raw_response(503, headers, b"\xff\xfe not json"))
    async with AsyncClient(base_url=raw_server.url, api_key="", max_retries=1) as client:
        with instant_retries(), pytest.raises(InternalServerError) as info:
            await chat(client)
    assert len(str(info.value)) < MESSAGE_LIMIT


def endless_line(size: int) -> Iterable[bytes]:
    yield b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
    yield b"data: "
    block = b"x" * 65536
    for _ in range(size // len(block)):
        yield block


async def test_endless_sse_line_stops_at_max_event_size() -> None:
    """A line that never ends raises StreamTooLargeError at the cap, naming it; reading stops."""
    limit = 1 << 20
    with RawServer(lambda request: endless_line(500 << 20)) as raw:
        async with AsyncClient(
            base_url=raw.url, api_key="", max_retries=0, max_event_size=limit
        ) as client:
            stream = await client.chat.completions.create(
                model="gpt-3.5-turbo", messages=MESSAGES, stream=True
            )
            async with stream:
                with pytest.raises(StreamTooLargeError, match="max_event_size") as info:
                    await stream.__anext__()
    assert info.value.setting == "max_event_size"
    assert info.value.limit == limit
    assert raw.sent < 64 << 20  # the client stopped reading long before 500 MB


async def test_max_event_size_per_variant(server: LocalServer) -> None:
    """with_options(max_event_size=...) applies to that variant's streams only."""
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        small = client.with_options(max_event_size=10)
        stream = await small.chat.completions.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        )
        async with stream:
            with pytest.raises(StreamTooLargeError):
                await stream.__anext__()
        stream = await client.chat.completions.create(
            model="gpt-3.5-turbo", messages=MESSAGES, stream=True
        )
        async with stream:
            assert [chunk async for chunk in stream]


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "16M"])
def test_max_event_size_must_be_a_positive_int(value: object) -> None:
    """A max_event_size that is not an int > 0 is refused, naming it."""
    with pytest.raises(OpenAIError, match="max_event_size"):
        AsyncClient(api_key="", max_event_size=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
async def test_deeply_nested_raw_response_json(
    client: AsyncClient, server: LocalServer, body: str
) -> None:
    """with_raw_response: .json() and .parse() of a body nested 100,000 deep are typed."""
    server.inject(status=200, body=body, headers={"content-type": "application/json"})
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-3.5-turbo", messages=MESSAGES
    )
    with pytest.raises(APIResponseValidationError):
        raw.json()
    with pytest.raises(APIResponseValidationError):
        raw.parse()


@pytest.mark.parametrize("kind", ["[]", "{}", "[1, 2]"])
async def test_unhashable_event_type_with_a_terminal_rule(
    client: AsyncClient, server: LocalServer, kind: str
) -> None:
    """An event whose "type" is a list or object, on a stream that ends on a terminal type,
    is a chunk like any other (no TypeError from the set lookup)."""
    body = f'data: {{"type": {kind}}}\n\ndata: {{"type": "done"}}\n\n'.encode()
    server.inject(status=200, body=body, headers={"content-type": "text/event-stream"})
    end = StreamEnd(marker=None, terminal=frozenset({"done"}))
    request = {"model": "gpt-3.5-turbo", "messages": MESSAGES, "stream": True}
    stream = await client.request_stream("POST", "chat/completions", json=request, end=end)
    async with stream:
        chunks = [chunk async for chunk in stream]
    assert [chunk["type"] for chunk in chunks] == [json.loads(kind), "done"]
