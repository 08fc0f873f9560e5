"""Packed prompts over loopback: few requests, answers back in input order, fallbacks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from openai_async import AsyncClient, InternalServerError, PackingError, PromptCompletion
from openai_async.testing import LocalServer, instant_retries

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
        assert sum(isinstance(p, list) for p in sent_first) == 1  # one refused, then no more
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


async def test_a_thousand_prompts_against_a_refusing_server_send_one_refused_request(
    server: LocalServer,
) -> None:
    """With retries on, 1,000 prompts cost one refused packed request, then one per prompt."""
    server.state.packed_prompts = False
    prompts = [f"q{i}" for i in range(1000)]
    async with AsyncClient(base_url=server.url, api_key="") as client:  # default retries
        results = await client.completions.create_many(prompts, model="m", max_concurrency=32)
    assert [r.text for r in results] == [f" Echo: {p}" for p in prompts]
    sent = _completion_requests(server)
    assert sum(isinstance(p, list) for p in sent) == 1
    assert len(sent) == 1001


async def test_a_passing_500_does_not_switch_packing_off(server: LocalServer) -> None:
    """A 500 that is not a refusal is retried as such; the client goes on packing."""
    server.inject(status=500, path="/v1/completions", times=1)  # the service's generic 500
    prompts = [f"q{i}" for i in range(40)]
    async with AsyncClient(base_url=server.url, api_key="", max_retries=2) as client:
        with instant_retries():
            first = await client.completions.create_many(prompts, model="m")
        second = await client.completions.create_many(prompts, model="m")
    assert [r.text for r in first] == [r.text for r in second]
    sent = _completion_requests(server)
    assert all(isinstance(p, list) for p in sent)
    assert len(sent) == 2 + 1 + 2  # two packed, one of them again after the 500; two packed


async def test_a_passing_500_without_retries_fails_the_call_and_teaches_nothing(
    server: LocalServer,
) -> None:
    """Out of retries, the 500 is the call's error; the next call still packs."""
    server.inject(status=500, path="/v1/completions", times=1)
    prompts = [f"q{i}" for i in range(20)]
    async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
        with pytest.raises(InternalServerError):
            await client.completions.create_many(prompts, model="m")
        await client.completions.create_many(prompts, model="m")
    assert [isinstance(p, list) for p in _completion_requests(server)] == [True, True]


async def test_a_server_ignoring_n_is_named_in_the_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """n=2 answered with one choice per prompt raises a PackingError saying n is ignored."""
    body = {
        "id": "c",
        "object": "text_completion",
        "created": 0,
        "model": "m",
        "choices": [{"text": "a", "index": 0}, {"text": "b", "index": 1}],
    }
    server.inject(status=200, body=body)
    with pytest.raises(PackingError, match="ignores n"):
        await client.completions.create_many(["x", "y"], model="m", n=2)


@pytest.mark.parametrize(
    ("status", "error", "refusal"),
    [
        (500, {"code": 500, "message": "prompt must be a string", "type": "server_error"}, True),
        (
            500,
            {"message": "[json.exception.type_error.302] type must be string, but is array"},
            True,
        ),
        (400, {"message": "'prompt' must be a string, not a list", "type": "invalid"}, True),
        (500, {"message": "The server had an error while processing your request."}, False),
        (500, {"message": "prompt too long", "type": "rate_limit"}, False),
        (502, {"message": "prompt must be a string"}, False),
        (500, {"message": "Only one completion choice is allowed", "type": "server_error"}, False),
    ],
)
def test_what_counts_as_a_packing_refusal(
    status: int, error: dict[str, Any], refusal: bool
) -> None:
    """Only a refusal-shaped answer counts: its status, an error object, a prompt message."""
    import httpx

    from openai_async._exceptions import status_error
    from openai_async._packing import is_packing_refusal

    request = httpx.Request("POST", "http://x/v1/completions")
    response = httpx.Response(status, json={"error": error}, request=request)
    assert is_packing_refusal(status_error(response, {"error": error})) is refusal
