"""Patterns from the official SDK's README and helpers, run here with only the import changed.

Each test is a short program as a user of ``openai.AsyncOpenAI`` writes it; what it
checks is what that user relies on.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from openai_async import (
    DEFAULT_CONNECTION_LIMITS,
    NOT_GIVEN,
    APIResponseValidationError,
    AsyncOpenAI,
    ContentFilterFinishReasonError,
    DefaultAioHttpClient,
    DefaultAsyncHttpxClient,
    InvalidParameterError,
    LengthFinishReasonError,
    Omit,
    StreamTruncatedError,
    file_from_path,
    not_given,
    omit,
    pydantic_function_tool,
)
from openai_async.testing import LocalServer
from openai_async.types import (
    ChatCompletion,
    ChatCompletionMessage,
    ListResponse,
    ResponseFunctionToolCall,
)

from .sockets import ThreadedServer

pytestmark = pytest.mark.anyio

QUESTION = [{"role": "user", "content": "Say this is a test"}]
FILE = {"object": "file", "bytes": 3, "created_at": 1, "filename": "a.jsonl", "purpose": "x"}


async def test_not_given_leaves_a_parameter_out(client: AsyncOpenAI, server: LocalServer) -> None:
    """``NOT_GIVEN`` (the SDK's "leave it out", as in ``tools or NOT_GIVEN``) sends nothing."""
    tools: list[Any] = []
    reply = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=QUESTION,
        tools=tools or NOT_GIVEN,
        temperature=NOT_GIVEN,
    )
    assert reply.choices[0].message.content == "You said: Say this is a test"
    assert server.requests[-1].json() == {"model": "gpt-4o-mini", "messages": QUESTION}
    files = await client.files.list(purpose=NOT_GIVEN)
    assert files.data == []
    assert dict(server.requests[-1].query) == {}
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=QUESTION,
        user=NOT_GIVEN,
    )
    assert raw.parse().choices[0].message.content == "You said: Say this is a test"
    assert "user" not in server.requests[-1].json()


class Step(pydantic.BaseModel):
    explanation: str
    output: str


class MathResponse(pydantic.BaseModel):
    steps: list[Step]
    final_answer: str


MATH = [
    {"role": "system", "content": "You are a helpful math tutor."},
    {"role": "user", "content": "solve 8x + 31 = 2"},
]


async def test_beta_chat_parse(client: AsyncOpenAI) -> None:
    """``client.beta.chat.completions.parse``, where 2024's SDK had it, parses as ours does."""
    completion = await client.beta.chat.completions.parse(
        model="gpt-4o-2024-08-06", messages=MATH, response_format=MathResponse
    )
    message = completion.choices[0].message
    assert isinstance(message.parsed, MathResponse)
    assert message.refusal is None
    assert client.beta.chat is client.chat


@pytest.mark.latest_spec("vector stores came after the 2023 spec")
async def test_beta_vector_stores(client: AsyncOpenAI) -> None:
    """``client.beta.vector_stores`` (before the SDK moved them) are ``client.vector_stores``."""
    store = await client.beta.vector_stores.create(name="docs")
    assert (await client.vector_stores.retrieve(store.id)).name == "docs"


def test_beta_apis_not_wrapped_say_what_to_use() -> None:
    """The Assistants API and the rest of beta name what to use instead."""
    client = AsyncOpenAI(api_key="sk-test")
    with pytest.raises(AttributeError, match=r"client\.beta\.assistants .*client\.responses"):
        client.beta.assistants  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match=r"client\.beta\.realtime .*WebSocket"):
        client.beta.realtime  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="'Beta' object has no attribute 'nothing'"):
        client.beta.nothing  # type: ignore[attr-defined]  # noqa: B018


class GetWeather(pydantic.BaseModel):
    city: str


class GetTime(pydantic.BaseModel):
    zone: str


