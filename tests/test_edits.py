"""POST /edits over loopback."""

from __future__ import annotations

import pytest

from openai_async import AsyncClient, InvalidParameterError
from openai_async.testing import LocalServer
from openai_async.types import CompletionUsage, Edit

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio


async def test_create_edit(client: AsyncClient, server: LocalServer) -> None:
    """edits.create sends the JSON the spec describes and parses n choices."""
    edit = await client.edits.create(
        model="text-davinci-edit-001",
        input="what day of the wek is it",
        instruction="upper-case it",
        n=2,
        temperature=0.5,
        top_p=1,
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/edits")
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "model": "text-davinci-edit-001",
        "input": "what day of the wek is it",
        "instruction": "upper-case it",
        "n": 2,
        "temperature": 0.5,
        "top_p": 1,
    }
    assert_request_matches_spec(sent)
    assert isinstance(edit, Edit)
    assert [c.text for c in edit.choices] == ["WHAT DAY OF THE WEK IS IT"] * 2
    assert [c.index for c in edit.choices] == [0, 1]
    assert edit.usage == CompletionUsage(prompt_tokens=9, completion_tokens=14, total_tokens=23)


async def test_unset_parameters_are_not_sent(client: AsyncClient, server: LocalServer) -> None:
    """Only given parameters go out; the server applies its defaults to the rest."""
    edit = await client.edits.create(model="m", instruction="reverse the words")
    assert server.requests[-1].json() == {"model": "m", "instruction": "reverse the words"}
    assert_request_matches_spec(server.requests[-1])
    assert edit.choices[0].text == ""


@pytest.mark.parametrize("n", [0, 21, 2.0, True])
async def test_n_outside_1_to_20_is_refused(
    client: AsyncClient, server: LocalServer, n: object
) -> None:
    """The spec allows 1 to 20 edits; anything else fails before sending."""
    with pytest.raises(InvalidParameterError) as info:
        await client.edits.create(model="m", instruction="x", n=n)  # type: ignore[arg-type]
    assert info.value.param == "n"
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "param"), [({"temperature": 2.1}, "temperature"), ({"top_p": -0.5}, "top_p")]
)
async def test_sampling_outside_its_bounds_is_refused(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, float], param: str
) -> None:
    """temperature 0-2 and top_p 0-1, as documented; nothing is sent otherwise."""
    with pytest.raises(InvalidParameterError) as info:
        await client.edits.create(model="m", instruction="x", **kwargs)
    assert info.value.param == param
    assert server.requests == []
