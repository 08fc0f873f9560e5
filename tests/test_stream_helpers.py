"""The SDK's stream helpers under a server that sends more, or other, than the happy path.

``chat.completions.stream()`` costs the same per chunk however long the answer is (the
server sets the length); ``responses.stream()`` gives only a completed response, and
resumes a stored one as the SDK's does; the raw and streaming wrappers refuse
``stream``, which manages its connection itself; and the SDK-shaped accessors refuse
arguments of the wrong kind before anything is sent.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from openai_async import (
    AsyncClient,
    DefaultAsyncHttpxClient,
    InvalidParameterError,
    StreamEventError,
)
from openai_async._accumulate import ChatCompletionAccumulator, CompletionAccumulator
from openai_async.testing import LocalServer
from openai_async.types import (
    BinaryResponseContent,
    ChatCompletion,
    ChatCompletionChunk,
    ChunkEvent,
    Logprobs,
    LogprobsContentDeltaEvent,
    ResponseCompletedEvent,
    ResponseErrorEvent,
)

pytestmark = pytest.mark.anyio

QUESTION = [{"role": "user", "content": "hi there"}]
SSE = {"content-type": "text/event-stream"}


def _chunk(delta: dict[str, Any], **choice: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": None, **choice}],
    }


def _logprob(token: str) -> dict[str, Any]:
    return {"token": token, "logprob": -0.5, "bytes": list(token.encode()), "top_logprobs": []}


def _long_answer(words: int, calls: int) -> list[dict[str, Any]]:
    """Chunks of a long answer: words with logprobs, then tool calls in pieces."""
    chunks = [_chunk({"role": "assistant", "content": ""})]
    for k in range(words):
        word = f" w{k}"
        chunks.append(_chunk({"content": word}, logprobs={"content": [_logprob(word)]}))
    for k in range(calls):
        first = {"index": k, "id": f"call_{k}", "type": "function", "function": {"name": "f"}}
        chunks.append(_chunk({"tool_calls": [first]}))
        for piece in ('{"a"', ": ", f"{k}}}"):
            chunks.append(_chunk({"tool_calls": [{"index": k, "function": {"arguments": piece}}]}))
    chunks.append(_chunk({}, finish_reason="tool_calls"))
    usage = {"prompt_tokens": 1, "completion_tokens": words, "total_tokens": words + 1}
    chunks.append({**_chunk({}), "choices": [], "usage": usage})
    return chunks


def _sse(*payloads: dict[str, Any], named: bool = False) -> str:
    blocks = []
    for payload in payloads:
        name = f"event: {payload['type']}\n" if named else ""
        blocks.append(f"{name}data: {json.dumps(payload)}\n\n")
    return "".join(blocks)


def _inject_chat(server: LocalServer, chunks: list[dict[str, Any]]) -> None:
    body = _sse(*chunks) + "data: [DONE]\n\n"
    server.inject(path="/v1/chat/completions", status=200, headers=SSE, body=body)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[ChatCompletion]:
    """Every ``ChatCompletion`` built from now on: the snapshots a chat stream made."""
    made: list[ChatCompletion] = []
    init = ChatCompletion.__init__

    def counted(self: ChatCompletion, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(ChatCompletion, "__init__", counted)
    return made


async def test_chat_stream_builds_no_snapshot_per_chunk(
    client: AsyncClient, server: LocalServer, builds: list[ChatCompletion]
) -> None:
    """Reading every event builds no whole completion; the final one is built once.

    Before, each chunk rebuilt the completion so far (and its tool calls): work that
    grew with the answer, per chunk, for as many chunks as the server chose to send.
    """
    _inject_chat(server, _long_answer(words=300, calls=40))
    kinds: set[str] = set()
    async with client.chat.completions.stream(model="m", messages=QUESTION) as stream:
        async for event in stream:
            kinds.add(event.type)
        assert builds == []
        final = await stream.get_final_completion()
    assert len(builds) == 1
    assert "logprobs.content.delta" in kinds
    assert "tool_calls.function.arguments.done" in kinds
    message = final.choices[0].message
    assert message.content == "".join(f" w{k}" for k in range(300))
    assert message.tool_calls is not None
    assert [call.function.arguments for call in message.tool_calls] == [
        f'{{"a": {k}}}' for k in range(40)
    ]
    assert final.usage is not None
    assert final.usage.completion_tokens == 300


async def _calls_to_read(client: AsyncClient, server: LocalServer, tool_calls: int) -> int:
    """The function calls (Python's and C's) made while a stream's events are read."""
    _inject_chat(server, _long_answer(words=0, calls=tool_calls))
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    async with client.chat.completions.stream(model="m", messages=QUESTION) as stream:
        previous = sys.getprofile()
        sys.setprofile(count)
        try:
            async for _ in stream:
                pass
        finally:
            sys.setprofile(previous)
    return calls


