"""Models of the ``/images`` endpoints, whole and streamed."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .._models import APIObject

__all__ = ["Image", "ImageStreamEvent", "ImagesResponse", "ImagesUsage"]


@attrs.frozen(kw_only=True, slots=False)
class Image(APIObject):
    """One image: a ``url`` or base64 data in ``b64_json`` (always, for GPT image models).

    ``revised_prompt`` is the prompt dall-e-3 rewrote and drew.
    """

    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ImagesUsage(APIObject):
    """Tokens a GPT image model used; the details split them into text and image tokens."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_tokens_details: dict[str, int] | None = None
    output_tokens_details: dict[str, int] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ImagesResponse(APIObject):
    """The answer of every ``/images`` endpoint: ``n`` images.

    GPT image models also say what they made (``background``, ``output_format``,
    ``quality``, ``size``) and what it cost (``usage``).
    """

    created: int
    data: list[Image] = attrs.field(factory=list)  # today's schema requires only created
    background: str | None = None
    output_format: str | None = None
    quality: str | None = None
    size: str | None = None
    usage: ImagesUsage | None = None

    def __iter__(self) -> Iterator[Image]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


@attrs.frozen(kw_only=True, slots=False)
class ImageStreamEvent(APIObject):
    """One event of a streamed image generation or edit (``stream=True``), by ``type``.

    ``image_generation.partial_image`` / ``image_edit.partial_image``: a rough version,
    ``partial_image_index`` counting from 0; ``image_generation.completed`` /
    ``image_edit.completed``: the finished image, with ``usage``. ``b64_json`` holds
    the image either way.
    """

    type: str
    b64_json: str | None = None
    created_at: int | None = None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    partial_image_index: int | None = None
    usage: ImagesUsage | None = None
