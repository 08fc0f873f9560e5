"""POST /moderations over loopback; category names with slashes."""

from __future__ import annotations

import pytest

from openai_async import AsyncClient, InvalidParameterError
from openai_async.testing import LocalServer
from openai_async.types import ModerationCategories, ModerationCreateResponse

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio


async def test_moderate_list(client: AsyncClient, server: LocalServer) -> None:
    """Each input gets a verdict; slashed categories have Python names and API names."""
    result = await client.moderations.create(
        input=["I will hurt you, I will kill them", "a nice day"], model="text-moderation-stable"
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/moderations")
    assert sent.json() == {
        "input": ["I will hurt you, I will kill them", "a nice day"],
        "model": "text-moderation-stable",
    }
    assert_request_matches_spec(sent)
    assert isinstance(result, ModerationCreateResponse)
    assert result.model == "text-moderation-stable"
    assert result.id.startswith("modr-")
    violent, calm = result.results
    assert violent.flagged
    assert violent.categories.violence
    assert violent.categories.hate_threatening
    assert violent.categories["hate/threatening"] is True
    assert not violent.categories.violence_graphic
    assert violent.category_scores.hate_threatening == violent.category_scores["hate/threatening"]
    assert violent.category_scores.hate_threatening > 0.5
    assert not calm.flagged
    assert not any(calm.categories.to_dict().values())


async def test_api_names_survive_to_dict(client: AsyncClient, server: LocalServer) -> None:
    """to_dict() and extra keep the API's names, and categories we have no field for."""
    result = await client.moderations.create(input="I want to hurt myself")
    assert server.requests[-1].json() == {"input": "I want to hurt myself"}
    assert_request_matches_spec(server.requests[-1])
    categories = result.results[0].categories
    assert categories.self_harm
    assert categories.self_harm_intent
    as_dict = categories.to_dict()
    assert as_dict["self-harm"] is True
    assert as_dict["self-harm/intent"] is True
    assert "self_harm" not in as_dict
    assert categories.extra == {}  # every key the server sent has a field


async def test_new_category_is_kept(client: AsyncClient, server: LocalServer) -> None:
    """A category added after this client (say "illicit/violent") stays reachable by name."""
    verdict = {"hate": False, "hate/threatening": False, "self-harm": False, "sexual": False}
    verdict |= {"sexual/minors": False, "violence": True, "violence/graphic": False}
    scores = dict.fromkeys(verdict, 0.5)
    body = {
        "id": "modr-1",
        "model": "omni",
        "results": [
            {
                "flagged": True,
                "categories": {**verdict, "illicit/violent": True},
                "category_scores": {**scores, "illicit/violent": 0.9},
            }
        ],
    }
    server.inject(status=200, body=body)
    result = await client.moderations.create(input="x")
    categories = result.results[0].categories
    assert categories.extra == {"illicit/violent": True}
    assert categories["illicit/violent"] is True
    assert categories.harassment is None  # an older server's answer lacks it


def test_constructed_categories_use_api_names() -> None:
    """A model built in code converts back to the API's key names."""
    flags = dict.fromkeys(
        ["hate", "hate_threatening", "self_harm", "sexual", "sexual_minors", "violence"], False
    )
    categories = ModerationCategories(**flags, violence_graphic=True)
    assert categories.to_dict()["violence/graphic"] is True
    assert categories["violence/graphic"] is True


@pytest.mark.parametrize("value", [3, ["ok", 3], b"bytes"])
async def test_bad_input_is_refused(
    client: AsyncClient, server: LocalServer, value: object
) -> None:
    """input must be a string or a list of strings."""
    with pytest.raises(InvalidParameterError) as info:
        await client.moderations.create(input=value)  # type: ignore[arg-type]
    assert info.value.param == "input"
    assert server.requests == []
