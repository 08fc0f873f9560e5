"""``client.edits``: rewrite a text by an instruction (``POST /edits``)."""

from __future__ import annotations

from typing import Any, Required, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError
from .._request import Endpoint, RequestOptions, pop_options
from ..types import Edit
from ._base import Resource
from ._checks import check_range, check_types, json_body
from ._params import check_sampling

__all__ = ["EditCreateParams", "Edits"]


class EditCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /edits`` (the 2023 API), declared once."""

    model: Required[str]
    instruction: Required[str]
    input: str | NotGiven | None
    n: int | NotGiven | None
    temperature: float | NotGiven | None
    top_p: float | NotGiven | None


EDITS = Endpoint("POST", "edits", Edit, EditCreateParams)


class Edits(Resource):
    """Edits of a text following an instruction (OpenAI retired this endpoint in 2024)."""

    __slots__ = ()

    async def create(self, **params: Unpack[EditCreateParams]) -> Edit:
        """``POST /edits``: ``n`` (1 to 20) edited versions of ``input``."""
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, EditCreateParams)
        for name in ("model", "instruction"):
            if not isinstance(given.get(name), str):
                raise InvalidParameterError(name, "is required: a string")
        body = json_body(**given)
        check_range("n", body.get("n"), 1, 20)
        check_sampling(body)
        return await self._client.call(EDITS.request(body, options))
