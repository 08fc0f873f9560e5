"""Patterns from the official SDK's README and helpers, run here with only the import changed.

Each test is a short program as a user of ``openai.AsyncOpenAI`` writes it; what it
checks is what that user relies on.
"""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from openai_async import NOT_GIVEN, AsyncOpenAI
from openai_async.testing import LocalServer

pytestmark = pytest.mark.anyio

QUESTION = [{"role": "user", "content": "Say this is a test"}]


async def test_not_given_leaves_a_parameter_out(client: AsyncOpenAI, server: LocalServer) -> None:
    """``NOT_GIVEN`` (the SDK's "leave it out", as in ``tools or NOT_GIVEN``) sends nothing."""
    tools: list[Any] = []
    reply = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=QUESTION,
        tools=tools or NOT_GIVEN,  # type: ignore[typeddict-item]
        temperature=NOT_GIVEN,  # type: ignore[typeddict-item]
    )
    assert reply.choices[0].message.content == "You said: Say this is a test"
    assert server.requests[-1].json() == {"model": "gpt-4o-mini", "messages": QUESTION}
    files = await client.files.list(purpose=NOT_GIVEN)  # type: ignore[arg-type]
    assert files.data == []
    assert dict(server.requests[-1].query) == {}
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=QUESTION,
        user=NOT_GIVEN,  # type: ignore[typeddict-item]
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
