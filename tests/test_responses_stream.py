"""Streamed /responses over loopback: typed events to the terminal one, cuts, errors, unknowns."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from openai_async import AsyncClient, AsyncStream, StreamEventError, StreamTruncatedError
from openai_async.testing import LocalServer
from openai_async.types import (
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseCreatedEvent,
    ResponseErrorEvent,
    ResponseEvent,
    ResponseFailedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)

pytestmark = pytest.mark.anyio

MODEL = "gpt-4o-mini"
TOOL = {
    "type": "function",
    "name": "get_weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


async def _events(
    client: AsyncClient, *, model: str = MODEL, **params: Any
) -> list[ResponseStreamEvent]:
    stream = await client.responses.create(model=model, stream=True, **params)
    async with stream:
        return [event async for event in stream]


async def _collect(stream: AsyncStream[ResponseStreamEvent], into: list[Any]) -> None:
    async for event in stream:
        into.append(event)


def _sse(*payloads: dict[str, Any], named: bool = True) -> str:
    blocks = []
    for payload in payloads:
        name = f"event: {payload['type']}\n" if named else ""
        blocks.append(f"{name}data: {json.dumps(payload)}\n\n")
    return "".join(blocks)


def _created(status: str = "in_progress") -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "status": status, "output": []}


async def test_stream_gives_typed_events_to_the_terminal_one(
    client: AsyncClient, server: LocalServer
) -> None:
    """Events come typed and numbered; the deltas make the text; completed ends the stream."""
    events = await _events(client, input="tell me about otters")
    assert server.requests[-1].json()["stream"] is True
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert isinstance(events[0], ResponseCreatedEvent)
    assert events[0].response.status == "in_progress"
    assert isinstance(events[2], ResponseOutputItemAddedEvent)
    assert isinstance(events[3], ResponseContentPartAddedEvent)
    deltas = [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)]
    assert "".join(deltas) == "You said: tell me about otters"
    (done,) = [e for e in events if isinstance(e, ResponseTextDoneEvent)]
    assert done.text == "".join(deltas)
    last = events[-1]
    assert isinstance(last, ResponseCompletedEvent)
    assert last.response.output_text == "You said: tell me about otters"
    assert last.response.status == "completed"


async def test_sdk_style_loop_over_event_types(client: AsyncClient) -> None:
    """Code that tests event.type and reads its fields, as written for the SDK, works."""
    stream = await client.responses.create(model=MODEL, input="hello there", stream=True)
    text = ""
    async for event in stream:
        if event.type == "response.output_text.delta":
            text += event.delta
        elif event.type == "response.completed":
            assert event.response.output_text == text
    assert text == "You said: hello there"


async def test_streamed_function_call(client: AsyncClient) -> None:
    """A call streams its arguments in pieces that join to the done event's arguments."""
    events = await _events(client, input="weather in Rome", tools=[TOOL])
    pieces = [e.delta for e in events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)]
    (done,) = [e for e in events if isinstance(e, ResponseFunctionCallArgumentsDoneEvent)]
    assert "".join(pieces) == done.arguments == '{"city": "weather in Rome"}'
    assert done.name == "get_weather"
    last = events[-1]
    assert isinstance(last, ResponseCompletedEvent)
    assert isinstance(last.response.output[0], ResponseFunctionToolCall)


async def test_incomplete_response_ends_the_stream(client: AsyncClient) -> None:
    """response.incomplete is a terminal event too."""
    words = " ".join(f"w{k}" for k in range(30))
    events = await _events(client, input=words, max_output_tokens=16)
    last = events[-1]
    assert isinstance(last, ResponseIncompleteEvent)
    assert last.response.incomplete_details is not None


async def test_stream_cut_before_its_terminal_event_raises(
    client: AsyncClient, server: LocalServer
) -> None:
    """A body that ends cleanly before response.completed is not a whole answer."""
    server.inject(path="/v1/responses", stream_action="end", after_events=5)
    stream = await client.responses.create(model=MODEL, input="hi there", stream=True)
    seen: list[ResponseStreamEvent] = []
    with pytest.raises(StreamTruncatedError, match=r"response\.completed"):
        await _collect(stream, seen)
    assert len(seen) == 5


async def test_stream_cut_across_writes_still_parses(
    client: AsyncClient, server: LocalServer
) -> None:
    """Events cut into 7-byte writes parse the same as whole ones."""
    server.inject(path="/v1/responses", write_size=7)
    events = await _events(client, input="small pieces")
    assert isinstance(events[-1], ResponseCompletedEvent)
    assert events[-1].response.output_text == "You said: small pieces"


async def test_error_event_raises(client: AsyncClient, server: LocalServer) -> None:
    """An ``event: error`` raises StreamEventError with the error's code and message."""
    error = {"type": "error", "code": "server_error", "message": "boom", "param": None}
    server.inject(path="/v1/responses", stream_action="error", after_events=3, body=error)
    stream = await client.responses.create(model=MODEL, input="hi", stream=True)
    with pytest.raises(StreamEventError, match="boom") as caught:
        await _collect(stream, [])
    assert caught.value.body == error


async def test_unnamed_error_event_is_the_last_event(
    client: AsyncClient, server: LocalServer
) -> None:
    """An error event without its ``event:`` name is typed and ends the stream."""
    body = _sse(
        {"type": "response.created", "sequence_number": 0, "response": _created()},
        {"type": "error", "sequence_number": 1, "code": "rate_limit", "message": "slow down"},
        named=False,
    )
    server.inject(
        path="/v1/responses", status=200, headers={"content-type": "text/event-stream"}, body=body
    )
    events = await _events(client, input="hi")
    assert isinstance(events[-1], ResponseErrorEvent)
    assert (events[-1].code, events[-1].message) == ("rate_limit", "slow down")


