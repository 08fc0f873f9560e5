"""Models of the ``/images`` endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .._models import APIObject

__all__ = ["Image", "ImagesResponse"]


@attrs.frozen(kw_only=True)
class Image(APIObject):
    """One image: a ``url`` or, with ``response_format="b64_json"``, base64 PNG data."""

    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


@attrs.frozen(kw_only=True)
class ImagesResponse(APIObject):
    """The answer of every ``/images`` endpoint: ``n`` images."""

    created: int
    data: list[Image] = attrs.field(factory=list)  # today's schema requires only created

    def __iter__(self) -> Iterator[Image]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
