"""client.chat.completions over loopback: whole answers, streams, function calls, checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_async import (
    AsyncClient,
    BadRequestError,
    ChatCompletionAccumulator,
    InvalidParameterError,
    accumulate_chat,
    text_deltas,
)
from openai_async._messages import message_json
from openai_async.testing import LocalServer
from openai_async.types import ChatCompletion, ChatCompletionMessage, ChoiceDelta, FunctionCall

pytestmark = pytest.mark.anyio

USER = [{"role": "user", "content": "tell me about otters"}]
FUNCTIONS = [
    {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]


async def test_create_returns_a_chat_completion(client: AsyncClient, server: LocalServer) -> None:
    """A non-streamed call returns a typed ChatCompletion with the echoed reply and usage."""
    reply = await client.chat.completions.create(model="gpt-3.5-turbo", messages=USER)
    assert isinstance(reply, ChatCompletion)
    assert reply.object == "chat.completion"
    assert reply.model == "gpt-3.5-turbo"
    choice = reply.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "You said: tell me about otters"
    assert choice.finish_reason == "stop"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (4, 6)
    assert reply.usage.total_tokens == 10


async def test_all_documented_parameters_are_sent(client: AsyncClient, server: LocalServer) -> None:
    """Every parameter given reaches the server under its API name; None ones are left out."""
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi", "name": "alice_1"},
    ]
    await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
        functions=FUNCTIONS,
        function_call="none",
        temperature=0.5,
        top_p=0.9,
        n=2,
        stop=["\n", "END"],
        max_tokens=50,
        presence_penalty=0.1,
        frequency_penalty=-0.1,
        logit_bias={"50256": -100},
        user="user-1234",
    )
    sent = server.requests[-1].json()
    assert sent == {
        "model": "gpt-4o-mini",
        "messages": messages,
        "functions": FUNCTIONS,
        "function_call": "none",
        "temperature": 0.5,
        "top_p": 0.9,
        "n": 2,
        "stop": ["\n", "END"],
        "max_tokens": 50,
        "presence_penalty": 0.1,
        "frequency_penalty": -0.1,
        "logit_bias": {"50256": -100},
        "user": "user-1234",
    }
    await client.chat.completions.create(model="m", messages=USER)
    assert server.requests[-1].json() == {"model": "m", "messages": USER}


async def test_max_tokens_and_stop_shape_the_answer(client: AsyncClient) -> None:
    """max_tokens cuts with finish_reason length; a stop sequence cuts before it."""
    cut = await client.chat.completions.create(model="m", messages=USER, max_tokens=3)
    assert cut.choices[0].message.content == "You said: tell"
    assert cut.choices[0].finish_reason == "length"
    stopped = await client.chat.completions.create(model="m", messages=USER, stop="about")
    assert stopped.choices[0].message.content == "You said: tell me "
    assert stopped.choices[0].finish_reason == "stop"


async def test_forced_function_call(client: AsyncClient) -> None:
    """function_call={"name": ...} makes the model call it with JSON arguments."""
    reply = await client.chat.completions.create(
        model="m", messages=USER, functions=FUNCTIONS, function_call={"name": "get_weather"}
    )
    message = reply.choices[0].message
    assert message.content is None
    assert message.function_call is not None
    assert message.function_call.name == "get_weather"
    assert json.loads(message.function_call.arguments or "") == {"query": USER[0]["content"]}
    assert reply.choices[0].finish_reason == "function_call"


async def test_logit_bias_with_int_token_ids(client: AsyncClient, server: LocalServer) -> None:
    """Token ids given as ints go out as the JSON object's string keys, as the spec wants."""
    await client.chat.completions.create(model="m", messages=USER, logit_bias={50256: -100, 15: 2})
    assert server.requests[-1].json()["logit_bias"] == {"50256": -100, "15": 2}


async def test_reply_with_function_call_goes_back_as_it_came(client: AsyncClient) -> None:
    """The model's function-call reply (content null) is sent back verbatim in the next turn."""
    reply = await client.chat.completions.create(
        model="m", messages=USER, functions=FUNCTIONS, function_call={"name": "get_weather"}
    )
    called = reply.choices[0].message
    assert called.content is None
    result = {"role": "function", "name": "get_weather", "content": "sunny"}
    messages = [*USER, called.to_dict(), result]
    answer = await client.chat.completions.create(model="m", messages=messages)
    assert answer.choices[0].message.content == "get_weather returned: sunny"


