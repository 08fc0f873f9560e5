"""The headers of the response a model object was decoded from.

Why a side table and not a field: headers are not part of the object's value
(two equal models from two responses stay equal), they must not show in ``repr``,
``to_dict()`` or the converter's view of the model, and the models module stays
unaware of HTTP. Entries live exactly as long as their object (a weak reference
drops them), so nothing leaks in a long batch job.
"""

from __future__ import annotations

import functools
import weakref

import httpx

from ._models import APIObject
from ._ratelimit import RateLimits

__all__ = ["attach_headers", "rate_limits_of", "response_headers"]

# id(model) -> (headers, a weak reference to the model whose death removes the entry)
_headers: dict[int, tuple[httpx.Headers, weakref.ref[APIObject]]] = {}


def attach_headers(obj: object, headers: httpx.Headers) -> None:
    """Remember ``headers`` for ``obj`` if it is a model (the client's decode step)."""
    if isinstance(obj, APIObject):
        key = id(obj)
        # Every model (a class with a __dict__) can be weakly referenced. A bare
        # weak reference with a callback costs a third of a weakref.finalize.
        _headers[key] = (headers, weakref.ref(obj, functools.partial(_forget, key)))


def _forget(key: int, ref: weakref.ref[APIObject]) -> None:
    entry = _headers.get(key)
    if entry is not None and entry[1] is ref:  # not a newer object's at the same id
        del _headers[key]


def response_headers(obj: object) -> httpx.Headers | None:
    """The headers of the response ``obj`` came from: a model, a stream or a response.

    None for an object the client did not return itself (built by hand, a nested
    part of an answer, or a copy made with ``attrs.evolve``), and for a ``str`` or
    ``bytes`` result (ask ``client.request(..., cast_to=httpx.Response)`` for those).
    """
    if isinstance(obj, httpx.Response):
        return obj.headers
    response = getattr(obj, "response", None)  # an AsyncStream
    if isinstance(response, httpx.Response) and not isinstance(obj, APIObject):
        return response.headers
    entry = _headers.get(id(obj))
    return None if entry is None or entry[1]() is not obj else entry[0]


def rate_limits_of(obj: object) -> RateLimits:
    """The ``x-ratelimit-*`` headers that came with a model, a stream or a raw response.

    So a batch job can pace itself on successful answers; for errors use
    ``APIStatusError.rate_limits``. All fields are None when there were no such
    headers, or no response is known for ``obj`` (see ``response_headers``).
    """
    headers = response_headers(obj)
    return RateLimits() if headers is None else RateLimits.from_headers(headers)
