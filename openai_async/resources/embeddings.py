"""``client.embeddings``: vectors for texts or token lists (``POST /embeddings``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Required, TypedDict, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError
from .._request import Endpoint, RequestOptions, pop_options
from ..types import CreateEmbeddingResponse
from ._base import Resource, present
from ._checks import check_choice, check_range, check_types, json_body

__all__ = ["EmbeddingCreateParams", "EmbeddingParams", "Embeddings"]

EmbeddingInput = str | Sequence[str] | Sequence[int] | Sequence[Sequence[int]]


class EmbeddingParams(TypedDict, total=False):
    """The ``create`` parameters ``create_many`` passes on to every request."""

    encoding_format: Literal["float", "base64"] | NotGiven | None
    # Only text-embedding-3 and later models shorten their vectors.
    dimensions: int | NotGiven | None
    user: str | NotGiven | None


class EmbeddingCreateParams(EmbeddingParams, RequestOptions, total=False):
    """The parameters of ``POST /embeddings``, declared once."""

    model: Required[str]
    input: Required[EmbeddingInput]


EMBEDDINGS = Endpoint("POST", "embeddings", CreateEmbeddingResponse, EmbeddingCreateParams)


def _check_params(body: dict[str, Any]) -> None:
    check_choice("encoding_format", body.get("encoding_format"), ("float", "base64"))
    check_range("dimensions", body.get("dimensions"), 1)  # the spec's minimum


class Embeddings(Resource):
    """Embedding vectors; many inputs may share one request."""

    __slots__ = ()

    async def create(self, **params: Unpack[EmbeddingCreateParams]) -> CreateEmbeddingResponse:
        """``POST /embeddings``: one vector per input, in input order.

        ``input`` is a string, a list of strings, a list of token ids, or a list of
        token-id lists. ``dimensions`` shortens the vectors (text-embedding-3 and later).
        The vectors are lists of floats whatever ``encoding_format`` says. When it is
        not given, the request asks for ``"base64"``, as the official SDK's does: the
        server then sends packed float32 values, about a quarter of the bytes and
        several times faster to decode than JSON numbers (the same float32 values,
        read exactly). A server that ignores it and sends numbers is read as well.
        Pass ``encoding_format="float"`` for a server that refuses ``"base64"``.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, EmbeddingCreateParams)
        if "model" not in given:
            raise InvalidParameterError("model", "is required")
        if "input" not in given:
            raise InvalidParameterError("input", "is required")
        body = json_body(**given)
        body["input"] = _check_input(given["input"])
        body.setdefault("encoding_format", "base64")
        _check_params(body)
        return await self._client.call(EMBEDDINGS.request(body, options))

    async def create_many(
        self,
        inputs: Sequence[str] | Sequence[Sequence[int]],
        *,
        model: str,
        batch_size: int | NotGiven = 256,
        max_concurrency: int | NotGiven = 8,
        **params: Unpack[EmbeddingParams],
    ) -> list[list[float]]:
        """One vector per input, in input order: ``batch_size`` inputs to a request.

        ``params`` are the other ``create`` parameters (``EmbeddingParams``). The
        requests run concurrently (at most ``max_concurrency`` at once); each vector
        is placed by the ``index`` its answer gives, checked, so a server that
        answers out of order cannot mix them up (``PackingError`` if an index is
        missing or repeated). The first failed request raises its error.
        """
        from .._packing import embed_many

        _check_params(json_body(**params))
        return await embed_many(
            self.create,
            inputs,
            model=model,
            batch_size=present(batch_size),
            max_concurrency=present(max_concurrency),
            params=params,
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_input(value: object) -> object:
    """The input as JSON will carry it, or raise: the four shapes the API accepts."""
    # The spec (2023: minItems on token lists; today: "cannot be an empty string", and
    # minItems 1 on every list) allows no empty input, and there would be nothing to embed.
    if isinstance(value, str):
        if not value:
            raise InvalidParameterError("input", "must not be an empty string")
        return value
    if isinstance(value, bytes | bytearray) or not isinstance(value, Sequence):
        raise InvalidParameterError(
            "input", f"expected a string or a list, got {type(value).__name__}"
        )
    items = list(value)
    if not items:
        raise InvalidParameterError("input", "must not be an empty list")
    if all(isinstance(item, str) for item in items):
        if not all(items):
            raise InvalidParameterError("input", f"item {items.index('')} is an empty string")
        return items
    if all(_is_int(item) for item in items):
        return items
    if all(isinstance(item, Sequence) and not isinstance(item, str) for item in items):
        lists = [list(item) for item in items]
        for position, tokens in enumerate(lists):
            if not tokens or not all(_is_int(t) for t in tokens):
                raise InvalidParameterError(
                    "input", f"item {position} must be a non-empty list of token ids"
                )
        return lists
    raise InvalidParameterError(
        "input", "a list must hold only strings, only token ids, or only token-id lists"
    )
