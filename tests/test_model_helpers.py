"""The official SDK's helpers on response models: ``model_dump``, JSON text, ``_request_id``."""

from __future__ import annotations

import attrs
import pytest

from openai_async import AsyncClient, response_headers
from openai_async._models import structure
from openai_async.types import ChatCompletionMessage, Model

pytestmark = pytest.mark.anyio

# A key the model does not declare, a null and non-ASCII text: all kept, as sent.
MODEL = {"id": "m", "object": "model", "owned_by": "é", "new": [1.5, None]}


def test_model_dump_is_to_dict() -> None:
    """model_dump() is to_dict(), unknown keys included, for received and hand-built objects."""
    received = structure(MODEL, Model)
    assert received.model_dump() == received.to_dict() == MODEL
    built = ChatCompletionMessage(content="hi")
    assert built.model_dump() == built.to_dict()


def test_json_text_is_written_as_the_sdk_writes_it() -> None:
    """model_dump_json is compact, to_json indented by 2; both keep non-ASCII text."""
    model = structure(MODEL, Model)
    compact = '{"id":"m","object":"model","owned_by":"é","new":[1.5,null]}'
    assert model.model_dump_json() == compact
    assert model.to_json(indent=None) == compact
    indented = (
        '{\n  "id": "m",\n  "object": "model",\n  "owned_by": "é",\n'
        '  "new": [\n    1.5,\n    null\n  ]\n}'
    )
    assert model.to_json() == indented
    assert model.model_dump_json(indent=2) == indented
    assert model.to_json(indent=0).startswith('{\n"id": "m",\n')


async def test_request_id_of_a_returned_object(client: AsyncClient) -> None:
    """_request_id is the x-request-id of the answer; None on its parts and hand-built objects."""
    first = await client.models.retrieve("whisper-1")
    second = await client.models.retrieve("whisper-1")
    headers = response_headers(first)
    assert headers is not None
    assert first._request_id == headers["x-request-id"]
    assert first._request_id.startswith("req_")
    assert second._request_id not in (None, first._request_id)
    assert first == second  # the id is no part of the value
    assert "_request_id" not in first.to_dict()
    assert "_request_id" not in [field.name for field in attrs.fields(Model)]
    reply = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    assert reply._request_id is not None
    assert reply.choices[0].message._request_id is None
    assert Model(id="mine")._request_id is None
