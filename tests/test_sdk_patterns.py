"""Patterns from the official SDK's README and helpers, run here with only the import changed.

Each test is a short program as a user of ``openai.AsyncOpenAI`` writes it; what it
checks is what that user relies on.
"""

from __future__ import annotations

from typing import Any

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