async def test_chat_stream_events_and_final_completion(client: AsyncOpenAI) -> None:
    """``async with chat.completions.stream(...)``: deltas add up, done parses, final parses."""
    kinds: list[str] = []
    deltas: list[str] = []
    snapshots: list[str] = []
    done: list[Any] = []
    async with client.chat.completions.stream(
        model="gpt-4o-2024-08-06", messages=MATH, response_format=MathResponse
    ) as stream:
        async for event in stream:
            kinds.append(event.type)
            if event.type == "content.delta":
                deltas.append(event.delta)
                snapshots.append(event.snapshot)
            elif event.type == "content.done":
                done.append(event.parsed)
            elif event.type == "chunk":
                assert event.snapshot.choices == [] or event.snapshot.id == event.chunk.id
    completion = await stream.get_final_completion()
    message = completion.choices[0].message
    assert isinstance(message.parsed, MathResponse)
    assert message.content == "".join(deltas) == snapshots[-1]
    assert len(deltas) > 3
    assert all(snapshots[i + 1].startswith(snapshots[i]) for i in range(len(snapshots) - 1))
    assert done == [message.parsed]
    assert kinds.count("content.done") == 1
    assert kinds.index("content.done") > max(i for i, k in enumerate(kinds) if k == "content.delta")
    assert set(kinds) == {"chunk", "content.delta", "content.done"}
    assert completion.choices[0].finish_reason == "stop"
    assert stream.current_completion_snapshot.choices[0].message.content == message.content


async def test_chat_stream_tool_calls_parsed(client: AsyncOpenAI, server: LocalServer) -> None:
    """Parallel tool calls stream their arguments; each ends parsed into its model."""
    arguments: dict[int, str] = {}
    done: list[Any] = []
    async with client.chat.completions.stream(
        model="gpt-4o",
        messages=[{"role": "user", "content": "GetWeather and GetTime for Lima"}],
        tools=[pydantic_function_tool(GetWeather), pydantic_function_tool(GetTime)],
        parallel_tool_calls=True,
    ) as stream:
        async for event in stream:
            if event.type == "tool_calls.function.arguments.delta":
                arguments[event.index] = arguments.get(event.index, "") + event.arguments_delta
                assert event.arguments == arguments[event.index]
            elif event.type == "tool_calls.function.arguments.done":
                done.append((event.index, event.name, event.parsed_arguments))
    assert [(i, name) for i, name, _ in done] == [(0, "GetWeather"), (1, "GetTime")]
    assert isinstance(done[0][2], GetWeather)
    assert isinstance(done[1][2], GetTime)
    completion = await stream.get_final_completion()
    calls = completion.choices[0].message.tool_calls
    assert calls is not None
    assert [c.function.arguments for c in calls] == [arguments[0], arguments[1]]
    assert [c.function.parsed_arguments for c in calls] == [d[2] for d in done]
    assert server.requests[-1].json()["stream"] is True


async def test_chat_stream_refusal_and_logprobs(client: AsyncOpenAI) -> None:
    """A refusal streams as refusal events; logprobs as logprobs events, then done."""
    refusal: list[str] = []
    async with client.chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "[refuse] this"}]
    ) as stream:
        async for event in stream:
            if event.type == "refusal.delta":
                refusal.append(event.delta)
            elif event.type == "refusal.done":
                assert event.refusal == "".join(refusal)
            assert event.type != "content.done"
    message = (await stream.get_final_completion()).choices[0].message
    assert message.refusal == "".join(refusal) != ""
    assert message.parsed is None
    logprobs: list[Any] = []
    async with client.chat.completions.stream(
        model="gpt-4o", messages=QUESTION, logprobs=True
    ) as stream:
        async for event in stream:
            if event.type == "logprobs.content.delta":
                logprobs.extend(event.content)
                assert event.snapshot == logprobs
            elif event.type == "logprobs.content.done":
                assert event.content == logprobs
    assert [entry.token for entry in logprobs] == [
        "You",
        " said:",
        " Say",
        " this",
        " is",
        " a",
        " test",
    ]


async def test_chat_stream_until_done_and_early_exit(client: AsyncOpenAI) -> None:
    """``until_done`` reads to the end; a stream left early refuses to pass for whole."""
    async with client.chat.completions.stream(model="gpt-4o", messages=QUESTION) as stream:
        await stream.until_done()
    final = await stream.get_final_completion()
    assert final.choices[0].message.content == "You said: Say this is a test"
    async with client.chat.completions.stream(model="gpt-4o", messages=QUESTION) as stream:
        async for _ in stream:
            break
    with pytest.raises(StreamTruncatedError):
        await stream.get_final_completion()


