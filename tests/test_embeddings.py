"""POST /embeddings over loopback, and the base64 decoding of vectors."""

from __future__ import annotations

import base64
import json
import struct
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import AsyncClient, InvalidParameterError
from openai_async.resources.embeddings import _check_input
from openai_async.testing import LocalServer
from openai_async.testing._routes_embeddings import DIMENSIONS, embedding_vector
from openai_async.types import CreateEmbeddingResponse
from openai_async.types._embedding import decode_base64_vector

from .openapi import LATEST, assert_request_matches_spec

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("value", "expected_items"),
    [
        ("The food was delicious", ["The food was delicious"]),
        (["first", "second", "third"], ["first", "second", "third"]),
        ([1212, 318, 257], [[1212, 318, 257]]),
        ([[1212, 318], [257, 1332, 13]], [[1212, 318], [257, 1332, 13]]),
        ((t for t in [[5], [6]]) and ([5], [6]), [[5], [6]]),  # a tuple of lists
    ],
)
async def test_input_shapes(
    client: AsyncClient, server: LocalServer, value: object, expected_items: list[object]
) -> None:
    """Each input shape is sent as JSON and gives one vector per item, in order."""
    result = await client.embeddings.create(
        model="text-embedding-ada-002",
        input=value,  # type: ignore[arg-type]
        user="user-1",
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/embeddings")
    body = sent.json()
    assert body["model"] == "text-embedding-ada-002"
    assert body["user"] == "user-1"
    assert_request_matches_spec(sent)
    assert isinstance(result, CreateEmbeddingResponse)
    assert [e.index for e in result] == list(range(len(expected_items)))
    assert [e.embedding for e in result] == [embedding_vector(i) for i in expected_items]  # type: ignore[arg-type]
    assert result.model == "text-embedding-ada-002"
    assert result.usage is not None
    assert result.usage.total_tokens > 0


@pytest.mark.latest_spec("encoding_format came after the 2023 spec")
async def test_base64_gives_the_same_floats(client: AsyncClient, server: LocalServer) -> None:
    """encoding_format="base64" travels packed but decodes to the float answer exactly."""
    floats = await client.embeddings.create(model="m", input=["a", "b"], encoding_format="float")
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    packed = await client.embeddings.create(model="m", input=["a", "b"], encoding_format="base64")
    sent = server.requests[-1]
    assert sent.json()["encoding_format"] == "base64"
    # encoding_format came after the 2023 spec (whose body forbids unknown keys).
    assert_request_matches_spec(sent, spec=LATEST)
    assert [e.embedding for e in packed] == [e.embedding for e in floats]
    assert all(isinstance(x, float) for x in packed.data[0].embedding)
    assert len(packed.data[0].embedding) == DIMENSIONS
    # to_dict() and to_json() give the vectors as floats too, as the attributes do.
    assert packed.to_dict() == {**floats.to_dict(), "usage": packed.to_dict()["usage"]}
    assert packed.to_dict()["data"][0]["embedding"] == floats.data[0].embedding


@pytest.mark.latest_spec("encoding_format came after the 2023 spec")
async def test_base64_is_asked_for_unless_told_otherwise(
    client: AsyncClient, server: LocalServer
) -> None:
    """As the SDK: no encoding_format given, base64 is asked for; the caller sees floats."""
    default = await client.embeddings.create(model="m", input=["a", "b"])
    assert server.requests[-1].json()["encoding_format"] == "base64"
    floats = await client.embeddings.create(model="m", input=["a", "b"], encoding_format="float")
    assert server.requests[-1].json()["encoding_format"] == "float"
    assert [e.embedding for e in default] == [e.embedding for e in floats]
    assert default.to_dict()["data"] == floats.to_dict()["data"]


async def test_a_server_that_ignores_base64_is_read_as_well(
    client: AsyncClient, server: LocalServer
) -> None:
    """A server that answers numbers although base64 was asked for still gives the floats."""
    body = {
        "object": "list",
        "model": "m",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -1, 2.25]}],
        "usage": {"prompt_tokens": 1, "total_tokens": 1},
    }
    server.inject(status=200, body=json.dumps(body), headers={"content-type": "application/json"})
    result = await client.embeddings.create(model="m", input="a")
    assert server.requests[-1].json()["encoding_format"] == "base64"
    assert result.data[0].embedding == [0.5, -1.0, 2.25]
    assert result.to_dict()["data"][0]["embedding"] == [0.5, -1, 2.25]


@pytest.mark.parametrize(
    "value",
    ["", [], [""], [[]], [[1], []], [1, "a"], [True], b"bytes", 42, [[1, "2"]]],
)
async def test_bad_input_is_refused(
    client: AsyncClient, server: LocalServer, value: object
) -> None:
    """Empty inputs and mixed or foreign types fail before sending, naming "input"."""
    with pytest.raises(InvalidParameterError) as info:
        await client.embeddings.create(model="m", input=value)  # type: ignore[arg-type]
    assert info.value.param == "input"
    assert server.requests == []


