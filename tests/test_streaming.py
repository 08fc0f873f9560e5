"""AsyncStream over loopback: chunks until [DONE], typed errors, connection reuse."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

import openai_async._streaming
from openai_async import (
    APIConnectionError,
    APIStreamError,
    APITimeoutError,
    AsyncClient,
    AsyncStream,
    RateLimitError,
    StreamDecodeError,
    StreamEventError,
    StreamTruncatedError,
)
from openai_async.testing import LocalServer
from openai_async.types import ChatCompletionChunk, FineTuneEvent

from .conftest import API_KEY

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "user", "content": "one two three four five six"}]
WORDS = ["You", " said:", " one", " two", " three", " four", " five", " six"]


async def chat_stream(client: AsyncClient, **kwargs: Any) -> AsyncStream[ChatCompletionChunk]:
    return await client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True, **kwargs
    )


async def contents(stream: AsyncStream[ChatCompletionChunk]) -> list[str | None]:
    async with stream:
        return [chunk.choices[0].delta.content async for chunk in stream]


async def consume(stream: AsyncStream[ChatCompletionChunk], received: list[Any]) -> None:
    """Read inside ``async with``, keeping what arrived before any error."""
    async with stream:
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content)


async def test_chunks_until_done(client: AsyncClient, server: LocalServer) -> None:
    """The chunks arrive typed and in order; iteration stops at [DONE]."""
    stream = await chat_stream(client)
    assert await contents(stream) == ["", *WORDS, None]
    assert server.requests[-1].json()["stream"] is True
    assert server.requests[-1].headers["accept"] == "text/event-stream"


async def test_split_writes_and_keepalives_change_nothing(
    client: AsyncClient, server: LocalServer
) -> None:
    """Events cut across writes at any byte, with keep-alive comments, decode the same."""
    expected = await contents(await chat_stream(client))
    for size in (1, 3, 7, 64):
        server.inject(write_size=size, keepalive=True, path="/chat/completions")
        assert await contents(await chat_stream(client)) == expected


async def test_consumed_streams_reuse_the_connection(
    client: AsyncClient, server: LocalServer
) -> None:
    """Streams read to [DONE] give their connection back to the pool."""
    await contents(await chat_stream(client))
    opened = server.connections_opened
    for _ in range(5):
        await contents(await chat_stream(client))
    await client.models.list()
    assert server.connections_opened == opened


async def test_late_end_of_body_still_reuses_connection(
    client: AsyncClient, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the body's last bytes come a moment after [DONE], the connection is kept."""
    # A generous bound here, so that a busy machine cannot make the test flaky.
    monkeypatch.setattr(openai_async._streaming, "DRAIN_TIMEOUT", 2.0)
    await client.models.list()
    opened = server.connections_opened
    server.inject(stream_action="stall", after_events=100, stall=0.05)
    await contents(await chat_stream(client))
    await client.models.list()
    assert server.connections_opened == opened


async def test_body_that_never_ends_after_done_is_closed(
    client: AsyncClient, server: LocalServer
) -> None:
    """If the rest of the body does not come soon after [DONE], the stream closes anyway."""
    await client.models.list()
    opened = server.connections_opened
    server.inject(stream_action="stall", after_events=100, stall=3.0)
    with anyio.fail_after(2.0):  # far below the 3 s stall: we did not wait for it
        assert await contents(await chat_stream(client)) == ["", *WORDS, None]
    await client.models.list()
    assert server.connections_opened == opened + 1


async def test_truncated_stream_raises(client: AsyncClient, server: LocalServer) -> None:
    """A body that ends without [DONE] raises StreamTruncatedError after the chunks."""
    server.inject(stream_action="end", after_events=3)
    received: list[Any] = []
    stream = await chat_stream(client)
    with pytest.raises(StreamTruncatedError, match=r"\[DONE\]") as info:
        await consume(stream, received)
    assert received == ["", "You", " said:"]
    assert info.value.request_id == stream.request_id is not None


async def test_error_event_raises(client: AsyncClient, server: LocalServer) -> None:
    """An event carrying an error object raises StreamEventError with its details."""
    body = {"error": {"message": "The server had an error", "type": "server_error", "code": "x1"}}
    server.inject(stream_action="error", after_events=2, body=body)
    with pytest.raises(StreamEventError, match="The server had an error") as info:
        await contents(await chat_stream(client))
    assert (info.value.type, info.value.code, info.value.param) == ("server_error", "x1", None)
    assert info.value.body == body


