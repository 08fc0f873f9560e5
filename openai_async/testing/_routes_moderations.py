"""``POST /v1/moderations``: flags from keywords, so tests can choose the verdict.

Images are judged by their URL (a data URL's text included): ``.../gore.png`` is
graphic violence. Omni models (the default, ``omni-moderation-latest``) take text and
``image_url`` parts and say which kinds of input each category looked at; the
``text-moderation-*`` models refuse images, as the service does.
"""

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
    "illicit": ("steal",),
    "illicit/violent": ("build a weapon",),
    "self-harm": ("self-harm", "hurt myself"),
    "self-harm/intent": ("i want to hurt myself",),
    "self-harm/instructions": ("how to self-harm",),
    "sexual": ("explicit",),
    "sexual/minors": ("minor explicit",),
    "violence": ("kill", "attack"),
    "violence/graphic": ("gore", "blood"),
}
# The categories omni models also judge on images (the API reference's list).
IMAGE_CATEGORIES = frozenset(
    {
        "self-harm",
        "self-harm/intent",
        "self-harm/instructions",
        "sexual",
        "violence",
        "violence/graphic",
    }
)
_OMNI_ONLY = ("illicit", "illicit/violent")
DEFAULT_MODEL = "omni-moderation-latest"


def moderate(
    text: str, *, images: tuple[str, ...] = (), omni: bool = False, has_text: bool = True
) -> dict[str, Any]:
    """The verdict on one input (a text, and an omni model's images): every category."""
    lowered = text.lower()
    seen = [url.lower() for url in images]
    categories: dict[str, Any] = {}
    applied: dict[str, list[str]] = {}
    for name, words in KEYWORDS.items():
        if name in _OMNI_ONLY and not omni:
            continue  # the text models predate these categories
        by_text = has_text and any(w in lowered for w in words)
        looks_at_images = bool(seen) and name in IMAGE_CATEGORIES
        by_image = looks_at_images and any(w in url for w in words for url in seen)
        categories[name] = by_text or by_image
        applied[name] = ["text"] * has_text + ["image"] * looks_at_images
    # Scores are fixed per verdict so they can be compared exactly.
    scores = {name: 0.97 if hit else 0.0001 for name, hit in categories.items()}
    result: dict[str, Any] = {"flagged": any(categories.values())}
    if not omni:
        return result | {"categories": categories, "category_scores": scores}
    return result | {
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def _parts(value: list[Any], omni: bool) -> dict[str, Any]:
    texts, images = [], []
    for part in value:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind == "image_url" and isinstance(part.get("image_url"), dict):
            url = part["image_url"].get("url")
            if not isinstance(url, str) or not url:
                raise Invalid("'input' image_url must have a 'url' string.", "input")
            images.append(url)
        else:
            raise Invalid(f"Invalid input part: {part!r:.80}", "input")
    if images and not omni:
        raise Invalid("This model does not support image inputs.", "input")
    return moderate(" ".join(texts), images=tuple(images), omni=omni, has_text=bool(texts))


@route("POST", r"/v1/moderations")
@checked
async def create_moderation(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    model = optional(body, "model", str, DEFAULT_MODEL)
    omni = model.startswith("omni-moderation")
    value = body.get("input")
    if isinstance(value, str):
        results = [moderate(value, omni=omni)]
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        results = [moderate(text, omni=omni) for text in value]
    elif isinstance(value, list) and value:
        results = [_parts(value, omni)]  # the parts are one input, with one verdict
    else:
        raise Invalid("'input' must be a string, a list of strings or of input parts.", "input")
    return json_response({"id": state.new_id("modr"), "model": model, "results": results})