async def test_chat_stream_checks_before_sending(client: AsyncOpenAI, server: LocalServer) -> None:
    """Bad arguments fail at the call, naming the parameter; nothing is sent."""
    with pytest.raises(InvalidParameterError, match="temperature"):
        client.chat.completions.stream(model="gpt-4o", messages=QUESTION, temperature=3)
    with pytest.raises(InvalidParameterError, match="stream"):
        client.chat.completions.stream(
            model="gpt-4o",
            messages=QUESTION,
            stream=True,  # type: ignore[call-arg]
        )
    manager = client.chat.completions.stream(model="gpt-4o", messages=QUESTION)
    assert server.requests == []
    async with manager as stream:
        await stream.until_done()
    assert len(server.requests) == 1


async def test_default_http_client_given_is_closed_with_the_client(server: LocalServer) -> None:
    """``async with AsyncOpenAI(http_client=DefaultAsyncHttpxClient())`` leaves nothing open.

    As the SDK: the program made that client in the call and has no other handle to
    close it by. A plain ``httpx.AsyncClient`` stays its caller's (tests/test_client.py).
    """
    http = DefaultAsyncHttpxClient()
    async with AsyncOpenAI(base_url=server.url, api_key="sk-test", http_client=http) as client:
        await client.with_options(max_retries=1).models.list()  # a variant closes nothing
        assert not http.is_closed
        await client.models.list()
    assert http.is_closed


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_default_aiohttp_client_given_is_closed_with_the_client(server: LocalServer) -> None:
    """The README's ``DefaultAioHttpClient`` example closes aiohttp's session at its end."""
    http = DefaultAioHttpClient()
    async with AsyncOpenAI(base_url=server.url, api_key="sk-test", http_client=http) as client:
        await client.chat.completions.create(model="gpt-4o-mini", messages=QUESTION)
    assert http.is_closed  # and with it aiohttp's session: no "Unclosed client session"


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_events_and_final_response(client: AsyncOpenAI) -> None:
    """``async with responses.stream(text_format=...)``: the events, then the parsed whole."""
    text: list[str] = []
    async with client.responses.stream(
        model="gpt-4o-2024-08-06", input="solve 8x + 31 = 2", text_format=MathResponse
    ) as stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                text.append(event.delta)
    response = await stream.get_final_response()
    assert isinstance(response.output_parsed, MathResponse)
    assert response.output_text == "".join(text)
    assert response.status == "completed"


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_parses_tool_arguments(client: AsyncOpenAI) -> None:
    """A function tool made from a model gets its call's arguments parsed in the final response."""
    async with client.responses.stream(
        model="gpt-4o",
        input="What is the weather in Paris?",
        tools=[pydantic_function_tool(GetWeather, name="get_weather")],
    ) as stream:
        await stream.until_done()
    (call,) = (await stream.get_final_response()).output
    assert isinstance(call, ResponseFunctionToolCall)
    assert isinstance(call.parsed_arguments, GetWeather)


@pytest.mark.latest_spec("/responses came after the 2023 spec")
async def test_responses_stream_checks_and_early_exit(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """Bad arguments fail at the call, nothing sent; a stream left early is not whole."""
    with pytest.raises(InvalidParameterError, match="text_format"):
        client.responses.stream(model="gpt-4o", input="x", text_format=3)  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match="stream"):
        client.responses.stream(model="gpt-4o", input="x", stream=True)  # type: ignore[call-overload]
    assert server.requests == []
    async with client.responses.stream(model="gpt-4o", input="a b c d e f") as stream:
        async for _ in stream:
            break
    with pytest.raises(StreamTruncatedError):
        await stream.get_final_response()


