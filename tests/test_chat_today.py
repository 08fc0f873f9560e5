"""Today's chat completions over loopback: tools, structured outputs, reasoning, options.

Each of these is written the way today's ``AsyncOpenAI`` docs write it; only the
import differs. Every request is checked against openapi-latest.yaml by the fixture.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pydantic
import pytest

from openai_async import (
    APITimeoutError,
    AsyncOpenAI,
    AsyncStream,
    BadRequestError,
    ChatCompletionAccumulator,
    InvalidParameterError,
    accumulate_chat,
    pydantic_function_tool,
)
from openai_async.testing import LocalServer
from openai_async.types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion

pytestmark = pytest.mark.anyio

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
    },
}


class Otter(pydantic.BaseModel):
    """What the model says about an otter."""

    name: str
    age: int
    friends: list[str]
    nickname: str | None = None


async def test_tool_round_trip(client: AsyncOpenAI, server: LocalServer) -> None:
    """A tool call, its result sent back as a tool message, then the model's answer."""
    messages: list[Any] = [{"role": "user", "content": "get_weather in Oslo?"}]
    first = await client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, tools=[WEATHER], tool_choice="auto"
    )
    message = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    assert message.content is None
    assert message.tool_calls is not None
    (call,) = message.tool_calls
    assert call.type == "function"
    assert call.id.startswith("call")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "get_weather in Oslo?"}
    messages.append(message)  # the reply model goes back as it came
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "12 degrees"})
    second = await client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, tools=[WEATHER]
    )
    assert second.choices[0].message.content == "get_weather returned: 12 degrees"
    sent = server.requests[-1].json()["messages"]
    assert sent[1]["tool_calls"][0]["id"] == call.id
    assert "function_call" not in sent[1]  # null fields of the reply are left out


async def test_streamed_parallel_tool_calls_accumulate(client: AsyncOpenAI) -> None:
    """Two tool calls stream as argument fragments per index and add up to the whole."""
    question = [{"role": "user", "content": "get_weather and get_time for Lima"}]
    whole = await client.chat.completions.create(
        model="gpt-4o-mini", messages=question, tools=[WEATHER, TIME]
    )
    stream = await client.chat.completions.create(
        model="gpt-4o-mini", messages=question, tools=[WEATHER, TIME], stream=True
    )
    accumulator = ChatCompletionAccumulator()
    fragments: dict[int, int] = {}
    async with stream:
        async for chunk in stream:
            accumulator.add(chunk)
            for choice in chunk.choices:
                for piece in choice.delta.tool_calls or ():
                    fragments[piece.index] = fragments.get(piece.index, 0) + 1
    streamed = accumulator.result()
    assert fragments.keys() == {0, 1}
    assert min(fragments.values()) > 2  # the arguments came in several pieces
    calls = streamed.choices[0].message.tool_calls
    assert calls is not None
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    expected = whole.choices[0].message.tool_calls
    assert expected is not None
    assert [c.function.arguments for c in calls] == [c.function.arguments for c in expected]
    assert all(c.id for c in calls)
    assert streamed.choices[0].finish_reason == "tool_calls"


async def test_parallel_tool_calls_false_calls_one(client: AsyncOpenAI) -> None:
    """parallel_tool_calls=False makes the model call one tool at a time."""
    reply = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "get_weather and get_time"}],
        tools=[WEATHER, TIME],
        parallel_tool_calls=False,
        tool_choice="required",
    )
    calls = reply.choices[0].message.tool_calls
    assert calls is not None
    assert len(calls) == 1


async def test_forced_tool_choice(client: AsyncOpenAI) -> None:
    """A tool_choice object calls the named tool whatever the message says."""
    reply = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "developer", "content": "be brief"}, {"role": "user", "content": "hi"}],
        tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    calls = reply.choices[0].message.tool_calls
    assert calls is not None
    assert [c.function.name for c in calls] == ["get_time"]


async def test_json_schema_answer_fits_the_schema(client: AsyncOpenAI) -> None:
    """A json_schema response format gets an answer that validates against the schema."""
    schema = Otter.model_json_schema()
    reply = await client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        messages=[{"role": "user", "content": "describe an otter"}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "otter", "schema": schema},
        },
    )
    content = reply.choices[0].message.content
    assert content is not None
    jsonschema.validate(json.loads(content), schema)


async def test_parse_with_a_pydantic_model(client: AsyncOpenAI, server: LocalServer) -> None:
    """parse(response_format=Model) sends a strict schema and gives message.parsed."""
    completion = await client.chat.completions.parse(
        model="gpt-4o-2024-08-06",
        messages=[{"role": "user", "content": "Ottie"}],
        response_format=Otter,
    )
    assert isinstance(completion, ParsedChatCompletion)
    otter = completion.choices[0].message.parsed
    assert isinstance(otter, Otter)
    assert otter.name == "Ottie"
    assert otter.friends == ["Ottie"]
    sent = server.requests[-1].json()["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "Otter"
    assert sent["json_schema"]["strict"] is True
    schema = sent["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == ["age", "friends", "name", "nickname"]


async def test_parse_with_a_json_schema_dict(client: AsyncOpenAI) -> None:
    """A plain JSON-schema dict is sent strict, and parsed gives the decoded JSON."""
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}}
    completion = await client.chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "two words"}], response_format=schema
    )
    assert completion.choices[0].message.parsed == {"answer": 2}


