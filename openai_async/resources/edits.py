"""``client.edits``: rewrite a text by an instruction (``POST /edits``)."""

from __future__ import annotations

from typing import Unpack

from .._request import Endpoint, RequestOptions
from ..types import Edit
from ._base import Resource
from ._checks import check_range, json_body
from ._params import check_sampling

__all__ = ["Edits"]


EDITS = Endpoint("POST", "edits", Edit)


class Edits(Resource):
    """Edits of a text following an instruction (OpenAI retired this endpoint in 2024)."""

    __slots__ = ()

    async def create(
        self,
        *,
        model: str,
        instruction: str,
        input: str | None = None,
        n: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        **options: Unpack[RequestOptions],
    ) -> Edit:
        """``POST /edits``: ``n`` (1 to 20) edited versions of ``input``."""
        check_range("n", n, 1, 20)
        body = json_body(
            model=model,
            instruction=instruction,
            input=input,
            n=n,
            temperature=temperature,
            top_p=top_p,
        )
        check_sampling(body)
        return await self._client.call(EDITS.request(body, options))