async def test_low_level_verbs(client: AsyncOpenAI, server: LocalServer) -> None:
    """``client.post(path, cast_to=httpx.Response, body=...)`` and ``client.get``, as the SDK's."""
    response = await client.post(
        "/chat/completions",
        cast_to=httpx.Response,
        body={"model": "gpt-4o-mini", "messages": QUESTION},
        options={"headers": {"X-Mine": "1"}},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_")
    assert response.json()["choices"][0]["message"]["content"] == "You said: Say this is a test"
    assert server.requests[-1].headers["x-mine"] == "1"
    files = await client.get("/files", cast_to=object, options={"params": {"purpose": "batch"}})
    assert isinstance(files, dict)
    assert (files["object"], files["data"]) == ("list", [])
    assert dict(server.requests[-1].query) == {"purpose": "batch"}
    typed = await client.post(
        "chat/completions",
        cast_to=ChatCompletion,
        body={"model": "gpt-4o-mini"},
        options={"extra_json": {"messages": QUESTION}, "max_retries": 0, "timeout": 5.0},
    )
    assert typed.choices[0].message.content == "You said: Say this is a test"
    count = len(server.requests)
    with pytest.raises(InvalidParameterError, match="options: 'idempotency_key' not supported"):
        await client.post("/x", cast_to=object, options={"idempotency_key": "k"})
    assert len(server.requests) == count


async def test_with_options_http_client_says_what_to_use(client: AsyncOpenAI) -> None:
    """``with_options(http_client=...)`` is refused with what to do instead."""
    async with DefaultAsyncHttpxClient() as http:
        with pytest.raises(
            InvalidParameterError, match=r"http_client: .*AsyncClient\(http_client="
        ):
            client.with_options(http_client=http)  # type: ignore[arg-type]


async def test_client_level_raw_and_streaming_response(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """``client.with_raw_response.chat.completions.create``, and its streaming twin."""
    raw = await client.with_raw_response.chat.completions.create(
        model="gpt-4o-mini", messages=QUESTION
    )
    assert raw.http_request.url == server.url + "/chat/completions"
    assert raw.http_request.method == "POST"
    assert raw.http_version == "HTTP/1.1"
    assert raw.is_closed
    assert raw.parse().choices[0].message.content == "You said: Say this is a test"
    async with client.with_streaming_response.chat.completions.create(
        model="gpt-4o-mini", messages=QUESTION
    ) as response:
        assert not response.is_closed
        completion = await response.parse()
    assert completion.choices[0].message.content == "You said: Say this is a test"
    with pytest.raises(AttributeError, match="no namespace 'nothing'"):
        client.with_raw_response.nothing  # noqa: B018


async def test_create_with_a_model_class_names_parse(client: AsyncOpenAI) -> None:
    """A pydantic class given to create() is refused, pointing at parse(), as the SDK does."""
    with pytest.raises(InvalidParameterError, match=r"response_format: .*chat\.completions\.parse"):
        await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=QUESTION,
            response_format=MathResponse,  # type: ignore[typeddict-item]
        )


def test_sdk_namespaces_not_wrapped_say_what_to_use() -> None:
    """The SDK's namespaces that have no counterpart here name what to do instead."""
    client = AsyncOpenAI(api_key="sk-test")
    with pytest.raises(AttributeError, match=r"client\.conversations .*client\.request\("):
        client.conversations  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match=r"client\.realtime .*WebSockets"):
        client.realtime  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="'AsyncClient' object has no attribute 'nothing'"):
        client.nothing  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(client, "webhooks")


class _OneStreamServer(ThreadedServer):
    """Answers each connection's request with the same server-sent chunks, then closes."""

    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        events = b"".join(b"data: %s\n\n" % json.dumps(c).encode() for c in chunks)
        self.body = events + b"data: [DONE]\n\n"
        super().__init__()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                received += conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            conn.sendall(head + b"content-length: %d\r\n\r\n" % len(self.body) + self.body)


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [choice]}  # fmt: skip


async def test_chat_stream_tool_indices_that_skip() -> None:
    """A server whose tool call indices skip one (0, then 2) still gets each call's events."""

    def call(index: int, name: str | None, arguments: str) -> dict[str, Any]:
        function = {"arguments": arguments} if name is None else {"name": name, "arguments": ""}
        piece: dict[str, Any] = {"index": index, "function": function}
        if name is not None:
            piece |= {"id": f"call_{index}", "type": "function"}
        return piece

    server = _OneStreamServer([
        _chunk({"role": "assistant", "tool_calls": [call(0, "a", "")]}),
        _chunk({"tool_calls": [call(0, None, '{"x": 1}')]}),
        _chunk({"tool_calls": [call(2, "b", "")]}),
        _chunk({"tool_calls": [call(2, None, '{"y": 2}')]}),
        _chunk({}, finish="tool_calls"),
    ])  # fmt: skip
    done: list[tuple[int, str, str]] = []
    deltas: list[tuple[int, str]] = []
    try:
        client = AsyncOpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="sk-test")
        async with client, client.chat.completions.stream(model="m", messages=QUESTION) as stream:
            async for event in stream:
                if event.type == "tool_calls.function.arguments.delta":
                    deltas.append((event.index, event.name))
                elif event.type == "tool_calls.function.arguments.done":
                    done.append((event.index, event.name, event.arguments))
    finally:
        server.close()
    assert done == [(0, "a", '{"x": 1}'), (2, "b", '{"y": 2}')]
    assert deltas == [(0, "a"), (0, "a"), (2, "b"), (2, "b")]


