"""``AsyncClient``: configuration, the request path, and the resource namespaces."""

from __future__ import annotations

import functools
import json as jsonlib
import os
import sys
import urllib.request
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, Unpack, overload

import attrs
import httpx

from ._backoff import RetryPolicy
from ._exceptions import (
    APIResponseValidationError,
    InvalidParameterError,
    MissingAPIKeyError,
    status_error,
)
from ._logging import LogAttempts
from ._middleware import OPTIONS_KEY, CallNext, Middleware, RequestOptions, build_chain
from ._models import STRUCTURE_ERRORS, structure, structurer
from ._response_meta import attach_headers
from ._retry import Retry
from ._streaming import AsyncStream
from ._transport import DirectSend, HTTPXSend
from ._version import __version__

if TYPE_CHECKING:
    from ._jobs import BatchJob, BatchOptions, BatchRequest
    from ._packing import ServerQuirks
    from .resources import (
        Audio,
        Chat,
        Completions,
        Edits,
        Embeddings,
        Engines,
        Files,
        FineTunes,
        Images,
        Models,
        Moderations,
    )

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "AsyncClient"]

T = TypeVar("T")

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
# Generation can take minutes; connecting should not.
DEFAULT_TIMEOUT: Final = httpx.Timeout(600.0, connect=5.0)
# Batch jobs keep hundreds of requests in flight; keep many connections alive.
DEFAULT_LIMITS: Final = httpx.Limits(
    max_connections=1000, max_keepalive_connections=200, keepalive_expiry=30.0
)

TimeoutTypes = float | httpx.Timeout | None

_SSE_ACCEPT: Final = {"Accept": "text/event-stream"}


