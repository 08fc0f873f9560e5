"""Turning a read response into what a caller asked for: JSON, a model, bytes or text.

A body that is not JSON, or does not fit the model, is the server's fault and raises
``APIResponseValidationError`` carrying the response and the body. So is JSON nested
too deeply for the parser (``loads`` makes that a ``ValueError`` like any bad JSON):
whatever a server sends, decoding raises nothing outside our error tree.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any, TypeVar

import httpx

from ._exceptions import APIResponseValidationError, caused_by, excerpt
from ._models import STRUCTURE_ERRORS, structure
from ._response_meta import attach_headers

__all__ = ["decode", "decode_json", "error_body", "loads", "structure_body"]

T = TypeVar("T")

# What building a model from a parsed body may raise besides STRUCTURE_ERRORS: a
# structure nested deeper than the stack allows.
_DECODE_ERRORS = (*STRUCTURE_ERRORS, RecursionError)


def loads(data: bytes | str) -> Any:
    """``json.loads``, raising ``ValueError`` for any text that does not parse.

    The standard parser raises ``RecursionError`` on deeply nested arrays or objects
    (``[[[[...``), which no caller expects from a parse; here it is a ``ValueError``
    too. Bad UTF-8 (``UnicodeDecodeError``) and integers past Python's digit limit
    already are.
    """
    try:
        return jsonlib.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None


def decode_json(response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except ValueError as exc:
        failure = exc  # raised out of the except block: see caused_by
    error = APIResponseValidationError(
        f"Expected a JSON body, got {excerpt(response.headers.get('content-type'), 100)} "
        f"({failure.__class__.__name__}: {excerpt(str(failure), 200)})",
        response=response,
        body=_text(response),
    )
    # A UnicodeDecodeError's repr quotes the whole body: the key, if the server echoed it.
    raise caused_by(error, failure)


def decode(response: httpx.Response, cast_to: type[T]) -> T:
    if cast_to is bytes:
        return response.content  # type: ignore[return-value]
    if cast_to is str:
        return _text(response)  # type: ignore[return-value]
    if cast_to is httpx.Response:
        return response  # type: ignore[return-value]
    return structure_body(response, decode_json(response), cast_to)


def structure_body(response: httpx.Response, body: Any, cast_to: type[T]) -> T:
    """Build ``cast_to`` from a decoded body; a body that does not fit is the server's fault."""
    try:
        result = structure(body, cast_to)
    except _DECODE_ERRORS as exc:
        failure = exc  # raised out of the except block: see caused_by
    else:
        attach_headers(result, response.headers)  # for rate_limits_of / response_headers
        return result
    error = APIResponseValidationError(
        f"The response body does not fit {getattr(cast_to, '__name__', cast_to)}: "
        f"{excerpt(_describe(failure))}",
        response=response,
        body=body,
    )
    # The structuring error quotes the value that did not fit: the key, if echoed there.
    raise caused_by(error, failure)


def error_body(response: httpx.Response) -> object:
    """The parsed JSON of an error body, or its text when it is not JSON."""
    try:
        return loads(response.content)
    except ValueError:
        return _text(response)


def _text(response: httpx.Response) -> str:
    # httpx picks the codec from the content-type's charset; one Python cannot use
    # (an unknown name, or "utf-7" fed bytes it refuses) must not escape as LookupError.
    try:
        return response.text
    except (LookupError, ValueError):
        return response.content.decode("utf-8", errors="replace")


def _describe(exc: BaseException) -> str:
    try:
        return repr(exc)
    except RecursionError:  # a cattrs error that quotes a deeply nested value
        return type(exc).__name__
