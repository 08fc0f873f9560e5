"""What the official SDK's client has beside its namespaces, for code that calls it.

``AsyncClient`` inherits ``SDKSurface``: the client-level ``with_raw_response`` and
``with_streaming_response``, ``client.beta``, the low-level verbs
(``client.get/post/put/patch/delete(path, cast_to=...)``), and an ``AttributeError``
naming what to use for the SDK's namespaces that have no counterpart here. Each leads
to the client's own machinery (its namespaces, ``request``), so this module holds no
request logic of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from ._exceptions import InvalidParameterError, shown

if TYPE_CHECKING:
    from ._client import AsyncClient
    from ._response import ClientResponseMethods
    from .resources import Beta

__all__ = ["SDKSurface"]

T = TypeVar("T")


class SDKSurface:
    """The SDK's client-level names, on ``AsyncClient``; see the module's docstring."""

    def _as_client(self) -> AsyncClient:
        return cast("AsyncClient", self)  # the one class this is mixed into

    @property
    def with_raw_response(self) -> ClientResponseMethods:
        """``client.with_raw_response.chat.completions.create(...)``: an ``APIResponse``."""
        from ._response import ClientResponseMethods

        return ClientResponseMethods(self._as_client(), streaming=False)

    @property
    def with_streaming_response(self) -> ClientResponseMethods:
        """``client.with_streaming_response.chat.completions.create(...)``, for ``async with``."""
        from ._response import ClientResponseMethods

        return ClientResponseMethods(self._as_client(), streaming=True)

    if not TYPE_CHECKING:  # so that a type checker still reports these names as missing

        def __getattr__(self, name: str) -> Any:
            instead = _NOT_WRAPPED.get(name)
            if instead is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            raise AttributeError(f"client.{name} (the SDK's) is not part of this client: {instead}")

    @cached_property
    def beta(self) -> Beta:
        """The SDK's ``client.beta``: ``beta.chat`` and ``beta.vector_stores`` lead to ours."""
        from .resources import Beta

        return Beta(self._as_client())

    # -- the low-level verbs -----------------------------------------------------------

    async def get(
        self, path: str, *, cast_to: type[T], options: Mapping[str, Any] | None = None
    ) -> T:
        """``client.get(path, cast_to=...)``, as the SDK has it: ``request("GET", ...)``."""
        return await self._verb("GET", path, cast_to, None, options)

    async def post(
        self,
        path: str,
        *,
        cast_to: type[T],
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> T:
        """``client.post(path, cast_to=..., body=...)``, as the SDK has it.

        ``cast_to=httpx.Response`` gives the response, ``object`` the decoded JSON.
        ``options`` takes the SDK's ``headers``, ``params``, ``timeout``,
        ``max_retries`` and ``extra_json`` (added to ``body``); ``request`` is this
        client's own, fuller way to call any endpoint.
        """
        return await self._verb("POST", path, cast_to, body, options)

    async def put(
        self,
        path: str,
        *,
        cast_to: type[T],
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> T:
        """``client.put``, as ``post``."""
        return await self._verb("PUT", path, cast_to, body, options)

    async def patch(
        self,
        path: str,
        *,
        cast_to: type[T],
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> T:
        """``client.patch``, as ``post``."""
        return await self._verb("PATCH", path, cast_to, body, options)

    async def delete(
        self,
        path: str,
        *,
        cast_to: type[T],
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> T:
        """``client.delete``, as ``post``."""
        return await self._verb("DELETE", path, cast_to, body, options)

    async def _verb(
        self,
        method: str,
        path: str,
        cast_to: type[T],
        body: Mapping[str, Any] | None,
        options: Mapping[str, Any] | None,
    ) -> T:
        # Checked before anything is sent, each named: the SDK's options come as a dict
        # whose values no type checker sees. headers, timeout and max_retries are
        # checked where they are used, as for every request.
        if options is not None and not isinstance(options, Mapping):
            raise InvalidParameterError("options", f"expected a mapping, got {shown(options)}")
        given = dict(options or {})
        unknown = sorted(set(given) - _VERB_OPTIONS)
        if unknown:
            raise InvalidParameterError(
                "options",
                f"{', '.join(map(repr, unknown))} not supported: use client.request(...) "
                f"(its options are {', '.join(sorted(_VERB_OPTIONS))})",
            )
        for name in ("params", "extra_json"):
            value = given.get(name)
            if value is not None and not isinstance(value, Mapping):
                raise InvalidParameterError(
                    f"options[{name!r}]", f"expected a mapping, got {shown(value)}"
                )
        client = self._as_client()
        if given.get("max_retries") is not None:
            client = client.with_options(max_retries=given["max_retries"])
        extra = given.get("extra_json")
        if extra is not None:
            if body is not None and not isinstance(body, Mapping):
                raise InvalidParameterError(
                    "body", f"expected a mapping to add extra_json to, got {shown(body)}"
                )
            body = {**(body or {}), **extra}
        timeout: dict[str, Any] = {} if "timeout" not in given else {"timeout": given["timeout"]}
        result: T = await client.request(
            method,
            path,
            cast_to=None if cast_to is object else cast_to,
            json=body,
            params=given.get("params"),
            headers=given.get("headers"),
            **timeout,
        )
        return result


# The SDK's namespaces with no counterpart here -> what to do instead.
_REQUEST: Final = "call its endpoints with client.request(...) or client.post(...)"
_NOT_WRAPPED: Final = {
    "realtime": "the Realtime API speaks WebSockets, not the HTTP this client speaks",
    "webhooks": "OpenAI's webhooks follow the Standard Webhooks spec: verify them with "
    "its standardwebhooks library",
    **{
        name: _REQUEST
        for name in (
            "conversations",
            "evals",
            "containers",
            "videos",
            "skills",
            "admin",
            "content_provenance_checks",
        )
    },
}

# The keys of the SDK's request options that ``get`` and the other verbs take.
_VERB_OPTIONS: Final = frozenset({"headers", "params", "timeout", "max_retries", "extra_json"})