class _NotGiven:
    """Marks an argument left out where ``None`` already means something."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven()


@attrs.frozen
class _Config:
    base_url: str  # always ends with "/"
    api_key: str | None = attrs.field(repr=False)
    organization: str | None
    timeout: httpx.Timeout
    retry: RetryPolicy
    headers: Mapping[str, str] = attrs.field(repr=False)

    @property
    def max_retries(self) -> int:
        return self.retry.max_retries

    def options(self, *, stream: bool) -> RequestOptions:
        return RequestOptions(retry=self.retry, stream=stream)


def _user_agent() -> str:
    py = sys.version_info
    return f"openai_async/{__version__} python/{py.major}.{py.minor} httpx/{httpx.__version__}"


def _as_timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        if value is not None and value <= 0:
            raise InvalidParameterError("timeout", f"must be positive, got {value!r}")
        return httpx.Timeout(value)
    raise InvalidParameterError(
        "timeout", f"expected seconds, httpx.Timeout or None, got {type(value).__name__}"
    )


def _check_retries(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidParameterError("max_retries", f"expected an int >= 0, got {value!r}")
    return value


def _retry_policy(base: RetryPolicy, retry: object, max_retries: int | None) -> RetryPolicy:
    """``retry`` replaces ``base``; ``max_retries``, when given, overrides its count."""
    if retry is not None:
        if not isinstance(retry, RetryPolicy):
            raise InvalidParameterError("retry", f"expected a RetryPolicy, got {retry!r}")
        base = retry
    if max_retries is not None:
        base = attrs.evolve(base, max_retries=_check_retries(max_retries))
    return base


class AsyncClient:
    """An asyncio-native client for the OpenAI API and OpenAI-compatible servers.

    Arguments left as None come from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and
    ``OPENAI_ORG_ID``, read here, when the client is built. A local server may need no
    key: pass ``api_key=""`` to send no ``Authorization`` header at all. Without any
    key, the first request raises ``MissingAPIKeyError``.

    Pass ``transport`` to choose the httpx transport of the pool the client creates,
    or ``http_client`` to bring your own ``httpx.AsyncClient`` (you then close it).
    Requests on the client's own pool go to its transport directly (``DirectSend``);
    on yours they go through its ``send``, so its auth, event hooks, headers and
    redirect settings apply.
    ``middleware`` runs around every attempt, outermost first, inside the built-in
    retry and logging steps (see ``_middleware``).

    ``retry`` is the ``RetryPolicy`` (what to retry, backoff, ``Retry-After``
    ceiling, total deadline); ``max_retries`` alone is the short way to change
    only its count, and wins over the policy's when both are given. The default
    is ``RetryPolicy()``: 2 retries.

    End it with ``async with`` or ``await client.aclose()``.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        middleware: Sequence[Middleware] = (),
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if organization is None:
            organization = os.environ.get("OPENAI_ORG_ID") or None
        if base_url is None:
            base_url = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        url = str(base_url)
        if not url.startswith(("http://", "https://")):
            raise InvalidParameterError("base_url", f"expected an http(s) URL, got {url!r}")
        if http_client is not None and transport is not None:
            raise InvalidParameterError(
                "transport", "give either transport or http_client, not both"
            )

        headers = {"User-Agent": _user_agent(), "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if organization:
            headers["OpenAI-Organization"] = organization
        headers.update(default_headers or {})

        self._config = _Config(
            base_url=url.rstrip("/") + "/",
            api_key=api_key,
            organization=organization,
            timeout=_as_timeout(timeout),
            retry=_retry_policy(RetryPolicy(), retry, max_retries),
            headers=headers,
        )
        self._owns_http = http_client is None
        # Our own pool's headers (httpx's defaults under ours), merged once; None for a
        # caller's pool, whose headers, auth and base URL httpx.build_request merges.
        self._headers: httpx.Headers | None = None
        send: HTTPXSend
        if http_client is None:
            if transport is None and not _environment_proxies():
                # The transport httpx would build, built here so that requests can go
                # to it directly (DirectSend). With proxies httpx must route by URL.
                transport = httpx.AsyncHTTPTransport(limits=DEFAULT_LIMITS)
            http_client = httpx.AsyncClient(
                transport=transport, limits=DEFAULT_LIMITS, timeout=self._config.timeout
            )
            if transport is None:
                send = HTTPXSend(http_client)
            else:
                send = DirectSend(http_client, transport)
            self._headers = httpx.Headers(http_client.headers)
            self._headers.update(self._config.headers)
        else:
            send = HTTPXSend(http_client)
        self._http = http_client
        from ._packing import ServerQuirks  # with the client: the module is rarely needed

        self._quirks: ServerQuirks = ServerQuirks()
        self._middleware: tuple[Middleware, ...] = (Retry(), LogAttempts(), *middleware)
        self._transport_step = send
        self._chain: CallNext = build_chain(self._middleware, send)

    @classmethod
    def _derive(cls, parent: AsyncClient, config: _Config) -> AsyncClient:
        child = cls.__new__(cls)
        child._config = config
        child._owns_http = False
        child._http = parent._http
        child._headers = parent._headers
        child._transport_step = parent._transport_step
        child._middleware = parent._middleware
        child._quirks = parent._quirks
        child._chain = parent._chain
        return child

    def _with_inner_middleware(self, middleware: Middleware) -> AsyncClient:
        """A variant whose chain ends in ``middleware``, right before the transport.

        Batch jobs use it to see every attempt (retries included) of their requests.
        """
        child = AsyncClient._derive(self, self._config)
        child._middleware = (*self._middleware, middleware)
        child._chain = build_chain(child._middleware, self._transport_step)
        return child

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | _NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncClient:
        """A variant of this client with other per-call settings, sharing its pool.

        ``timeout=None`` means no timeout, so leaving ``timeout`` out is marked by a
        sentinel. ``retry`` replaces the retry policy; ``max_retries`` changes only
        its count. Closing the variant does not close the shared pool; close the
        client it came from.
        """
        config = self._config
        if not isinstance(timeout, _NotGiven):
            config = attrs.evolve(config, timeout=_as_timeout(timeout))
        if retry is not None or max_retries is not None:
            config = attrs.evolve(config, retry=_retry_policy(config.retry, retry, max_retries))
        return AsyncClient._derive(self, config)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def organization(self) -> str | None:
        return self._config.organization

    @property
    def timeout(self) -> httpx.Timeout:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    @property
    def retry(self) -> RetryPolicy:
        return self._config.retry

    def __repr__(self) -> str:
        key = self._config.api_key
        key_state = "not set" if key is None else ("empty" if key == "" else "set")
        return (
            f"<AsyncClient base_url={self._config.base_url!r} "
            f"organization={self._config.organization!r} api_key={key_state} "
            f"max_retries={self._config.max_retries}>"
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in or is shared."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- resources -----------------------------------------------------------------

    @cached_property
    def edits(self) -> Edits:
        from .resources import Edits

        return Edits(self)

    @cached_property
    def embeddings(self) -> Embeddings:
        from .resources import Embeddings

        return Embeddings(self)

    @cached_property
    def moderations(self) -> Moderations:
        from .resources import Moderations

        return Moderations(self)

    @cached_property
    def engines(self) -> Engines:
        from .resources import Engines

        return Engines(self)

    @cached_property
    def files(self) -> Files:
        from .resources import Files

        return Files(self)

    @cached_property
    def images(self) -> Images:
        from .resources import Images

        return Images(self)

    @cached_property
    def audio(self) -> Audio:
        from .resources import Audio

        return Audio(self)

    @cached_property
    def models(self) -> Models:
        from .resources import Models

        return Models(self)

    @cached_property
    def chat(self) -> Chat:
        from .resources import Chat

        return Chat(self)

    @cached_property
    def completions(self) -> Completions:
        from .resources import Completions

        return Completions(self)

    @cached_property
    def fine_tunes(self) -> FineTunes:
        from .resources import FineTunes

        return FineTunes(self)

    def batch(
        self,
        requests: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
        /,
        **options: Unpack[BatchOptions],
    ) -> BatchJob:
        """A batch job over ``requests``; see ``BatchJob`` for the options.

        Use it as ``async with client.batch(requests, ...) as job: async for r in job``.
        """
        from ._jobs import BatchJob

        return BatchJob(self, requests, **options)

    # -- the request path ------------------------------------------------------------

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        content: bytes | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Request:
        config = self._config
        if config.api_key is None:
            raise MissingAPIKeyError(
                "No API key: pass api_key=... or set OPENAI_API_KEY "
                '(use api_key="" for a server that needs none).'
            )
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = config.base_url + path.lstrip("/")
        extensions: dict[str, object] = {OPTIONS_KEY: config.options(stream=stream)}
        if self._headers is None:
            return self._http.build_request(
                method,
                _parse_url(url),
                params=params,
                json=json,
                content=content,
                files=files,
                data=data,
                headers=config.headers if headers is None else {**config.headers, **headers},
                timeout=config.timeout,
                extensions=extensions,
            )
        # Our own pool: what build_request does, less merging the same headers again.
        merged = self._headers
        if headers is not None:
            merged = httpx.Headers(merged)
            merged.update(headers)
        extensions["timeout"] = config.timeout.as_dict()
        return httpx.Request(
            method,
            _parse_url(url),
            params=params,
            json=json,
            content=content,
            files=files,
            data=data,
            headers=merged,
            cookies=self._http.cookies,
            extensions=extensions,
        )

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Run ``request`` through the middleware chain; raise for an error status."""
        response = await self._chain(request)
        if response.is_error:
            raise status_error(response, _error_body(response))
        return response

    async def _stream(
        self,
        method: str,
        path: str,
        cast_to: type[T],
        **kwargs: Any,
    ) -> AsyncStream[T]:
        """Send with ``stream=True`` and wrap the unread 2xx body in an ``AsyncStream``."""
        request = self._build_request(method, path, stream=True, headers=_SSE_ACCEPT, **kwargs)
        return AsyncStream(await self._send(request), structurer(cast_to))

    async def _request_model(
        self,
        method: str,
        path: str,
        cast_to: type[T],
        **kwargs: Any,
    ) -> T:
        response = await self._send(self._build_request(method, path, **kwargs))
        return _decode(response, cast_to)

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: object = ...,
        content: bytes | None = ...,
        files: Any = ...,
        data: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: object = ...,
        content: bytes | None = ...,
        files: Any = ...,
        data: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
    ) -> Any: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        content: bytes | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call any endpoint through the full request path (auth, middleware, errors).

        ``path`` is relative to ``base_url`` (``"models"`` or ``"/models"``) or a full
        URL. The answer is the decoded JSON, or with ``cast_to``: ``bytes``, ``str``,
        ``httpx.Response`` (body read), or any model type, e.g. ``types.Model``.
        """
        request = self._build_request(
            method,
            path,
            params=params,
            json=json,
            content=content,
            files=files,
            data=data,
            headers=headers,
        )
        response = await self._send(request)
        if cast_to is None:
            return _json(response)
        return _decode(response, cast_to)

    @overload
    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: object = ...,
        headers: Mapping[str, str] | None = ...,
        require_done: bool = ...,
    ) -> AsyncStream[T]: ...

    @overload
    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: object = ...,
        headers: Mapping[str, str] | None = ...,
        require_done: bool = ...,
    ) -> AsyncStream[Any]: ...

    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        require_done: bool = True,
    ) -> AsyncStream[Any]:
        """The streaming twin of ``request``: the events of any endpoint, as an AsyncStream.

        Each event's data is decoded JSON, or a ``cast_to`` model. You put ``"stream":
        true`` (or ``params={"stream": "true"}``) in the request yourself, since endpoints
        ask for it differently. ``require_done=False`` is for streams that end without
        ``data: [DONE]``: the end of the body then ends the iteration quietly.
        """
        headers = {**_SSE_ACCEPT, **(headers or {})}
        request = self._build_request(
            method, path, params=params, json=json, headers=headers, stream=True
        )
        response = await self._send(request)
        decode: Any = _identity if cast_to is None else structurer(cast_to)
        return AsyncStream(response, decode, require_done=require_done)


def _identity(value: T) -> T:
    return value


def _environment_proxies() -> bool:
    """Whether httpx would route this process's requests through a proxy from the environment."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


@functools.lru_cache(maxsize=512)
def _parse_url(url: str) -> httpx.URL:
    # Parsing costs ~10-15 us, a third of building a request, and a client
    # calls the same few URLs again and again. httpx.URL is immutable: safe to share.
    return httpx.URL(url)


def _json(response: httpx.Response) -> Any:
    try:
        return jsonlib.loads(response.content)
    except ValueError as exc:
        raise APIResponseValidationError(
            f"Expected a JSON body, got {response.headers.get('content-type')!r}",
            response=response,
            body=response.text,
        ) from exc


def _decode(response: httpx.Response, cast_to: type[T]) -> T:
    if cast_to is bytes:
        return response.content  # type: ignore[return-value]
    if cast_to is str:
        return response.text  # type: ignore[return-value]
    if cast_to is httpx.Response:
        return response  # type: ignore[return-value]
    return _structure(response, _json(response), cast_to)


def _structure(response: httpx.Response, body: Any, cast_to: type[T]) -> T:
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


def _error_body(response: httpx.Response) -> object:
    """The parsed JSON of an error body, or its text when it is not JSON."""
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return response.text