@pytest.mark.latest_spec("/audio/speech is not in the 2023 spec")
async def test_speech_stream_to_file_as_tutorials_write_it(
    client: AsyncOpenAI, tmp_path: Path
) -> None:
    """``response.stream_to_file(path)`` on ``speech.create``: deprecated, as in the SDK; writes."""
    response = await client.audio.speech.create(model="tts-1", voice="alloy", input="hello")
    path = tmp_path / "speech.mp3"
    with pytest.warns(DeprecationWarning, match="with_streaming_response") as record:
        response.stream_to_file(path)
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert path.read_bytes() == response.content
    again = tmp_path / "again.mp3"
    with pytest.warns(DeprecationWarning, match="write_to_file"):
        await response.astream_to_file(again)
    assert again.read_bytes() == response.content
    assert b"".join(response.iter_bytes(1000)) == response.content
    assert len(next(iter(response.iter_bytes(1000)))) == 1000
    assert b"".join([piece async for piece in response.aiter_bytes()]) == response.content
    response.close()
    await response.aclose()


async def test_file_content_readers(client: AsyncOpenAI) -> None:
    """``files.content``'s text readers, as the SDK's binary content has them."""
    data = b'{"a": 1}\n{"b": 2}\n'
    file = await client.files.create(file=("data.jsonl", data), purpose="fine-tune")
    content = await client.files.content(file.id)
    assert list(content.iter_lines()) == ['{"a": 1}', '{"b": 2}']
    assert [line async for line in content.aiter_lines()] == ['{"a": 1}', '{"b": 2}']
    assert "".join(content.iter_text(4)) == data.decode()
    assert "".join([t async for t in content.aiter_text()]) == data.decode()


async def _upload_files(client: AsyncOpenAI, count: int) -> list[str]:
    ids = []
    for i in range(count):
        upload = await client.files.create(file=(f"{i}.jsonl", b"{}\n"), purpose="fine-tune")
        ids.append(upload.id)
    return ids


