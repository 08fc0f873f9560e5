"""``client.edits``: rewrite a text by an instruction (``POST /edits``)."""

from __future__ import annotations

from ..types import Edit
from ._base import Resource
from ._checks import check_number, check_range, json_body

__all__ = ["Edits"]


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
    ) -> Edit:
        """``POST /edits``: ``n`` (1 to 20) edited versions of ``input``."""
        check_range("n", n, 1, 20)
        check_number("temperature", temperature, 0, 2)
        check_number("top_p", top_p, 0, 1)
        body = json_body(
            model=model,
            instruction=instruction,
            input=input,
            n=n,
            temperature=temperature,
            top_p=top_p,
        )
        return await self._client._request_model("POST", "edits", Edit, json=body)