async def test_parse_refusal_leaves_parsed_none(client: AsyncOpenAI) -> None:
    """A refusal comes back as message.refusal, and nothing is parsed."""
    completion = await client.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": "[refuse] this"}],
        response_format=Otter,
    )
    message = completion.choices[0].message
    assert message.parsed is None
    assert message.refusal
    assert message.content is None


async def test_parse_strict_tools_from_models(client: AsyncOpenAI, server: LocalServer) -> None:
    """A tool made from a model is sent strict; its call's arguments come back parsed."""

    class GetWeather(pydantic.BaseModel):
        city: str
        days: int

    completion = await client.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": "GetWeather for Oslo"}],
        tools=[pydantic_function_tool(GetWeather), WEATHER],
    )
    calls = completion.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.parsed_arguments == GetWeather(city="GetWeather for Oslo", days=3)
    tool = server.requests[-1].json()["tools"][0]["function"]
    assert tool["strict"] is True
    assert tool["parameters"]["additionalProperties"] is False


async def test_parse_answer_that_does_not_fit_raises(
    client: AsyncOpenAI, server: LocalServer
) -> None:
    """An answer that is not the requested JSON is the server's fault: a typed error."""
    from openai_async import APIResponseValidationError

    bad = {
        "id": "x",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "not json"}}],
    }
    server.inject(status=200, body=bad)
    with pytest.raises(APIResponseValidationError, match="requested format"):
        await client.chat.completions.parse(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}], response_format=Otter
        )


async def test_reasoning_model(client: AsyncOpenAI) -> None:
    """reasoning_effort and max_completion_tokens; the usage counts reasoning tokens."""
    reply = await client.chat.completions.create(
        model="o4-mini",
        messages=[{"role": "user", "content": "think hard"}],
        reasoning_effort="high",
        max_completion_tokens=1000,
    )
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens > 0
    assert reply.choices[0].message.content == "You said: think hard"


async def test_reasoning_model_refuses_max_tokens(client: AsyncOpenAI) -> None:
    """As the service does, the local server refuses max_tokens for reasoning models."""
    with pytest.raises(BadRequestError) as info:
        await client.chat.completions.create(
            model="o3", messages=[{"role": "user", "content": "x"}], max_tokens=10
        )
    assert info.value.param == "max_tokens"
    assert info.value.code == "unsupported_parameter"


async def test_include_usage_stream(client: AsyncOpenAI) -> None:
    """include_usage sends a last chunk with no choices and the usage; it accumulates."""
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "count to three"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert all(chunk.usage is None for chunk in chunks[:-1])
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "count to three"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    reply = await accumulate_chat(stream)
    assert reply.usage == chunks[-1].usage
    assert reply.choices[0].message.content == "You said: count to three"


async def test_logprobs(client: AsyncOpenAI) -> None:
    """logprobs and top_logprobs come back per token, whole and streamed alike."""
    kwargs: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi there"}],
        "logprobs": True,
        "top_logprobs": 2,
    }
    whole = await client.chat.completions.create(**kwargs)
    logprobs = whole.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is not None
    assert "".join(t.token for t in logprobs.content) == whole.choices[0].message.content
    assert all(len(t.top_logprobs) == 2 for t in logprobs.content)
    streamed = await accumulate_chat(await client.chat.completions.create(stream=True, **kwargs))
    assert streamed.choices[0].logprobs == logprobs


@pytest.mark.off_spec("vLLM's top_k and guided_json are not OpenAI parameters")
async def test_extra_body_reaches_the_server(client: AsyncOpenAI, server: LocalServer) -> None:
    """vLLM-style extra_body is merged into the JSON body, its keys winning."""
    await client.chat.completions.create(
        model="meta-llama/Llama-3-8b",
        messages=[{"role": "user", "content": "hi"}],
        temperature=0.5,
        extra_body={"top_k": 5, "guided_json": {"type": "object"}, "temperature": 0.1},
    )
    body = server.requests[-1].json()
    assert body["top_k"] == 5
    assert body["guided_json"] == {"type": "object"}
    assert body["temperature"] == 0.1


@pytest.mark.off_spec("the query parameter is the caller's own")
async def test_extra_headers_and_query(client: AsyncOpenAI, server: LocalServer) -> None:
    """extra_headers and extra_query go with this call only."""
    await client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"X-Team": "search"},
        extra_query={"trace": "1"},
    )
    request = server.requests[-1]
    assert request.headers["x-team"] == "search"
    assert request.query == {"trace": "1"}
    await client.models.list()
    assert "x-team" not in server.requests[-1].headers
    assert server.requests[-1].query == {}