async def test_chat_stream_work_grows_with_the_chunks_only(
    client: AsyncClient, server: LocalServer
) -> None:
    """Eight times the tool calls (and chunks): about eight times the function calls.

    Counted, not timed: 7.8 times here. Before, each chunk rebuilt every tool call so
    far: 34 times.
    """
    small = await _calls_to_read(client, server, 40)
    large = await _calls_to_read(client, server, 320)
    assert large < 12 * small, (small, large)


async def test_chat_stream_snapshots_read_later_are_as_of_their_event(
    client: AsyncClient, server: LocalServer
) -> None:
    """A ``ChunkEvent``'s snapshot read after the stream ended is the one of its chunk.

    So is a logprobs event's: what the events carry did not change with the
    snapshots being built only when read.
    """
    chunks = _long_answer(words=30, calls=5)
    _inject_chat(server, chunks)
    events: list[Any] = []
    async with client.chat.completions.stream(model="m", messages=QUESTION) as stream:
        events = [event async for event in stream]
        final = stream.current_completion_snapshot
    chunk_events = [event for event in events if isinstance(event, ChunkEvent)]
    assert len(chunk_events) == len(chunks)
    accumulator = ChatCompletionAccumulator()
    for event, sent in zip(chunk_events, chunks, strict=True):
        accumulator.add(ChatCompletionChunk.model_validate(sent))
        assert event.snapshot == accumulator.result()
    assert chunk_events[-1].snapshot is final  # the stream's, built once for both
    logprobs = [event for event in events if isinstance(event, LogprobsContentDeltaEvent)]
    assert [len(event.snapshot) for event in logprobs] == list(range(1, 31))
    assert logprobs[4].snapshot[-1].token == " w4"
    assert logprobs[4] == LogprobsContentDeltaEvent(
        content=logprobs[4].content, snapshot=list(logprobs[4].snapshot)
    )


async def test_chat_stream_refusal_logprobs(client: AsyncClient, server: LocalServer) -> None:
    """``logprobs.refusal`` streams as the SDK's events and is kept in the final completion."""
    words = ["I", " can't"]
    chunks = [_chunk({"role": "assistant", "refusal": ""})]
    for word in words:
        chunks.append(
            _chunk({"refusal": word}, logprobs={"content": None, "refusal": [_logprob(word)]})
        )
    chunks.append(_chunk({}, finish_reason="stop"))
    _inject_chat(server, chunks)
    seen: list[Any] = []
    async with client.chat.completions.stream(model="m", messages=QUESTION) as stream:
        async for event in stream:
            if event.type == "logprobs.refusal.delta":
                seen.append([entry.token for entry in event.snapshot])
            elif event.type == "logprobs.refusal.done":
                assert [entry.token for entry in event.refusal] == words
        final = await stream.get_final_completion()
    assert seen == [["I"], ["I", " can't"]]
    logprobs = final.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is None
    assert [entry.token for entry in logprobs.refusal or ()] == words
    assert final.choices[0].message.refusal == "I can't"


