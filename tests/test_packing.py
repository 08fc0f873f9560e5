"""Packed prompts over loopback: few requests, answers back in input order, fallbacks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from openai_async import AsyncClient, PackingError, PromptCompletion
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio


def _completion_requests(server: LocalServer) -> list[object]:
    return [r.json()["prompt"] for r in server.requests if r.path == "/v1/completions"]


@pytest.mark.parametrize("count", [1, 20, 21, 45])
async def test_packing_sends_ceil_n_over_20_requests(
    client: AsyncClient, server: LocalServer, count: int
) -> None:
    """N prompts go out in ceil(N/20) requests and come back one result per prompt, in order."""
    prompts = [f"prompt number {i}" for i in range(count)]
    results = await client.completions.create_many(prompts, model="text-davinci-003")
    assert len(_completion_requests(server)) == math.ceil(count / 20)
    assert [r.prompt_index for r in results] == list(range(count))
    assert [r.text for r in results] == [f" Echo: {p}" for p in prompts]


async def test_choices_mapped_by_index_not_order(client: AsyncClient, server: LocalServer) -> None:
    """With n=2 and a server listing choices backwards, each prompt still gets its own two."""
    server.state.out_of_order = True
    prompts = [f"p{i}" for i in range(25)]
    results = await client.completions.create_many(prompts, model="m", n=2, max_tokens=5)
    for position, result in enumerate(results):
        assert isinstance(result, PromptCompletion)
        assert [c.text for c in result.choices] == [
            f" Echo 0: p{position}",
            f" Echo 1: p{position}",
        ]
        local = position % 20  # indices count within each packed request
        assert [c.index for c in result.choices] == [local * 2, local * 2 + 1]


async def test_server_refusing_packed_prompts_is_remembered(server: LocalServer) -> None:
    """A llama.cpp-like server gets one prompt per request, and the client remembers it."""
    server.state.packed_prompts = False
    prompts = [f"q{i}" for i in range(30)]
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        first = await client.completions.create_many(prompts, model="m")
        assert [r.text for r in first] == [f" Echo: q{i}" for i in range(30)]
        sent_first = _completion_requests(server)
        assert sum(isinstance(p, list) for p in sent_first) == 2  # each packed try refused once
        server.requests.clear()
        second = await client.with_options(timeout=30).completions.create_many(prompts, model="m")
    assert [r.text for r in second] == [r.text for r in first]
    sent = _completion_requests(server)
    assert sorted(sent, key=str) == sorted(prompts)  # one each, no packed request tried again


async def test_a_variant_for_another_server_does_not_inherit_the_quirk(
    server: LocalServer,
) -> None:
    """with_options(base_url=...) starts fresh: one server's refusal says nothing of another's."""
    server.state.packed_prompts = False
    prompts = [f"q{i}" for i in range(20)]
    with LocalServer() as other:
        async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
            await client.completions.create_many(prompts, model="m")  # learns the quirk
            elsewhere = client.with_options(base_url=other.url)
            await elsewhere.completions.create_many(prompts, model="m")
        assert len(other.requests) == 1  # all 20 prompts packed into one request


async def test_mismatched_packed_answer_raises(client: AsyncClient, server: LocalServer) -> None:
    """An answer whose choice indices do not cover the prompts raises PackingError."""
    body = {
        "id": "c",
        "object": "text_completion",
        "choices": [{"text": "a", "index": 0}, {"text": "b", "index": 0}],
    }
    server.inject(status=200, body=body)
    with pytest.raises(PackingError, match="twice"):
        await client.completions.create_many(["x", "y"], model="m")


async def test_create_many_refuses_prompt_and_stream(client: AsyncClient) -> None:
    """prompt and stream belong to create_many itself; passing them is a named error."""
    from openai_async import InvalidParameterError

    with pytest.raises(InvalidParameterError) as info:
        await client.completions.create_many(["x"], model="m", stream=True)
    assert info.value.param == "stream"


@pytest.mark.latest_spec("encoding_format is newer than the 2023 spec")
@pytest.mark.parametrize("encoding_format", ["float", "base64"])
async def test_embeddings_keep_input_order_when_server_answers_out_of_order(
    client: AsyncClient, server: LocalServer, encoding_format: str
) -> None:
    """Vectors come back in input order even when every answer lists them backwards."""
    inputs = [f"text {i}" for i in range(23)]
    expected = [
        e.embedding
        for text in inputs
        for e in (await client.embeddings.create(model="m", input=text)).data
    ]
    server.requests.clear()
    server.state.out_of_order = True
    vectors = await client.embeddings.create_many(
        inputs,
        model="m",
        batch_size=5,
        encoding_format=encoding_format,  # type: ignore[arg-type]
    )
    sizes = [len(r.json()["input"]) for r in server.requests]
    assert sorted(sizes) == [3, 5, 5, 5, 5]  # ceil(23 / 5) requests
    for got, want in zip(vectors, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-6)


async def test_embeddings_packing_error_on_missing_index(
    client: AsyncClient, server: LocalServer
) -> None:
    """An answer missing a vector's index raises PackingError, not a shifted result."""
    body = {
        "object": "list",
        "model": "m",
        "data": [{"object": "embedding", "index": 1, "embedding": [0.5]}],
    }
    server.inject(status=200, body=body)
    with pytest.raises(PackingError, match="missing"):
        await client.embeddings.create_many(["a", "b"], model="m")


@pytest.mark.parametrize(
    ("prompts", "hint"),
    [
        ("hello world", "got str"),
        (b"hello", "got bytes"),
        ([1, 2, 3], "flat list of token ids"),
        (["ok", None], "item 1"),
        ([[1, "2"]], "item 0"),
    ],
)
async def test_create_many_refuses_what_is_not_a_list_of_prompts(
    client: AsyncClient, server: LocalServer, prompts: Any, hint: str
) -> None:
    """A single str is not split into one prompt per character: it is a named error."""
    from openai_async import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=hint) as info:
        await client.completions.create_many(prompts, model="m")
    assert info.value.param == "prompts"
    with pytest.raises(InvalidParameterError, match=hint) as info:
        await client.embeddings.create_many(prompts, model="m")
    assert info.value.param == "inputs"
    assert server.requests == []