async def test_unknown_event_types_parse_and_stay_reachable(
    client: AsyncClient, server: LocalServer
) -> None:
    """An event type this client does not know is a ResponseEvent keeping all its fields."""
    future = {
        "type": "response.hologram.rendered",
        "sequence_number": 1,
        "item_id": "holo_1",
        "frames": [{"n": 1}],
    }
    body = _sse(
        {"type": "response.created", "sequence_number": 0, "response": _created()},
        future,
        {
            "type": "response.output_item.added",
            "sequence_number": 2,
            "output_index": 0,
            "item": {"type": "hologram_call", "id": "holo_1", "status": "in_progress"},
        },
        {"type": "response.completed", "sequence_number": 3, "response": _created("completed")},
    )
    server.inject(
        path="/v1/responses", status=200, headers={"content-type": "text/event-stream"}, body=body
    )
    events = await _events(client, input="hi")
    unknown = events[1]
    assert isinstance(unknown, ResponseEvent)
    assert unknown.type == "response.hologram.rendered"
    assert (unknown.item_id, unknown.frames) == ("holo_1", [{"n": 1}])
    assert unknown.to_dict() == future
    added = events[2]
    assert isinstance(added, ResponseOutputItemAddedEvent)
    assert added.item.type == "hologram_call"
    assert added.item.to_dict()["status"] == "in_progress"
    assert isinstance(events[3], ResponseCompletedEvent)
    with pytest.raises(AttributeError):
        _ = unknown.not_sent


async def test_retrieve_streams_a_stored_response_again(client: AsyncClient) -> None:
    """retrieve(stream=True, starting_after=n) gives the events after n, to the terminal one."""
    created = await client.responses.create(model=MODEL, input="hi", background=True)
    stream = await client.responses.retrieve(created.id, stream=True, starting_after=4)
    async with stream:
        events = [event async for event in stream]
    assert events[0].sequence_number == 5
    assert isinstance(events[-1], ResponseCompletedEvent)
    assert events[-1].response.output_text == "You said: hi"


async def test_leaving_a_stream_early_releases_it(client: AsyncClient, server: LocalServer) -> None:
    """Breaking out after the first event closes the stream; the client goes on working."""
    stream = await client.responses.create(model=MODEL, input="hi", stream=True)
    async with stream:
        async for _ in stream:
            break
    response = await client.responses.create(model=MODEL, input="again")
    assert response.output_text == "You said: again"


async def test_finished_streams_reuse_their_connection(
    client: AsyncClient, server: LocalServer
) -> None:
    """After the terminal event the rest of the body is read: the connection is reused."""
    await _events(client, input="warm up")
    before = server.connections_opened
    for k in range(5):
        events = await _events(client, input=f"again {k}")
        assert isinstance(events[-1], ResponseCompletedEvent)
    assert server.connections_opened == before


async def test_failed_response_ends_the_stream(client: AsyncClient, server: LocalServer) -> None:
    """response.failed is the last event; its response says what went wrong."""
    failed = {
        **_created("failed"),
        "error": {"code": "server_error", "message": "the model broke down"},
    }
    body = _sse(
        {"type": "response.created", "sequence_number": 0, "response": _created()},
        {"type": "response.failed", "sequence_number": 1, "response": failed},
        {"type": "response.output_text.delta", "sequence_number": 2, "delta": "never read"},
    )
    server.inject(
        path="/v1/responses", status=200, headers={"content-type": "text/event-stream"}, body=body
    )
    events = await _events(client, input="hi")
    assert len(events) == 2
    last = events[-1]
    assert isinstance(last, ResponseFailedEvent)
    assert last.response.error is not None
    assert last.response.error.message == "the model broke down"


async def test_streamed_reasoning_summary_and_refusal(client: AsyncClient) -> None:
    """Reasoning summaries and refusals stream as their own typed events."""
    events = await _events(
        client, input="[refuse] tell me", reasoning={"summary": "detailed"}, model="o3"
    )
    summary = [e.delta for e in events if isinstance(e, ResponseReasoningSummaryTextDeltaEvent)]
    (summary_done,) = [e for e in events if isinstance(e, ResponseReasoningSummaryTextDoneEvent)]
    assert "".join(summary) == summary_done.text == "Thinking about: [refuse] tell me"
    refusal = [e.delta for e in events if isinstance(e, ResponseRefusalDeltaEvent)]
    (refusal_done,) = [e for e in events if isinstance(e, ResponseRefusalDoneEvent)]
    assert "".join(refusal) == refusal_done.refusal == "I'm sorry, I can't help with that."
    assert refusal_done.output_index == 1  # after the reasoning item
    last = events[-1]
    assert isinstance(last, ResponseCompletedEvent)
    assert [item.type for item in last.response.output] == ["reasoning", "message"]
    assert not any(isinstance(e, ResponseTextDeltaEvent) for e in events)


async def test_cancelled_stream_says_it_is_incomplete(
    client: AsyncClient, server: LocalServer
) -> None:
    """A stream cancelled midway raises on the next read instead of looking finished."""
    server.inject(path="/v1/responses", event_delay=0.05)
    stream = await client.responses.create(model=MODEL, input="one two three", stream=True)
    seen: list[ResponseStreamEvent] = []
    with anyio.move_on_after(0.2):
        await _collect(stream, seen)
    assert 0 < len(seen) < 12
    with pytest.raises(StreamTruncatedError, match=r"cancelled before .*response\.completed"):
        await _collect(stream, seen)
    again = await client.responses.create(model=MODEL, input="still here")
    assert again.output_text == "You said: still here"