async def test_completion_logprobs_are_joined_once(
    client: AsyncClient, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed completion's logprobs are joined by result(), not rebuilt per chunk.

    Before, each chunk made a Logprobs of all the lists so far (as many as the chunks,
    less one): work that grew with the answer, per chunk.
    """
    made: list[Logprobs] = []
    init = Logprobs.__init__

    def counted(self: Logprobs, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    prompt = "one two three four five six seven eight"
    stream = await client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=prompt, logprobs=2, stream=True
    )
    async with stream:
        chunks = [chunk async for chunk in stream]
    accumulator = CompletionAccumulator()
    monkeypatch.setattr(Logprobs, "__init__", counted)  # the chunks' are made already
    for chunk in chunks:
        accumulator.add(chunk)
    assert made == []
    logprobs = accumulator.result().choices[0].logprobs
    assert len(made) == 1
    assert logprobs is not None
    sent = [chunk.choices[0].logprobs for chunk in chunks if chunk.choices[0].logprobs]
    assert len(sent) > 3
    assert logprobs.tokens == [token for part in sent for token in part.tokens]
    assert logprobs.text_offset == [offset for part in sent for offset in part.text_offset]
    assert logprobs.top_logprobs == [top for part in sent for top in part.top_logprobs or ()]


def _response(status: str, **fields: Any) -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "created_at": 1, "model": "m", "output": [],
            "status": status, **fields}  # fmt: skip


def _inject_responses(server: LocalServer, *events: dict[str, Any], named: bool = True) -> None:
    created = {"type": "response.created", "sequence_number": 0, "response": _response("queued")}
    body = _sse(created, *events, named=named)
    server.inject(path="/v1/responses", status=200, headers=SSE, body=body)


class Answer(pydantic.BaseModel):
    x: int


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_error_event_without_its_name(
    client: AsyncClient, server: LocalServer
) -> None:
    """An ``error`` event sent without ``event: error`` is the last event, then a typed error.

    Before: an AssertionError from get_final_response() (an AttributeError under -O).
    """
    error = {"type": "error", "sequence_number": 1, "code": "server_error", "message": "boom"}
    _inject_responses(server, {**error, "param": None}, named=False)
    async with client.responses.stream(model="m", input="hi") as stream:
        events = [event async for event in stream]
        with pytest.raises(
            StreamEventError, match=r"in stream: boom \(code server_error\)"
        ) as caught:
            await stream.get_final_response()
    assert isinstance(events[-1], ResponseErrorEvent)
    assert caught.value.code == "server_error"
    assert caught.value.body == {**error, "param": None}


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_final_response_must_have_completed(
    client: AsyncClient, server: LocalServer
) -> None:
    """As the SDK's: a failed or incomplete response is no final response; it raises.

    ``StreamEventError``, with the terminal event as ``body`` and a failure's code.
    Before, the failed or incomplete response was returned as if it were the answer.
    """
    failure = {"code": "server_error", "message": "The model failed"}
    failed = _response("failed", error=failure)
    _inject_responses(server, {"type": "response.failed", "sequence_number": 1, "response": failed})
    async with client.responses.stream(model="m", input="hi", text_format=Answer) as stream:
        with pytest.raises(
            StreamEventError, match="The response failed: The model failed"
        ) as caught:
            await stream.get_final_response()
    assert caught.value.code == "server_error"
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["response"]["error"] == failure
    details = {"reason": "max_output_tokens"}
    cut = _response("incomplete", incomplete_details=details)
    _inject_responses(
        server, {"type": "response.incomplete", "sequence_number": 1, "response": cut}
    )
    async with client.responses.stream(model="m", input="hi") as stream:
        with pytest.raises(StreamEventError, match=r"incomplete \(max_output_tokens\)") as caught:
            await stream.get_final_response()
    assert caught.value.code is None
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["response"]["incomplete_details"] == details


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_resumes_a_stored_response(
    client: AsyncClient, server: LocalServer
) -> None:
    """``stream(response_id=, starting_after=)``: that response's events, as the SDK's."""
    created = await client.responses.create(
        model="gpt-4o-2024-08-06", input="x", background=True, text={"format": {
            "type": "json_schema", "name": "Answer", "strict": True,
            "schema": {"type": "object", "properties": {"x": {"type": "integer"}},
                       "required": ["x"], "additionalProperties": False}}},
    )  # fmt: skip
    async with client.responses.stream(
        response_id=created.id, starting_after=4, text_format=Answer
    ) as stream:
        events = [event async for event in stream]
        final = await stream.get_final_response()
    assert events[0].sequence_number == 5
    assert isinstance(events[-1], ResponseCompletedEvent)
    assert isinstance(final.output_parsed, Answer)
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/v1/responses/{created.id}")
    assert dict(sent.query) == {"stream": "true", "starting_after": "4"}
    count = len(server.requests)
    with pytest.raises(InvalidParameterError, match=r"starting_after: .*give its response_id"):
        client.responses.stream(starting_after=3)
    with pytest.raises(InvalidParameterError, match=r"response_id: .*input, model cannot be"):
        client.responses.stream(response_id=created.id, model="m", input="again")
    with pytest.raises(InvalidParameterError, match="starting_after"):
        client.responses.stream(response_id=created.id, starting_after=-1)
    assert len(server.requests) == count


async def test_raw_and_streaming_wrappers_refuse_stream(server: LocalServer) -> None:
    """``with_raw_response.stream`` is refused, naming what to use, before anything is sent.

    Before, it sent the request and left the connection held (with one connection, the
    next request waited for the pool), or failed with an unrelated error.
    """
    http = DefaultAsyncHttpxClient(limits=httpx.Limits(max_connections=1))
    async with AsyncClient(
        base_url=server.url, api_key="sk-test", max_retries=0, http_client=http
    ) as client:
        for helper in (
            lambda: client.chat.completions.with_raw_response.stream,
            lambda: client.chat.with_raw_response.completions.stream,
            lambda: client.with_raw_response.chat.completions.stream,
            lambda: client.chat.completions.with_streaming_response.stream,
            lambda: client.with_streaming_response.chat.completions.stream,
            lambda: client.responses.with_raw_response.stream,
            lambda: client.responses.with_streaming_response.stream,
        ):
            with pytest.raises(AttributeError, match=r"has no stream\(\) .*namespace itself"):
                helper()
        assert not hasattr(client.chat.completions.with_raw_response, "stream")
        assert server.requests == []
        raw = await client.chat.with_raw_response.completions.create(
            model="gpt-4o-mini", messages=QUESTION
        )
        assert raw.parse().choices[0].message.content == "You said: hi there"


def test_binary_content_refuses_a_chunk_size_below_one() -> None:
    """``iter_bytes(-2)`` and its siblings raise, instead of giving no pieces at all."""
    content = BinaryResponseContent(b"abcdef")
    for make in (
        lambda: content.iter_bytes(-2),
        lambda: content.iter_bytes(0),
        lambda: content.iter_text(-1),
        lambda: content.aiter_bytes(-2),
        lambda: content.aiter_text(0),
    ):
        with pytest.raises(InvalidParameterError, match="chunk_size: expected a positive"):
            make()
    assert list(content.iter_bytes(4)) == [b"abcd", b"ef"]
    assert list(content.iter_text()) == ["abcdef"]
    assert list(BinaryResponseContent(b"").iter_bytes(3)) == []


async def test_streamed_body_refuses_a_chunk_size_below_one(
    client: AsyncClient, tmp_path: Path
) -> None:
    """The same through ``with_streaming_response``: before anything is read or written.

    Before, httpx's readers gave overlapping or empty pieces, or an IndexError.
    """
    uploaded = await client.files.create(file=("a.jsonl", b'{"a": 1}\n', None), purpose="batch")
    async with client.files.with_streaming_response.content(uploaded.id) as response:
        with pytest.raises(InvalidParameterError, match="chunk_size"):
            await anext(response.iter_bytes(-2))
        with pytest.raises(InvalidParameterError, match="chunk_size"):
            await anext(response.iter_text(0))
        with pytest.raises(InvalidParameterError, match="chunk_size"):
            await response.stream_to_file(tmp_path / "out", chunk_size=0)
        assert os.listdir(tmp_path) == []
        assert [piece async for piece in response.iter_bytes(4)] == [b'{"a"', b": 1}", b"\n"]


async def test_verbs_refuse_options_of_the_wrong_kind(
    client: AsyncClient, server: LocalServer
) -> None:
    """``client.post(..., options={"extra_json": [1]})`` and the like name the option.

    Before: a bare TypeError or AttributeError from deep in the request path.
    """
    body = {"model": "gpt-4o-mini", "messages": QUESTION}
    for options, name in (
        ({"extra_json": [1]}, "extra_json"),
        ({"params": 5}, "params"),
        ({"headers": [("x", "1")]}, "headers"),
        ([("headers", {})], "options"),
    ):
        with pytest.raises(InvalidParameterError, match=rf"^options\W*{name}|^{name}"):
            await client.post("/chat/completions", cast_to=object, body=body, options=options)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="body: expected a mapping to add extra_json"):
        await client.post("/x", cast_to=object, body=[1], options={"extra_json": {}})  # type: ignore[arg-type]
    assert server.requests == []
