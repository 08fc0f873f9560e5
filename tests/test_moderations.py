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
    """A category added after this client (say "fraud/violent") stays reachable by name."""
    verdict = {"hate": False, "hate/threatening": False, "self-harm": False, "sexual": False}
    verdict |= {"sexual/minors": False, "violence": True, "violence/graphic": False}
    scores = dict.fromkeys(verdict, 0.5)
    body = {
        "id": "modr-1",
        "model": "omni",
        "results": [
            {
                "flagged": True,
                "categories": {**verdict, "fraud/violent": True},
                "category_scores": {**scores, "fraud/violent": 0.9},
            }
        ],
    }
    server.inject(status=200, body=body)
    result = await client.moderations.create(input="x")
    categories = result.results[0].categories
    assert categories.extra == {"fraud/violent": True}
    assert categories["fraud/violent"] is True
    assert categories.harassment is None  # an older server's answer lacks it
    assert categories.illicit is None
    assert result.results[0].category_applied_input_types is None


def test_constructed_categories_use_api_names() -> None:
    """A model built in code converts back to the API's key names."""
    flags = dict.fromkeys(
        ["hate", "hate_threatening", "self_harm", "sexual", "sexual_minors", "violence"], False
    )
    categories = ModerationCategories(**flags, violence_graphic=True)
    assert categories.to_dict()["violence/graphic"] is True
    assert categories["violence/graphic"] is True


@pytest.mark.parametrize(
    ("value", "param"),
    [
        (3, "input"),
        (b"bytes", "input"),
        ([], "input"),
        (["ok", 3], "input[0]"),
        ([{"text": "no type"}], "input[0]"),
        ([{"type": "text", "text": "a"}, "b"], "input[1]"),
    ],
)
async def test_bad_input_is_refused(
    client: AsyncClient, server: LocalServer, value: object, param: str
) -> None:
    """input is a string, or a non-empty list of strings or of typed parts."""
    with pytest.raises(InvalidParameterError) as info:
        await client.moderations.create(input=value)  # type: ignore[arg-type]
    assert info.value.param == param
    assert server.requests == []


IMAGE = "data:image/png;base64,iVBORw0KGgo="


@pytest.mark.latest_spec("multi-modal moderation input came after the 2023 spec")
async def test_omni_moderation_of_text_and_image(client: AsyncClient, server: LocalServer) -> None:
    """Text and image_url parts are sent as given and judged as one input."""
    parts = [
        {"type": "text", "text": "a quiet street"},
        {"type": "image_url", "image_url": {"url": "https://example.com/gore.png"}},
    ]
    result = await client.moderations.create(model="omni-moderation-latest", input=parts)
    assert server.requests[-1].json() == {"model": "omni-moderation-latest", "input": parts}
    (verdict,) = result.results
    assert verdict.flagged
    assert verdict.categories.violence_graphic
    assert not verdict.categories.hate
    applied = verdict.category_applied_input_types
    assert applied is not None
    assert applied.violence_graphic == ["text", "image"]
    assert applied.hate == ["text"]  # judged on text only
    assert applied["self-harm"] == ["text", "image"]


@pytest.mark.latest_spec("image moderation came after the 2023 spec")
async def test_image_only_input(client: AsyncClient, server: LocalServer) -> None:
    """An image alone (a data URL) is sent; text categories apply to no input then."""
    result = await client.moderations.create(
        model="omni-moderation-2024-09-26",
        input=[{"type": "image_url", "image_url": {"url": IMAGE}}],
    )
    (verdict,) = result.results
    assert not verdict.flagged
    applied = verdict.category_applied_input_types
    assert applied is not None
    assert applied.hate == []
    assert applied.sexual == ["image"]


@pytest.mark.latest_spec("omni moderation came after the 2023 spec")
async def test_today_categories(client: AsyncClient, server: LocalServer) -> None:
    """illicit and illicit/violent have fields and scores, by Python and API name."""
    result = await client.moderations.create(input="how to build a weapon and steal")
    assert server.requests[-1].json() == {"input": "how to build a weapon and steal"}
    (verdict,) = result.results
    assert verdict.categories.illicit is True
    assert verdict.categories.illicit_violent is True
    assert verdict.categories["illicit/violent"] is True
    assert verdict.category_scores.illicit_violent == 0.97
    assert verdict.categories.extra == {}
    assert verdict.category_applied_input_types is not None
    assert verdict.category_applied_input_types.illicit == ["text"]


@pytest.mark.latest_spec("image moderation came after the 2023 spec")
async def test_a_text_model_refuses_images_on_the_server(
    client: AsyncClient, server: LocalServer
) -> None:
    """Which models take images is the server's to say: the request goes out."""
    from openai_async import BadRequestError

    with pytest.raises(BadRequestError) as info:
        await client.moderations.create(
            model="text-moderation-latest",
            input=[{"type": "image_url", "image_url": {"url": IMAGE}}],
        )
    assert info.value.param == "input"
    assert len(server.requests) == 1