async def test_per_call_timeout(client: AsyncOpenAI, server: LocalServer) -> None:
    """timeout= bounds this call only: a slow answer times out, the next call is fine."""
    server.inject(delay=1.0, path="/chat/completions")
    with pytest.raises(APITimeoutError):
        await client.with_options(max_retries=0).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], timeout=0.2
        )
    reply = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], timeout=httpx.Timeout(5.0)
    )
    assert reply.choices[0].message.content == "You said: hi"


async def test_per_call_options_are_checked(client: AsyncOpenAI) -> None:
    """Per-call options of the wrong type are refused by name before sending."""
    with pytest.raises(InvalidParameterError, match="extra_body"):
        await client.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            extra_body=["top_k"],  # type: ignore[typeddict-item]
        )
    with pytest.raises(InvalidParameterError, match="extra_headers"):
        await client.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x": 1},  # type: ignore[dict-item]
        )


async def test_with_raw_response(client: AsyncOpenAI, server: LocalServer) -> None:
    """with_raw_response gives the headers first, then parse() gives the completion."""
    raw = await client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == raw.request_id
    assert raw.http_response.request.url.path == "/v1/chat/completions"
    completion = raw.parse()
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == "You said: hi"
    assert raw.parse() is completion
    streamed = await client.chat.with_raw_response.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    stream = streamed.parse()
    assert isinstance(stream, AsyncStream)
    async with stream:
        chunks = [chunk async for chunk in stream]
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)


async def test_with_streaming_response(client: AsyncOpenAI, server: LocalServer) -> None:
    """with_streaming_response: headers before the body, then parse or read it in pieces."""
    async with client.chat.completions.with_streaming_response.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    ) as response:
        assert response.headers["content-type"].startswith("application/json")
        assert not response.http_response.is_stream_consumed
        completion = await response.parse()
    assert completion.choices[0].message.content == "You said: hi"
    async with client.models.with_streaming_response.list() as response:
        body = b"".join([piece async for piece in response.iter_bytes()])
    assert json.loads(body)["object"] == "list"


async def test_with_raw_response_names_only_endpoints(client: AsyncOpenAI) -> None:
    """Only endpoint methods (and namespaces) are reachable through with_raw_response."""
    with pytest.raises(AttributeError, match="no endpoint method"):
        _ = client.chat.completions.with_raw_response.nothing_here
    with pytest.raises(AttributeError, match="no endpoint method"):
        _ = client.models.with_raw_response._client


async def test_content_parts_and_roles(client: AsyncOpenAI, server: LocalServer) -> None:
    """Content parts (text, image_url, input_audio, file) and developer messages are sent."""
    parts = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        {"type": "file", "file": {"file_id": "file-abc"}},
    ]
    reply = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "developer", "content": "be brief"}, {"role": "user", "content": parts}],
        seed=7,
        store=True,
        metadata={"run": "1"},
        service_tier="auto",
        verbosity="low",
        prompt_cache_key="k",
        safety_identifier="user-1",
        modalities=["text"],
        prediction={"type": "content", "content": "a"},
        web_search_options={"search_context_size": "low"},
    )
    assert (
        reply.choices[0].message.content
        == "You said: what is this? [image_url] [input_audio] [file]"
    )
    assert server.requests[-1].json()["messages"][1]["content"] == parts


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"messages": [{"role": "tool", "content": "12"}]}, "messages[0].tool_call_id"),
        ({"tools": []}, "tools"),
        ({"tools": [{"type": "function", "function": {"name": "a b"}}]}, "tools[0].function.name"),
        ({"tools": [{"function": {"name": "f"}}]}, "tools[0]"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"top_logprobs": 21}, "top_logprobs"),
        ({"tool_choice": "sometimes"}, "tool_choice"),
        ({"max_completion_tokens": -1}, "max_completion_tokens"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    client: AsyncOpenAI, server: LocalServer, kwargs: dict[str, Any], param: str
) -> None:
    """Each bad argument is refused by name, and nothing reaches the server."""
    call: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(InvalidParameterError) as info:
        await client.chat.completions.create(**{**call, **kwargs})
    assert info.value.param == param
    assert server.requests == []


async def test_parse_refuses_what_is_not_a_format(client: AsyncOpenAI) -> None:
    """parse() names response_format when it is neither a model class nor a schema."""
    with pytest.raises(InvalidParameterError, match="response_format"):
        await client.chat.completions.parse(
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            response_format=42,  # type: ignore[call-overload]
        )


async def test_stream_type_is_chunk(client: AsyncOpenAI) -> None:
    """stream=True gives an AsyncStream of chunks; stream=False a completion (typed)."""
    stream: AsyncStream[ChatCompletionChunk] = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    await stream.aclose()


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "key\n", " padded"])
async def test_bad_per_call_header_values_are_refused_unsent(
    client: AsyncOpenAI, server: LocalServer, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    """A per-call header value HTTP cannot carry is refused by name, never sent or logged."""
    caplog.set_level("DEBUG")
    with pytest.raises(InvalidParameterError, match="extra_headers") as info:
        await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], extra_headers={"x-key": value}
        )
    assert value not in str(info.value)
    with pytest.raises(InvalidParameterError, match="headers"):
        await client.request("GET", "models", headers={"x-key": value})
    assert server.requests == []
    assert value not in caplog.text
