"""Turning a read response into what a caller asked for: JSON, a model, bytes or text.

A body that is not JSON, or does not fit the model, is the server's fault and raises
``APIResponseValidationError`` carrying the response and the body.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any, TypeVar

import httpx

from ._exceptions import APIResponseValidationError
from ._models import STRUCTURE_ERRORS, structure
from ._response_meta import attach_headers

__all__ = ["decode", "decode_json", "error_body", "structure_body"]

T = TypeVar("T")


def decode_json(response: httpx.Response) -> Any:
    try:
        return jsonlib.loads(response.content)
    except ValueError as exc:
        raise APIResponseValidationError(
            f"Expected a JSON body, got {response.headers.get('content-type')!r}",
            response=response,
            body=response.text,
        ) from exc


def decode(response: httpx.Response, cast_to: type[T]) -> T:
    if cast_to is bytes:
        return response.content  # type: ignore[return-value]
    if cast_to is str:
        return response.text  # type: ignore[return-value]
    if cast_to is httpx.Response:
        return response  # type: ignore[return-value]
    return structure_body(response, decode_json(response), cast_to)


def structure_body(response: httpx.Response, body: Any, cast_to: type[T]) -> T:
    """Build ``cast_to`` from a decoded body; a body that does not fit is the server's fault."""
    try:
        result = structure(body, cast_to)
    except STRUCTURE_ERRORS as exc:
        raise APIResponseValidationError(
            f"The response body does not fit {getattr(cast_to, '__name__', cast_to)}: {exc!r}",
            response=response,
            body=body,
        ) from exc
    attach_headers(result, response.headers)  # for rate_limits_of / response_headers
    return result


def error_body(response: httpx.Response) -> object:
    """The parsed JSON of an error body, or its text when it is not JSON."""
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return response.text