@pytest.mark.parametrize(
    ("action", "error"),
    [("end", StreamTruncatedError), ("error", StreamEventError), ("garbage", StreamDecodeError)],
)
async def test_iterating_again_after_an_error_raises_it_again(
    client: AsyncClient, server: LocalServer, action: str, error: type[Exception]
) -> None:
    """A caller who catches a stream error and loops again is not told the answer was whole."""
    server.inject(stream_action=action, after_events=2)
    stream = await chat_stream(client)
    with pytest.raises(error) as first:
        await contents(stream)
    with pytest.raises(error) as again:
        async for _ in stream:
            pass
    assert again.value is first.value
    assert stream.response.is_closed


async def test_iterating_again_after_a_cancellation_raises(
    client: AsyncClient, server: LocalServer
) -> None:
    """A stream cut off by a cancel scope is incomplete: looping again says so."""
    server.inject(event_delay=0.2)
    stream = await chat_stream(client)
    with anyio.move_on_after(0.3):
        async for _ in stream:
            pass
    with pytest.raises(StreamTruncatedError, match="cancelled"):
        async for _ in stream:
            pass
    assert stream.response.is_closed


async def test_error_event_default_body(client: AsyncClient, server: LocalServer) -> None:
    """The server's default error event is an OpenAI error object too."""
    server.inject(stream_action="error", after_events=0)
    with pytest.raises(StreamEventError) as info:
        await contents(await chat_stream(client))
    assert info.value.code == "stream_error"


async def test_invalid_json_raises_with_raw_text(client: AsyncClient, server: LocalServer) -> None:
    """An event that is not JSON raises StreamDecodeError keeping the raw data."""
    server.inject(stream_action="garbage", after_events=1)
    with pytest.raises(StreamDecodeError) as info:
        await contents(await chat_stream(client))
    assert info.value.data == '{"not json'


async def test_chunk_that_does_not_fit_raises(client: AsyncClient) -> None:
    """An event of the wrong shape for the chunk type raises StreamDecodeError."""
    stream = await client.request_stream(
        "GET",
        "fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events",
        params={"stream": "true"},
        cast_to=ChatCompletionChunk,
    )
    with pytest.raises(StreamDecodeError) as info:
        async with stream:
            await stream.__anext__()
    assert json.loads(info.value.data)["object"] == "fine-tune-event"


async def test_disconnect_mid_stream_is_a_connection_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """The server closing the connection halfway raises APIConnectionError, not httpx's."""
    server.inject(stream_action="abort", after_events=3)
    received: list[Any] = []
    with pytest.raises(APIConnectionError) as info:
        await consume(await chat_stream(client), received)
    assert len(received) == 3
    assert not isinstance(info.value, httpx.HTTPError)
    # The transport's own error (an httpx or anyio one) stays the cause.
    assert isinstance(info.value.__cause__, Exception)
    assert not isinstance(info.value.__cause__, APIConnectionError)
    assert API_KEY not in str(info.value)


async def test_read_timeout_mid_stream(server: LocalServer) -> None:
    """A stream that stalls past the read timeout raises APITimeoutError."""
    timeout = httpx.Timeout(5.0, read=0.2)
    async with AsyncClient(base_url=server.url, api_key="", timeout=timeout) as client:
        server.inject(stream_action="stall", after_events=2, stall=2.0)
        received: list[Any] = []
        with pytest.raises(APITimeoutError) as info:
            await consume(await chat_stream(client), received)
    assert len(received) == 2
    assert isinstance(info.value.__cause__, TimeoutError | httpx.ReadTimeout)


async def test_status_error_before_stream(client: AsyncClient, server: LocalServer) -> None:
    """An error status answers stream=True with the usual status exception."""
    server.inject(status=429)
    with pytest.raises(RateLimitError):
        await chat_stream(client)


@pytest.mark.parametrize("action", ["end", "error", "garbage", "abort"])
async def test_stream_errors_are_api_errors(
    client: AsyncClient, server: LocalServer, action: str
) -> None:
    """Every way a stream can fail is an APIError subclass and never an httpx error."""
    server.inject(stream_action=action, after_events=1)
    with pytest.raises((APIStreamError, APIConnectionError)) as info:
        await contents(await chat_stream(client))
    assert not isinstance(info.value, httpx.HTTPError)


async def test_aclose_is_idempotent_and_ends_iteration(client: AsyncClient) -> None:
    """After aclose() the stream yields nothing more but says it is cut short; closing twice
    is harmless."""
    stream = await chat_stream(client)
    first = await stream.__anext__()
    assert first.choices[0].delta.role == "assistant"
    await stream.aclose()
    await stream.aclose()
    with pytest.raises(openai_async.StreamTruncatedError, match="closed before its end"):
        await stream.__anext__()
    assert stream.response.is_closed
    assert "closed" in repr(stream)


