"""Models of ``POST /embeddings``; vectors are always lists of floats."""

from __future__ import annotations

import base64
import binascii
import copy
import sys
from array import array
from collections.abc import Iterator
from typing import Any, Final

import attrs

from .._models import STRUCTURE_HOOK, APIObject

__all__ = ["CreateEmbeddingResponse", "Embedding", "EmbeddingUsage", "decode_base64_vector"]


def decode_base64_vector(text: str) -> list[float]:
    """Decode ``encoding_format="base64"``: little-endian float32 values, base64-encoded."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from exc
    if len(raw) % 4:
        raise ValueError(f"{len(raw)} bytes is not a whole number of float32 values")
    values = array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


_FLOAT: Final = frozenset({float})
_NUMBER: Final = frozenset({int, float})


def _vector(value: Any, _: Any) -> list[float]:
    # The wire carries a JSON array, or with encoding_format="base64" a string; a caller
    # gets floats either way, without numpy.
    if isinstance(value, str):
        return decode_base64_vector(value)
    if not isinstance(value, list):
        raise TypeError(f"expected a list of numbers or a base64 string, got {value!r:.40}")
    # One C-level pass over the item types: checking each number in Python cost more
    # than json.loads of the whole body (1,536 floats per vector).
    kinds = set(map(type, value))
    if kinds <= _FLOAT:
        return list(value)  # what the loop below gives: float(x) is x for a float
    if kinds <= _NUMBER:
        return [float(item) for item in value]
    for item in value:
        if not isinstance(item, int | float) or isinstance(item, bool):
            raise TypeError(f"expected a number in the embedding, got {item!r:.40}")
    return [float(item) for item in value]


@attrs.frozen(kw_only=True, slots=False)
class Embedding(APIObject):
    """One input's vector; ``index`` is the input's position in the request."""

    object: str = "embedding"
    index: int
    embedding: list[float] = attrs.field(metadata={STRUCTURE_HOOK: _vector})

    def to_dict(self) -> dict[str, Any]:
        """What the server sent, but the vector as floats even where it came as base64.

        ``create`` asks for base64 unless told otherwise; the vector is the same.
        """
        raw = self._raw
        if raw is None:
            return super().to_dict()
        # The vector by a flat copy: a deep copy walks every float, and base64 was text.
        return {
            key: list(self.embedding) if key == "embedding" else copy.deepcopy(value)
            for key, value in raw.items()
        }


@attrs.frozen(kw_only=True, slots=False)
class EmbeddingUsage(APIObject):
    """Tokens read to compute the embeddings."""

    prompt_tokens: int
    total_tokens: int


@attrs.frozen(kw_only=True, slots=False)
class CreateEmbeddingResponse(APIObject):
    """The answer to ``POST /embeddings``: one ``Embedding`` per input, in input order."""

    object: str = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage | None = None

    def to_dict(self) -> dict[str, Any]:
        """What the server sent, every vector as floats (see ``Embedding.to_dict``)."""
        raw = self._raw
        if raw is None:
            return super().to_dict()
        result = {key: copy.deepcopy(value) for key, value in raw.items() if key != "data"}
        result["data"] = [embedding.to_dict() for embedding in self.data]
        return result

    def __iter__(self) -> Iterator[Embedding]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