@pytest.mark.latest_spec("GET /files?limit=&after= came after the 2023 spec")
async def test_async_for_over_an_awaited_page_walks_every_page(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """``async for f in await client.files.list()``: every file, as the SDK's auto-pagination."""
    ids = await _upload_files(client, 5)
    server.requests.clear()
    page = await client.files.list(limit=2)
    assert [f.id async for f in page] == ids
    assert [f.id for f in page.data] == [f.id for f in page] == ids[:2]  # data: this page
    assert [r.query.get("after") for r in server.requests] == [None, ids[1], ids[3]]
    assert [f.id async for f in page] == ids  # again: the pages after it fetched anew


@pytest.mark.latest_spec("GET /files?limit=&after= came after the 2023 spec")
async def test_page_next_page_methods(client: AsyncOpenAI, server: LocalServer) -> None:
    """The SDK's has_next_page(), next_page_info(), get_next_page() and iter_pages()."""
    ids = await _upload_files(client, 3)
    first = await client.files.list(limit=2)
    assert first.has_next_page()
    info = first.next_page_info()
    assert info is not None
    assert info.params == {"after": ids[1]}
    second = await first.get_next_page()
    assert [f.id for f in second] == ids[2:]
    assert server.requests[-1].query == {"limit": "2", "after": ids[1]}
    assert not second.has_next_page()
    assert second.next_page_info() is None
    with pytest.raises(RuntimeError, match="has_next_page"):
        await second.get_next_page()
    pages = [[f.id for f in p] async for p in first.iter_pages()]
    assert pages == [ids[:2], ids[2:]]
    models = await client.models.list()  # no cursor: one page, as the SDK's AsyncPage
    assert not models.has_next_page()
    assert [m async for m in models] == models.data


async def test_a_page_made_by_hand_has_no_next_page() -> None:
    """A page not from a list() call gives its own items and knows of no next page."""
    body = {"object": "list", "data": [{"id": "a"}], "has_more": True}
    page = ListResponse[Any](data=[1, 2], object="list")
    assert [x async for x in page] == [1, 2]
    assert not page.has_next_page()
    with pytest.raises(RuntimeError):
        await page.get_next_page()
    assert ListResponse(data=body["data"]).next_page_info() is None


async def test_get_next_page_refuses_pages_that_loop(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """A server whose has_more pages lead back to a followed cursor: a typed error, no loop."""
    for last_id in ["file-a", "file-b", "file-a"]:
        body = {"object": "list", "data": [{**FILE, "id": last_id}], "has_more": True}
        server.inject(status=200, body=json.dumps(body), path="/v1/files", method="GET")
    page = await client.files.list()
    page = await page.get_next_page()  # after file-a: file-b
    with pytest.raises(APIResponseValidationError, match="loop"):
        await page.get_next_page()  # after file-b: file-a, which leads to file-b again


# A chat answer with a tool call, nulls, a key no model declares (in the message and at
# the top) and nulls inside it. The expected dicts below are what the SDK (openai 3.63,
# pydantic 2.14) gives for this JSON.
TOOL_REPLY = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "annotations": [],
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ],
                "novel": {"a": None, "b": 1},
            },
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    "service_tier": None,
    "surprise": [1, {"x": None}],
}
TOOL_CALLS = [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]


async def test_tool_loop_appends_model_dump_as_the_sdk(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """A tool loop's ``messages.append(message.model_dump(exclude_unset=True))``: the SDK's dict."""
    server.inject(status=200, body=json.dumps(TOOL_REPLY), path="/v1/chat/completions")
    reply = await client.chat.completions.create(model="gpt-4o-mini", messages=QUESTION)
    message = reply.choices[0].message
    sent = TOOL_REPLY["choices"][0]["message"]  # type: ignore[index]
    assert message.model_dump(exclude_unset=True) == sent
    no_nulls = {
        "role": "assistant",
        "annotations": [],
        "tool_calls": TOOL_CALLS,
        "novel": sent["novel"],
    }
    assert message.model_dump(exclude_none=True) == no_nulls
    assert message.model_dump(exclude_unset=True, exclude_none=True, mode="json") == no_nulls
    assert json.loads(message.model_dump_json(exclude_none=True)) == no_nulls
    assert message.model_dump(include={"role", "content"}) == {"role": "assistant", "content": None}
    assert message.model_dump(exclude={"tool_calls", "novel"}, by_alias=True) == {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "annotations": [],
    }
    whole = reply.model_dump(exclude_none=True)
    assert whole["choices"] == [{"index": 0, "finish_reason": "tool_calls", "message": no_nulls}]
    assert "service_tier" not in whole
    assert whole["surprise"] == [1, {"x": None}]  # a plain JSON value keeps its nulls
    assert reply.model_dump(include={"choices": {0: {"message": {"role"}}}}) == {
        "choices": [{"message": {"role": "assistant"}}]
    }
    messages: list[Any] = [*QUESTION, message.model_dump(exclude_none=True)]
    await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert server.requests[-1].json()["messages"][-1] == no_nulls


def test_pydantic_model_api() -> None:
    """model_extra, model_fields_set, model_fields, model_validate, construct; bad options."""
    reply = ChatCompletion.model_validate(TOOL_REPLY)
    message = reply.choices[0].message
    assert message.model_extra == {"novel": {"a": None, "b": 1}}
    assert message.model_fields_set == {"role", "content", "refusal", "annotations", "tool_calls"}
    assert "tool_calls" in ChatCompletionMessage.model_fields
    assert reply.model_fields_set == {
        "id", "object", "created", "model", "choices", "usage", "service_tier"
    }  # fmt: skip
    built = ChatCompletionMessage.construct(role="assistant", content="hi")
    assert built.model_dump(exclude_unset=True) == {"role": "assistant", "content": "hi"}
    assert built.model_fields_set == {"role", "content"}
    by_hand = ChatCompletionMessage(content="hi")  # role is at its default
    assert by_hand.model_fields_set == {"content"}
    assert by_hand.model_dump(exclude_unset=True) == {"content": "hi"}
    assert by_hand.model_dump(exclude_none=True) == {"role": "assistant", "content": "hi"}
    with pytest.raises(ValueError, match="model_validate"):
        ChatCompletion.model_validate({"choices": 3})
    with pytest.raises(TypeError, match="exclude_defaults"):
        message.model_dump(exclude_defaults=True)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="mode"):
        message.model_dump(mode="xml")


