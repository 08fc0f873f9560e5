"""What every resource namespace shares."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown

if TYPE_CHECKING:
    from .._client import AsyncClient
    from .._response import RawResponseMethods, StreamingResponseMethods

__all__ = ["Resource", "path_param", "present"]

T = TypeVar("T")


class Resource:
    """A namespace of endpoint methods bound to one client."""

    __slots__ = ("_client",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Code written for the SDK passes ``NOT_GIVEN`` for a parameter it means to leave
        # out (``tools=tools or NOT_GIVEN``): every endpoint method drops such arguments
        # before its checks see them, as if they had not been passed. Its optional
        # parameters are typed ``X | NotGiven`` for that, as the SDK's; ``present``
        # gives the body such a parameter as ``X``. (The wrapper is one more frame
        # between a method that is not async and its caller: a warning's stacklevel
        # counts it; see engines.)
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and isinstance(value, FunctionType):
                setattr(cls, name, _dropping_not_given(value))

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    @property
    def with_raw_response(self) -> RawResponseMethods:
        """These methods, answering with an ``APIResponse``: headers, then ``parse()``."""
        from .._response import RawResponseMethods

        return RawResponseMethods(self)

    @property
    def with_streaming_response(self) -> StreamingResponseMethods:
        """These methods, for ``async with``: the response before its body is read."""
        from .._response import StreamingResponseMethods

        return StreamingResponseMethods(self)


def _dropping_not_given(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method``, called without the keyword arguments whose value is ``NOT_GIVEN``.

    A coroutine function stays one (``inspect.iscoroutinefunction``), so that decorators
    that choose their async path by it (tenacity's ``retry``, say) still await it.
    """
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def call_async(self: Resource, *args: Any, **kwargs: Any) -> Any:
            return await method(self, *args, **_given(kwargs))

        return call_async

    @functools.wraps(method)
    def call(self: Resource, *args: Any, **kwargs: Any) -> Any:
        return method(self, *args, **_given(kwargs))

    return call


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    for value in kwargs.values():
        if isinstance(value, NotGiven):
            return {k: v for k, v in kwargs.items() if not isinstance(v, NotGiven)}
    return kwargs


def present(value: T | NotGiven) -> T:
    """``value``, which a method's body never sees as ``NOT_GIVEN``: ``Resource`` drops it.

    Optional parameters are typed ``X | NotGiven``, as the SDK types them, for code
    that passes ``NOT_GIVEN``; the body, called without them, uses them as ``X``.
    """
    assert not isinstance(value, NotGiven), "Resource drops NOT_GIVEN arguments"
    return value


def path_param(name: str, value: object) -> str:
    """Check an id that goes into a URL path and escape it, so it stays one segment.

    Every character but letters, digits, ``-._~:@`` is percent-encoded, ``/``, ``?``,
    ``#`` and ``%`` included. ``"."`` and ``".."`` are refused: no encoding keeps them
    from being dot segments (``models.delete("..")`` would be ``DELETE /v1``), since
    URL parsers and servers alike treat ``%2E`` as a dot.
    """
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(name, f"expected a non-empty string, got {shown(value)}")
    if value in (".", ".."):
        raise InvalidParameterError(
            name, f"{shown(value)} would change the endpoint, not name an id"
        )
    return quote(value, safe=":@")