async def test_reply_model_is_appended_as_it_is(client: AsyncClient, server: LocalServer) -> None:
    """The SDK's function-calling loop: the reply object itself goes back in the next turn."""
    messages: list[Any] = [*USER]
    reply = await client.chat.completions.create(
        model="m", messages=messages, functions=FUNCTIONS, function_call={"name": "get_weather"}
    )
    messages.append(reply.choices[0].message)
    messages.append({"role": "function", "name": "get_weather", "content": "sunny"})
    answer = await client.chat.completions.create(model="m", messages=messages)
    assert answer.choices[0].message.content == "get_weather returned: sunny"
    call = {"name": "get_weather", "arguments": '{"query": "tell me about otters"}'}
    sent = server.requests[-1].json()["messages"][1]
    assert sent == {"role": "assistant", "content": None, "function_call": call}


async def test_null_fields_of_a_reply_are_left_out(
    client: AsyncClient, server: LocalServer
) -> None:
    """A reply's null function_call and name are not sent back (the API refuses them)."""
    message = {"role": "assistant", "content": "hi", "name": None, "function_call": None}
    body = {"id": "c", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    server.inject(status=200, body=body)
    reply = await client.chat.completions.create(model="m", messages=USER)
    streamed = ChatCompletionAccumulator()  # builds its result by hand: every field, nulls too
    async with await client.chat.completions.create(model="m", messages=USER, stream=True) as s:
        async for chunk in s:
            streamed.add(chunk)
    messages = [*USER, reply.choices[0].message, streamed.result().choices[0].message]
    await client.chat.completions.create(model="m", messages=messages)
    assert server.requests[-1].json()["messages"][1:] == [
        {"role": "assistant", "content": "hi"},
        {"role": "assistant", "content": "You said: tell me about otters"},
    ]


def test_message_json_keeps_null_content_only() -> None:
    """A model's null keys are dropped, except content; a mapping passes untouched."""
    call = FunctionCall(name="f", arguments="{}")
    assert message_json(ChatCompletionMessage(content=None, function_call=call)) == {
        "role": "assistant",
        "content": None,
        "function_call": {"name": "f", "arguments": "{}"},
    }
    given = {"role": "user", "content": "x", "name": None}
    assert message_json(given) is given


async def test_function_result_message(client: AsyncClient) -> None:
    """A role=function message with its name gets an answer built from the result."""
    messages = [
        *USER,
        # content null, as the model's reply has it: see the 2023 erratum in tests/openapi.py
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
        {"role": "function", "name": "get_weather", "content": "sunny"},
    ]
    reply = await client.chat.completions.create(model="m", messages=messages)
    assert reply.choices[0].message.content == "get_weather returned: sunny"


async def test_stream_accumulates_to_the_same_answer(client: AsyncClient) -> None:
    """Accumulating a stream gives the message a non-streamed call gives, per choice."""
    whole = await client.chat.completions.create(model="m", messages=USER, n=3)
    stream = await client.chat.completions.create(model="m", messages=USER, n=3, stream=True)
    async with stream:
        streamed = await accumulate_chat(stream)
    assert [c.message for c in streamed.choices] == [c.message for c in whole.choices]
    assert [c.finish_reason for c in streamed.choices] == ["stop"] * 3
    assert [c.index for c in streamed.choices] == [0, 1, 2]
    assert streamed.choices[1].message.content == "[1] You said: tell me about otters"


async def test_streamed_function_call_accumulates(client: AsyncClient) -> None:
    """A streamed function call adds up to its name and full JSON arguments."""
    stream = await client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "what does get_weather say for Paris"}],
        functions=FUNCTIONS,
        stream=True,
    )
    accumulator = ChatCompletionAccumulator()
    async with stream:
        async for chunk in stream:
            accumulator.add(chunk)
    choice = accumulator.result().choices[0]
    assert choice.finish_reason == "function_call"
    assert choice.message.content is None
    assert choice.message.function_call is not None
    assert choice.message.function_call.name == "get_weather"
    arguments = json.loads(choice.message.function_call.arguments or "")
    assert arguments == {"query": "what does get_weather say for Paris"}


