"""``client.moderations``: check texts against the content policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from .._exceptions import InvalidParameterError
from .._request import Endpoint, RequestOptions
from ..types import ModerationCreateResponse
from ._base import Resource
from ._checks import json_body

__all__ = ["Moderations"]


MODERATIONS = Endpoint("POST", "moderations", ModerationCreateResponse)


class Moderations(Resource):
    """Content-policy verdicts for texts."""

    __slots__ = ()

    async def create(
        self,
        *,
        input: str | Sequence[str],
        model: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ModerationCreateResponse:
        """``POST /moderations``: one result per input; ``model`` defaults on the server."""
        if isinstance(input, str):
            value: str | list[str] = input
        elif isinstance(input, Sequence) and all(isinstance(item, str) for item in input):
            value = list(input)
        else:
            raise InvalidParameterError("input", "expected a string or a list of strings")
        body = json_body(input=value, model=model)
        return await self._client.call(MODERATIONS.request(body, options))