async def test_unknown_encoding_format_is_refused(client: AsyncClient, server: LocalServer) -> None:
    """encoding_format must be "float" or "base64"."""
    with pytest.raises(InvalidParameterError, match="encoding_format"):
        await client.embeddings.create(model="m", input="x", encoding_format="int8")  # type: ignore[arg-type]
    assert server.requests == []


@given(st.lists(st.floats(width=32, allow_nan=False), max_size=64))
def test_base64_decoding_round_trips(values: list[float]) -> None:
    """Any little-endian float32 vector, base64-encoded, decodes to the same floats."""
    text = base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
    assert decode_base64_vector(text) == values


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"abc").decode()])
def test_bad_base64_is_rejected(text: str) -> None:
    """Text that is not base64 of whole float32 values raises ValueError."""
    with pytest.raises(ValueError, match=r"base64|float32"):
        decode_base64_vector(text)


@pytest.mark.latest_spec("encoding_format came after the 2023 spec")
async def test_undecodable_vector_is_a_validation_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """A server sending a broken base64 vector gives APIResponseValidationError."""
    from openai_async import APIResponseValidationError

    body = {
        "object": "list",
        "model": "m",
        "data": [{"object": "embedding", "index": 0, "embedding": "%%%"}],
    }
    server.inject(status=200, body=body)
    with pytest.raises(APIResponseValidationError):
        await client.embeddings.create(model="m", input="x", encoding_format="base64")


tokens = st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=8)
valid_inputs = (
    st.text(min_size=1)
    | st.lists(st.text(min_size=1), min_size=1, max_size=5)
    | tokens
    | st.lists(tokens, min_size=1, max_size=5)
)


@given(valid_inputs)
def test_valid_inputs_pass_unchanged(value: str | list[str] | list[int] | list[list[int]]) -> None:
    """Every shape the spec allows goes out as the same JSON value."""
    assert _check_input(value) == value
    assert _check_input(tuple(value) if isinstance(value, list) else value) == value


@given(st.lists(st.text(min_size=1), min_size=1), st.lists(tokens, min_size=1))
def test_mixed_lists_are_refused(texts: list[str], token_lists: list[list[int]]) -> None:
    """A list mixing strings with token lists fits no shape the API accepts."""
    with pytest.raises(InvalidParameterError):
        _check_input([*texts, *token_lists])


@pytest.mark.latest_spec("dimensions and encoding_format came after the 2023 spec")
@pytest.mark.parametrize("encoding_format", ["float", "base64"])
async def test_dimensions_shorten_the_vectors(
    client: AsyncClient, server: LocalServer, encoding_format: Literal["float", "base64"]
) -> None:
    """dimensions is sent and the vectors have that many values, floats or base64 alike."""
    result = await client.embeddings.create(
        model="text-embedding-3-small",
        input=["a", "b"],
        dimensions=256,
        encoding_format=encoding_format,
    )
    assert server.requests[-1].json()["dimensions"] == 256
    assert [e.embedding for e in result] == [embedding_vector(x, 256) for x in "ab"]
    assert {len(e.embedding) for e in result} == {256}


@pytest.mark.latest_spec("dimensions came after the 2023 spec")
async def test_dimensions_through_create_many(client: AsyncClient, server: LocalServer) -> None:
    """create_many passes dimensions on to every request it sends."""
    vectors = await client.embeddings.create_many(
        ["a", "b", "c"], model="text-embedding-3-large", batch_size=2, dimensions=4
    )
    assert vectors == [embedding_vector(x, 4) for x in "abc"]
    assert [r.json()["dimensions"] for r in server.requests] == [4, 4]


@pytest.mark.parametrize("dimensions", [0, -1, 1.5, True, "8"])
async def test_bad_dimensions_are_refused(
    client: AsyncClient, server: LocalServer, dimensions: object
) -> None:
    """dimensions below the spec's minimum of 1, or not an integer, fails before sending."""
    with pytest.raises(InvalidParameterError) as info:
        await client.embeddings.create(model="m", input="x", dimensions=dimensions)  # type: ignore[arg-type]
    assert info.value.param == "dimensions"
    with pytest.raises(InvalidParameterError):
        await client.embeddings.create_many(["x"], model="m", dimensions=dimensions)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.latest_spec("dimensions came after the 2023 spec")
async def test_a_model_that_refuses_dimensions_answers_400(
    client: AsyncClient, server: LocalServer
) -> None:
    """The client leaves model support to the server: ada-002 refuses dimensions there."""
    from openai_async import BadRequestError

    with pytest.raises(BadRequestError) as info:
        await client.embeddings.create(model="text-embedding-ada-002", input="x", dimensions=8)
    assert info.value.param == "dimensions"
    assert len(server.requests) == 1


@given(st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=64))
def test_base64_vector_structures_like_floats(values: list[float]) -> None:
    """A reply's embedding as base64 or as a JSON array gives the same Embedding."""
    from openai_async._models import structurer
    from openai_async.types import Embedding

    text = base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
    structure = structurer(Embedding)
    packed = structure({"object": "embedding", "index": 0, "embedding": text})
    plain = structure({"object": "embedding", "index": 0, "embedding": values})
    assert packed.embedding == plain.embedding == values
