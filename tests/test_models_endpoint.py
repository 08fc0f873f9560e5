"""The /models endpoints end to end, and how response models are parsed."""

from __future__ import annotations

import attrs
import pytest

from openai_async import (
    APIResponseValidationError,
    AsyncClient,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer
from openai_async.types import Model, ModelDeleted, ModelPermission

pytestmark = pytest.mark.anyio


async def test_list_models(client: AsyncClient, server: LocalServer) -> None:
    """models.list returns typed models, in the server's order."""
    models = await client.models.list()
    assert server.requests[-1].method == "GET"
    assert server.requests[-1].path == "/v1/models"
    assert all(isinstance(m, Model) for m in models)
    assert "gpt-4o-mini" in [m.id for m in models]
    assert isinstance(models[0].permission[0], ModelPermission)


async def test_retrieve_model_with_colon_in_id(client: AsyncClient, server: LocalServer) -> None:
    """A fine-tuned id (with colons) is sent in the path and parsed back."""
    model = await client.models.retrieve("curie:ft-acme-2023-06-01-00-00-00")
    assert model.id == "curie:ft-acme-2023-06-01-00-00-00"
    assert model.parent == "curie"
    assert model.owned_by == "acme"


async def test_delete_model(client: AsyncClient, server: LocalServer) -> None:
    """models.delete sends DELETE, and the model is gone afterwards."""
    deleted = await client.models.delete("curie:ft-acme-2023-06-01-00-00-00")
    assert deleted == ModelDeleted(id="curie:ft-acme-2023-06-01-00-00-00", deleted=True)
    assert server.requests[-1].method == "DELETE"
    with pytest.raises(NotFoundError):
        await client.models.retrieve("curie:ft-acme-2023-06-01-00-00-00")


async def test_unknown_fields_are_kept(client: AsyncClient, server: LocalServer) -> None:
    """Fields the model does not know never break parsing and stay reachable."""
    body = {
        "id": "m1",
        "object": "model",
        "owned_by": "x",
        "context_window": 128000,
        "permission": [{"id": "p", "brand_new": [1, 2]}],
    }
    server.inject(status=200, body=body)
    model = await client.models.retrieve("m1")
    assert model.extra == {"context_window": 128000}
    assert model.permission[0].extra == {"brand_new": [1, 2]}
    assert model.to_dict() == body


async def test_missing_optional_fields_are_fine(client: AsyncClient, server: LocalServer) -> None:
    """A server that sends only an id (as some compatible servers do) still parses."""
    server.inject(status=200, body={"id": "tiny"})
    model = await client.models.retrieve("tiny")
    assert model == Model(id="tiny")
    assert model.created is None
    assert model.permission == []


async def test_body_that_does_not_fit_raises_validation_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """A 2xx body of the wrong shape raises APIResponseValidationError with the body."""
    server.inject(status=200, body=[1, 2, 3])
    with pytest.raises(APIResponseValidationError) as info:
        await client.models.retrieve("gpt-4o-mini")
    assert info.value.body == [1, 2, 3]


async def test_non_json_success_raises_validation_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """A 2xx body that is not JSON raises APIResponseValidationError keeping the text."""
    server.inject(status=200, body="<html>captive portal</html>")
    with pytest.raises(APIResponseValidationError) as info:
        await client.models.list()
    assert info.value.body == "<html>captive portal</html>"


@pytest.mark.parametrize("bad", ["", None, 3])
async def test_bad_model_id_raises_before_sending(
    client: AsyncClient, server: LocalServer, bad: object
) -> None:
    """An empty or non-string id raises InvalidParameterError naming "model", sending nothing."""
    with pytest.raises(InvalidParameterError) as info:
        await client.models.retrieve(bad)  # type: ignore[arg-type]
    assert info.value.param == "model"
    assert server.requests == []


def test_models_are_frozen() -> None:
    """Response models cannot be changed after parsing."""
    model = Model(id="x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        model.id = "y"  # type: ignore[misc]


def test_to_dict_of_constructed_model() -> None:
    """A model built in code (not parsed) still converts to a plain dict."""
    assert ModelDeleted(id="a", deleted=True).to_dict() == {
        "id": "a",
        "object": "model",
        "deleted": True,
    }


async def test_infinity_in_an_int_field_is_a_validation_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """A body with Infinity where an int belongs raises APIResponseValidationError."""
    server.inject(status=200, body={"id": "m", "created": float("inf")})
    with pytest.raises(APIResponseValidationError):
        await client.models.retrieve("m")


async def test_infinity_in_a_stream_chunk_is_a_decode_error(
    client: AsyncClient, server: LocalServer
) -> None:
    """A streamed chunk with Infinity in an int field raises StreamDecodeError."""
    from openai_async import StreamDecodeError

    chunk = '{"id": "c", "object": "chat.completion.chunk", "created": Infinity, "choices": []}'
    body = f"data: {chunk}\n\ndata: [DONE]\n\n"
    server.inject(status=200, body=body, headers={"content-type": "text/event-stream"})
    messages = [{"role": "user", "content": "hi"}]
    stream = await client.chat.completions.create(model="m", messages=messages, stream=True)
    async with stream:
        with pytest.raises(StreamDecodeError):
            [chunk async for chunk in stream]