async def test_text_deltas(client: AsyncClient) -> None:
    """text_deltas yields only the non-empty text of one choice, in order."""
    stream = await client.chat.completions.create(model="m", messages=USER, n=2, stream=True)
    async with stream:
        pieces = [piece async for piece in text_deltas(stream, index=1)]
    assert pieces[0] == "[1]"
    assert "".join(pieces) == "[1] You said: tell me about otters"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"messages": []}, "messages"),
        ({"messages": "hello"}, "messages"),
        ({"messages": [{"content": "no role"}]}, "messages[0]"),
        ({"messages": [*USER, ChoiceDelta(content="a delta has no role")]}, "messages[1]"),
        ({"messages": [{"role": "user", "content": "x", "name": "has space"}]}, "messages[0].name"),
        (
            {"messages": [*USER, {"role": "user", "content": "x", "name": "a" * 65}]},
            "messages[1].name",
        ),
        ({"messages": [*USER, {"role": "function", "content": "sunny"}]}, "messages[1].name"),
        (
            {"messages": [*USER, {"role": "function", "name": "get weather", "content": "x"}]},
            "messages[1].name",
        ),
        ({"messages": USER, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"messages": USER, "stop": []}, "stop"),
        ({"messages": USER, "functions": [{"name": "bad name"}]}, "functions[0].name"),
        ({"messages": USER, "n": 0}, "n"),
        ({"messages": USER, "temperature": 2.5}, "temperature"),
        ({"messages": USER, "temperature": float("nan")}, "temperature"),
        ({"messages": USER, "top_p": 1.5}, "top_p"),
        ({"messages": USER, "presence_penalty": 3}, "presence_penalty"),
        ({"messages": USER, "frequency_penalty": -2.5}, "frequency_penalty"),
        ({"messages": USER, "logit_bias": {"50256": 200}}, "logit_bias['50256']"),
        ({"messages": USER, "max_tokens": -1}, "max_tokens"),
    ],
)
async def test_documented_limits_are_checked_before_sending(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, Any], param: str
) -> None:
    """Breaking a documented limit raises InvalidParameterError naming it; nothing is sent."""
    with pytest.raises(InvalidParameterError) as info:
        await client.chat.completions.create(model="m", **kwargs)
    assert info.value.param == param
    assert server.requests == []


async def test_function_result_named_after_a_dashed_function(
    client: AsyncClient, server: LocalServer
) -> None:
    """A function's name may have dashes, so the message carrying its result may too."""
    messages = [*USER, {"role": "function", "name": "get-weather", "content": "sunny"}]
    await client.chat.completions.create(model="m", messages=messages)
    assert server.requests[-1].json()["messages"][-1]["name"] == "get-weather"


async def test_valid_edge_values_pass(client: AsyncClient) -> None:
    """Four stop sequences, a 64-character name and every bound itself are within the limits."""
    messages = [{"role": "user", "content": "hi", "name": "a_" + "b" * 62}]
    reply = await client.chat.completions.create(
        model="m",
        messages=messages,
        stop=["w", "x", "y", "z"],
        temperature=2,
        top_p=0,
        presence_penalty=-2,
        frequency_penalty=2,
        logit_bias={"50256": -100},
    )
    assert reply.choices[0].message.content == "You said: hi"


@pytest.mark.off_spec("malformed bodies, sent through the escape hatch for the server to refuse")
async def test_server_refuses_malformed_requests(client: AsyncClient) -> None:
    """Through the escape hatch (no client checks), the server answers 400 naming the param."""
    for body, param in [
        ({"model": "m", "messages": USER, "n": "two"}, "n"),
        ({"model": "m", "messages": USER, "stop": ["a"] * 5}, "stop"),
        ({"model": "m", "messages": USER, "max_tokens": -1}, "max_tokens"),
        ({"model": "m", "messages": []}, "messages"),
        ({"messages": USER}, "model"),
    ]:
        with pytest.raises(BadRequestError) as info:
            await client.request("POST", "chat/completions", json=body)
        assert info.value.param == param
    with pytest.raises(BadRequestError) as info:
        await client.request("POST", "completions", json={"model": "m", "logprobs": 6})
    assert info.value.param == "logprobs"
