"""``client.moderations``: check texts and images against the content policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Required, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError
from .._request import Endpoint, RequestOptions, pop_options
from ..types import ModerationCreateResponse
from ._base import Resource
from ._checks import check_types, json_body

__all__ = ["ModerationCreateParams", "Moderations"]


class ModerationCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /moderations``, declared once.

    ``input`` is a string, a list of strings, or (omni models) a list of parts judged
    together as one input: ``{"type": "text", "text": ...}`` and ``{"type":
    "image_url", "image_url": {"url": ...}}`` (a web or ``data:`` URL), plain
    mappings as the API documents them.
    """

    input: Required[str | Sequence[str | Mapping[str, Any]]]
    model: str | NotGiven | None


MODERATIONS = Endpoint("POST", "moderations", ModerationCreateResponse, ModerationCreateParams)


def _check_input(value: object) -> str | list[Any]:
    # The spec's three shapes. Which models take images, and which part types exist,
    # is the service's to say: a part only needs to be an object naming its type.
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray) or not isinstance(value, Sequence) or not value:
        raise InvalidParameterError(
            "input", "expected a string, or a non-empty list of strings or of input parts"
        )
    items = list(value)
    if all(isinstance(item, str) for item in items):
        return items
    for position, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise InvalidParameterError(
                f"input[{position}]",
                "a list holds only strings, or only parts such as "
                '{"type": "text", "text": ...} and {"type": "image_url", "image_url": ...}',
            )
    return items


class Moderations(Resource):
    """Content-policy verdicts for texts and images."""

    __slots__ = ()

    async def create(self, **params: Unpack[ModerationCreateParams]) -> ModerationCreateResponse:
        """``POST /moderations``: one result per input; ``model`` defaults on the server.

        Omni models (``omni-moderation-latest``) also judge images: pass a list of
        parts, ``{"type": "text", "text": ...}`` and ``{"type": "image_url",
        "image_url": {"url": ...}}``. Their results say which kinds of input each
        category looked at (``category_applied_input_types``).
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ModerationCreateParams)
        if "input" not in given:
            raise InvalidParameterError("input", "is required")
        body = json_body(**given)
        body["input"] = _check_input(given["input"])
        return await self._client.call(MODERATIONS.request(body, options))
