"""client.completions over loopback: prompt shapes, indexes, logprobs, streaming, checks."""

from __future__ import annotations

from typing import Any

import pytest

from openai_async import (
    AsyncClient,
    CompletionAccumulator,
    InvalidParameterError,
    accumulate_completion,
    text_deltas,
)
from openai_async.testing import LocalServer
from openai_async.types import Completion

pytestmark = pytest.mark.anyio


async def test_string_prompt(client: AsyncClient) -> None:
    """A string prompt gives one echo-derived choice with real usage counts."""
    reply = await client.completions.create(model="text-davinci-003", prompt="Say this")
    assert isinstance(reply, Completion)
    assert reply.object == "text_completion"
    assert reply.choices[0].text == " Echo: Say this"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (2, 3)


@pytest.mark.parametrize(
    ("prompt", "texts"),
    [
        (["a b", "c"], [" Echo: a b", " Echo: c"]),
        ([1212, 318], [" Echo: <1212> <318>"]),
        ([[1, 2], [3]], [" Echo: <1> <2>", " Echo: <3>"]),
    ],
)
async def test_prompt_shapes(client: AsyncClient, prompt: Any, texts: list[str]) -> None:
    """Lists of strings, token lists and lists of token lists are all accepted."""
    reply = await client.completions.create(model="m", prompt=prompt)
    assert [c.text for c in reply.choices] == texts


async def test_choices_indexed_prompt_position_times_n_plus_k(client: AsyncClient) -> None:
    """With several prompts and n, choice index is prompt_position * n + k."""
    reply = await client.completions.create(model="m", prompt=["p0", "p1", "p2"], n=2)
    got = {c.index: c.text for c in reply.choices}
    assert got == {
        position * 2 + k: f" Echo {k}: p{position}" for position in range(3) for k in range(2)
    }


async def test_echo_max_tokens_stop_and_logprobs(client: AsyncClient) -> None:
    """echo prepends the prompt, max_tokens cuts (length), logprobs lists each token."""
    reply = await client.completions.create(
        model="m", prompt="one two three", echo=True, max_tokens=2, logprobs=3
    )
    choice = reply.choices[0]
    assert choice.text == "one two three Echo: one"
    assert choice.finish_reason == "length"
    assert choice.logprobs is not None
    assert "".join(choice.logprobs.tokens) == choice.text
    assert choice.logprobs.top_logprobs is not None
    assert all(len(top or {}) == 3 for top in choice.logprobs.top_logprobs)
    stopped = await client.completions.create(model="m", prompt="a b c", stop=" b")
    assert stopped.choices[0].text == " Echo: a"


async def test_all_parameters_are_sent(client: AsyncClient, server: LocalServer) -> None:
    """Every parameter given reaches the server under its API name."""
    params: dict[str, Any] = {
        "suffix": "end.",
        "max_tokens": 7,
        "temperature": 0.2,
        "top_p": 0.5,
        "n": 2,
        "logprobs": 5,
        "echo": False,
        "stop": "\n",
        "presence_penalty": 1.0,
        "frequency_penalty": 2.0,
        "best_of": 3,
        "logit_bias": {"50256": -100},
        "user": "u-1",
    }
    await client.completions.create(model="m", prompt="x", **params)
    assert server.requests[-1].json() == {"model": "m", "prompt": "x", **params}


async def test_stream_accumulates_to_the_same_completion(client: AsyncClient) -> None:
    """A streamed multi-prompt completion adds up to the non-streamed choices."""
    kwargs: dict[str, Any] = {"model": "m", "prompt": ["a b", "c d e"], "n": 2, "logprobs": 1}
    whole = await client.completions.create(**kwargs)
    stream = await client.completions.create(**kwargs, stream=True)
    async with stream:
        streamed = await accumulate_completion(stream)
    assert [(c.index, c.text, c.finish_reason) for c in streamed.choices] == [
        (c.index, c.text, c.finish_reason) for c in whole.choices
    ]
    assert [c.logprobs for c in streamed.choices] == [c.logprobs for c in whole.choices]