async def test_parse_of_a_cut_answer_raises_length_finish_reason_error(
    client: AsyncOpenAI,
) -> None:
    """parse() and stream() on finish_reason "length": LengthFinishReasonError, as the SDK."""
    with pytest.raises(LengthFinishReasonError, match="length limit") as info:
        await client.chat.completions.parse(
            model="gpt-4o-2024-08-06", messages=MATH, response_format=MathResponse, max_tokens=5
        )
    assert isinstance(info.value, APIResponseValidationError)  # one of our typed errors
    assert info.value.completion.choices[0].finish_reason == "length"
    assert info.value.status_code == 200
    with pytest.raises(LengthFinishReasonError):  # the SDK raises without a format too
        await client.chat.completions.parse(model="gpt-4o-mini", messages=QUESTION, max_tokens=2)
    events = []

    async def follow() -> None:
        async with client.chat.completions.stream(
            model="gpt-4o-2024-08-06", messages=MATH, response_format=MathResponse, max_tokens=5
        ) as stream:
            async for event in stream:
                events.append(event.type)

    with pytest.raises(LengthFinishReasonError) as streamed:
        await follow()
    assert "content.done" not in events  # raised at the chunk that ends it, as the SDK
    assert streamed.value.completion.choices[0].finish_reason == "length"
    async with client.chat.completions.stream(
        model="gpt-4o-mini", messages=QUESTION, max_tokens=2
    ) as plain:
        assert [e.type async for e in plain][-1] == "content.done"  # nothing to parse
        with pytest.raises(LengthFinishReasonError):
            await plain.get_final_completion()


async def test_parse_of_a_filtered_answer_raises_content_filter_error(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """finish_reason "content_filter" on a parse: ContentFilterFinishReasonError, as the SDK."""
    choice = {"index": 0, "finish_reason": "content_filter", "logprobs": None}
    message = {"role": "assistant", "content": '{"steps": [], "final_an'}
    body = {**TOOL_REPLY, "choices": [{**choice, "message": message}]}
    server.inject(status=200, body=json.dumps(body), path="/v1/chat/completions")
    with pytest.raises(ContentFilterFinishReasonError, match="content filter") as info:
        await client.chat.completions.parse(
            model="gpt-4o-2024-08-06", messages=MATH, response_format=MathResponse
        )
    assert isinstance(info.value, APIResponseValidationError)
    assert info.value.completion.choices[0].message.content == message["content"]


async def test_omit_and_the_sdk_top_level_names(
    client: AsyncOpenAI, server: LocalServer, tmp_path: Path
) -> None:
    """``omit`` / ``not_given`` leave a parameter out as NOT_GIVEN; file_from_path reads a file."""
    reply = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=QUESTION,
        tools=omit,
        temperature=not_given,
    )
    assert reply.choices[0].message.content == "You said: Say this is a test"
    assert server.requests[-1].json() == {"model": "gpt-4o-mini", "messages": QUESTION}
    assert isinstance(omit, Omit)
    assert repr(omit) == "omit"
    variant = client.with_options(timeout=omit)
    assert (await variant.files.list(purpose=omit)).data == []
    assert dict(server.requests[-1].query) == {}
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"a": 1}\n')
    assert file_from_path(str(path)) == ("train.jsonl", b'{"a": 1}\n')
    uploaded = await client.files.create(file=file_from_path(path), purpose="fine-tune")
    assert uploaded.filename == "train.jsonl"
    assert DEFAULT_CONNECTION_LIMITS.max_connections is not None
