"""``POST /v1/moderations``: flags from keywords, so tests can choose the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import State, route
from ._bodies import Invalid, checked, json_body, optional
from ._http import ServerRequest, ServerResponse, json_response

# A category is flagged when the text (lower-cased) contains one of its words.
KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "hate": ("hate",),
    "hate/threatening": ("i will hurt", "threaten"),
    "harassment": ("idiot",),
    "harassment/threatening": ("i will find you",),
    "self-harm": ("self-harm", "hurt myself"),
    "self-harm/intent": ("i want to hurt myself",),
    "self-harm/instructions": ("how to self-harm",),
    "sexual": ("explicit",),
    "sexual/minors": ("minor explicit",),
    "violence": ("kill", "attack"),
    "violence/graphic": ("gore", "blood"),
}


def moderate(text: str) -> dict[str, Any]:
    """The verdict on one text: every category, its score, and ``flagged``."""
    lowered = text.lower()
    categories = {name: any(w in lowered for w in words) for name, words in KEYWORDS.items()}
    # Scores are fixed per verdict so they can be compared exactly.
    scores = {name: 0.97 if hit else 0.0001 for name, hit in categories.items()}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
    }


@route("POST", r"/v1/moderations")
@checked
async def create_moderation(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    value = body.get("input")
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        texts = value
    else:
        raise Invalid("'input' must be a string or a list of strings.", "input")
    model = optional(body, "model", str, "text-moderation-latest")
    return json_response(
        {
            "id": state.new_id("modr"),
            "model": model,
            "results": [moderate(text) for text in texts],
        }
    )