async def test_stream_text_deltas_and_accumulator(client: AsyncClient) -> None:
    """text_deltas works on completion chunks; the accumulator sees the same text."""
    stream = await client.completions.create(model="m", prompt="hello world", stream=True)
    accumulator = CompletionAccumulator()

    async def tee() -> Any:
        async for chunk in stream:
            yield accumulator.add(chunk)

    async with stream:
        pieces = [piece async for piece in text_deltas(tee())]
    assert "".join(pieces) == " Echo: hello world"
    assert accumulator.result().choices[0].text == " Echo: hello world"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"logprobs": 6}, "logprobs"),
        ({"logprobs": -1}, "logprobs"),
        ({"stop": ["1", "2", "3", "4", "5"]}, "stop"),
        ({"best_of": 3, "stream": True}, "best_of"),
        ({"best_of": 1, "n": 2}, "best_of"),
        ({"best_of": 21}, "best_of"),
        ({"n": 0}, "n"),
        ({"temperature": -0.1}, "temperature"),
        ({"top_p": 1.01}, "top_p"),
        ({"presence_penalty": 2.5}, "presence_penalty"),
        ({"logit_bias": {50256: -101}}, "logit_bias[50256]"),
        ({"max_tokens": -5}, "max_tokens"),
    ],
)
async def test_documented_limits_are_checked_before_sending(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, Any], param: str
) -> None:
    """Breaking a documented limit raises InvalidParameterError naming it; nothing is sent."""
    with pytest.raises(InvalidParameterError) as info:
        await client.completions.create(model="m", prompt="x", **kwargs)
    assert info.value.param == param
    assert server.requests == []


async def test_best_of_one_may_stream(client: AsyncClient) -> None:
    """best_of=1 is the default and streams like any other request."""
    stream = await client.completions.create(model="m", prompt="x", best_of=1, stream=True)
    async with stream:
        assert [c async for c in stream][-1].choices[0].finish_reason == "stop"


async def test_prompt_none_is_sent_as_null(client: AsyncClient, server: LocalServer) -> None:
    """prompt=None goes out as "prompt": null, the 2023 schema's required, nullable key."""
    completion = await client.completions.create(model="m", prompt=None, max_tokens=5)
    assert server.requests[-1].json()["prompt"] is None
    assert completion.choices[0].text.startswith(" Echo: <|endoftext|>")


@pytest.mark.latest_spec("seed and stream_options came after the 2023 spec")
async def test_include_usage_streams_a_last_usage_chunk(
    client: AsyncClient, server: LocalServer
) -> None:
    """stream_options.include_usage ends the stream with a usage chunk of no choices."""
    stream = await client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="one two",
        seed=7,
        stream=True,
        stream_options={"include_usage": True},
    )
    async with stream:
        chunks = [chunk async for chunk in stream]
    body = server.requests[-1].json()
    assert (body["seed"], body["stream_options"]) == (7, {"include_usage": True})
    *texts, last = chunks
    assert all(c.choices and c.usage is None for c in texts)
    assert last.choices == []
    assert last.usage is not None
    whole = await client.completions.create(model="gpt-3.5-turbo-instruct", prompt="one two")
    assert last.usage == whole.usage


@pytest.mark.latest_spec("stream_options came after the 2023 spec")
async def test_accumulated_stream_keeps_the_usage(client: AsyncClient) -> None:
    """accumulate_completion folds the usage-only last chunk into the result."""
    stream = await client.completions.create(
        model="m", prompt="a b c", stream=True, stream_options={"include_usage": True}
    )
    async with stream:
        folded = await accumulate_completion(stream)
    whole = await client.completions.create(model="m", prompt="a b c")
    assert folded.usage == whole.usage
    assert [c.text for c in folded.choices] == [c.text for c in whole.choices]


@pytest.mark.latest_spec("seed came after the 2023 spec")
async def test_seed_is_sent(client: AsyncClient, server: LocalServer) -> None:
    """seed goes out as an integer."""
    await client.completions.create(model="m", prompt="x", seed=-3)
    assert server.requests[-1].json()["seed"] == -3


async def test_stream_options_need_a_stream(client: AsyncClient, server: LocalServer) -> None:
    """stream_options without stream=True is refused before sending, as the service would."""
    with pytest.raises(InvalidParameterError) as info:
        await client.completions.create(
            model="m", prompt="x", stream_options={"include_usage": True}
        )
    assert info.value.param == "stream_options"
    assert server.requests == []


@pytest.mark.off_spec("stream_options without stream, for the server to refuse")
async def test_server_refuses_stream_options_without_stream(server: LocalServer) -> None:
    """The local server answers 400 naming stream_options, as the service does."""
    from openai_async import BadRequestError

    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as raw:
        with pytest.raises(BadRequestError) as info:
            await raw.request(
                "POST",
                "completions",
                json={"model": "m", "prompt": "x", "stream_options": {"include_usage": True}},
            )
    assert info.value.param == "stream_options"