async def test_error_inside_async_with_releases(client: AsyncClient, server: LocalServer) -> None:
    """An exception in the loop body closes the response on the way out."""
    stream = await chat_stream(client)

    async def fail_inside() -> None:
        async with stream:
            async for _ in stream:
                raise RuntimeError("consumer failed")

    with pytest.raises(RuntimeError):
        await fail_inside()
    assert stream.response.is_closed


async def test_request_stream_escape_hatch(client: AsyncClient, server: LocalServer) -> None:
    """request_stream yields any endpoint's events as JSON, or as a model with cast_to."""
    body = {"model": "m", "messages": MESSAGES, "stream": True}
    async with await client.request_stream("POST", "/chat/completions", json=body) as stream:
        events = [event async for event in stream]
    assert events[0]["object"] == "chat.completion.chunk"
    assert server.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"
    stream2 = await client.request_stream(
        "GET",
        "fine-tunes/ft-AF1WoRqd3aJAHsqc9NY7iL8F/events",
        params={"stream": "true"},
        cast_to=FineTuneEvent,
    )
    messages = [event.message async for event in stream2]
    assert messages[-1] == "Fine-tune succeeded"


async def test_request_stream_without_done(client: AsyncClient, server: LocalServer) -> None:
    """require_done=False ends quietly at the end of a body that has no [DONE]."""
    server.inject(stream_action="end", after_events=2)
    body = {"model": "m", "messages": MESSAGES, "stream": True}
    stream = await client.request_stream("POST", "chat/completions", json=body, require_done=False)
    assert len([event async for event in stream]) == 2


async def test_non_event_stream_answer_is_truncation(
    client: AsyncClient, server: LocalServer
) -> None:
    """A JSON answer where events were expected says so in the truncation error."""
    stream = await client.request_stream("GET", "models")
    with pytest.raises(StreamTruncatedError, match="application/json"):
        await stream.__anext__()


async def test_text_error_event(client: AsyncClient, server: LocalServer) -> None:
    """An ``event: error`` whose data is plain text raises StreamEventError with it."""
    server.inject(stream_action="error", after_events=1, body="overloaded, try later")
    with pytest.raises(StreamEventError, match="overloaded, try later") as info:
        await contents(await chat_stream(client))
    assert info.value.body == "overloaded, try later"
    assert info.value.code is None


async def test_stream_faults_from_the_control_endpoint(
    client: AsyncClient, server: LocalServer
) -> None:
    """POST /_control/faults accepts the stream fields, so out-of-process tests use them."""
    async with httpx.AsyncClient(base_url=server.url.removesuffix("/v1")) as http:
        fault = {"stream_action": "end", "after_events": 2, "write_size": 5, "keepalive": True}
        assert (await http.post("/_control/faults", json=fault)).status_code == 200
        bad = await http.post("/_control/faults", json={"stream_action": "explode"})
        assert bad.status_code == 400
    with pytest.raises(StreamTruncatedError):
        await contents(await chat_stream(client))


def in_memory_stream(body: bytes, content_type: str = "text/event-stream") -> AsyncStream[Any]:
    request = httpx.Request("GET", "http://test/v1/x")
    response = httpx.Response(
        200, headers={"content-type": content_type}, content=body, request=request
    )
    return AsyncStream(response, lambda data: data)


async def test_declared_charset_is_ignored() -> None:
    """Event streams are UTF-8 whatever charset the server declares."""
    body = 'data: {"text": "café 日本"}\n\ndata: [DONE]\n\n'.encode()
    stream = in_memory_stream(body, "text/event-stream; charset=latin-1")
    assert [event["text"] async for event in stream] == ["café 日本"]


async def test_events_after_done_are_ignored() -> None:
    """Iteration stops at [DONE] even if more events follow in the body."""
    stream = in_memory_stream(b'data: {"a": 1}\n\ndata: [DONE]\n\ndata: {"a": 2}\n\n')
    assert [event async for event in stream] == [{"a": 1}]


async def test_null_error_field_is_not_an_error() -> None:
    """A chunk with "error": null is an ordinary chunk; non-message event types pass too."""
    stream = in_memory_stream(
        b'data: {"error": null, "x": 1}\n\nevent: delta\ndata: {"x": 2}\n\ndata: [DONE]\n\n'
    )
    assert [event["x"] async for event in stream] == [1, 2]


async def test_json_error_event_without_error_key() -> None:
    """An event of type error with a JSON body raises StreamEventError keeping the body."""
    stream = in_memory_stream(b'event: error\ndata: {"detail": "boom"}\n\n')
    with pytest.raises(StreamEventError, match="boom") as info:
        await stream.__anext__()
    assert info.value.body == {"detail": "boom"}
