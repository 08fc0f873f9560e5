"""``AsyncClient``: the pool, the request path, and the resource namespaces."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, Unpack, overload

import attrs
import httpx

from . import _origin
from ._backoff import RetryPolicy
from ._bodies import DEFAULT_MAX_ERROR_SIZE, DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_RESPONSE_SIZE
from ._config import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    Config,
    NotGiven,
    TimeoutTypes,
    as_timeout,
    check_headers,
    environment_proxies,
    merge_headers,
    retry_policy,
    shown_url,
    user_agent,
)
from ._exceptions import (
    ClientStateError,
    InvalidParameterError,
    MissingAPIKeyError,
    status_error,
)
from ._logging import LogAttempts
from ._middleware import OPTIONS_KEY, CallNext, Middleware, build_chain
from ._retry import Retry
from ._sdk_surface import SDKSurface
from ._transport import HTTPXSend, OwnHTTPClient, Pool

if TYPE_CHECKING:
    from ._files import MultipartBody
    from ._middleware import RequestOptions as AttemptOptions
    from ._packing import ServerQuirks
    from ._request import APIRequest, RequestOptions
    from ._streaming import AsyncStream, StreamEnd
    from .jobs import BatchJob, BatchOptions, BatchRequest
    from .resources import (
        Audio,
        Batches,
        Chat,
        Completions,
        Edits,
        Embeddings,
        Engines,
        Files,
        FineTunes,
        FineTuning,
        Images,
        Models,
        Moderations,
        Responses,
        Uploads,
        VectorStores,
    )

__all__ = ["AsyncClient"]

T = TypeVar("T")
R = TypeVar("R")

_SSE_ACCEPT: Final = {"Accept": "text/event-stream"}
# What ``call`` gives back: the result, or (for ``with_raw_response`` and
# ``with_streaming_response``) the HTTP response with the result still to parse.
PARSED: Final = "parsed"
RAW: Final = "raw"
STREAMING: Final = "streaming"


class AsyncClient(SDKSurface):
    """An asyncio-native client for the OpenAI API and OpenAI-compatible servers.

    Arguments left as None come from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
    ``OPENAI_ORG_ID`` and ``OPENAI_PROJECT_ID`` (sent as ``OpenAI-Organization`` and
    ``OpenAI-Project``), read here, when the client is built. A local server may need no
    key: pass ``api_key=""`` to send no ``Authorization`` header at all. Without any
    key, the first request raises ``MissingAPIKeyError``.

    Pass ``transport`` to choose the httpx transport of the pool the client creates
    (the default is an HTTP/1.1 pool of the package's own, on asyncio and trio), or
    ``http_client`` to bring your own ``httpx.AsyncClient`` (you then close it, but
    for a ``DefaultAsyncHttpxClient`` or ``DefaultAioHttpClient``, which ``aclose``
    closes, as the SDK does; its auth, event hooks, headers and redirect settings apply).
    ``default_headers`` go with every request, and ``default_query`` into every
    request's query string; Azure OpenAI, for one, wants ``base_url=
    "https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT"``, ``api_key=""``,
    ``default_headers={"api-key": KEY}`` and ``default_query={"api-version": ...}``.
    ``middleware`` runs around every attempt, outermost first, inside the built-in
    retry and logging steps (see ``_middleware``). ``max_event_size`` caps one line,
    and one event, of a streamed answer (characters; 16 MiB by default): past it the
    stream raises ``StreamTooLargeError`` having held no more than that.
    ``stream_timeout`` (seconds) bounds the whole reading of a streamed body
    (``stream=True``, ``with_streaming_response``, downloads), counted from its
    headers, in place of what is left of the retry policy's ``deadline``; past it the
    stream raises ``APITimeoutError``. None (the default): the deadline covers the
    stream, and without a deadline only the per-read ``timeout`` applies.
    ``max_response_size`` caps a reply read whole (decoded bytes; 256 MiB by default):
    past it ``ResponseTooLargeError``. ``max_error_size`` caps what is read of an
    error body (1 MiB by default): a longer one is cut there, and the status's error
    raised as usual. See docs/limits.md.

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
        project: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
        middleware: Sequence[Middleware] = (),
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        stream_timeout: float | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        max_error_size: int = DEFAULT_MAX_ERROR_SIZE,
    ) -> None:
        if http_client is not None and transport is not None:
            raise InvalidParameterError(
                "transport", "give either transport or http_client, not both"
            )
        self._config = Config.from_arguments(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
            default_query=default_query,
            max_event_size=max_event_size,
            stream_timeout=stream_timeout,
            max_response_size=max_response_size,
            max_error_size=max_error_size,
        )
        self._pool_is_ours = http_client is None  # so its headers are the ones set below
        self._owns_http = http_client is None or _made_for_a_client(http_client)
        if http_client is None:
            if transport is None:
                # Our HTTP/1.1 pool on asyncio and trio (``Pool``), through the proxies
                # the environment names, if any.
                transport = Pool(DEFAULT_LIMITS, proxies=environment_proxies())
            # Our user agent and Accept as the pool's own headers: a request then adds
            # only what differs (auth), not two replacements of httpx's defaults.
            http_client = OwnHTTPClient(
                transport=transport,
                limits=DEFAULT_LIMITS,
                timeout=self._config.timeout,
                headers={"User-Agent": user_agent(), "Accept": "application/json"},
            )
        _origin.install(http_client)
        if transport is None:  # a client of yours: on the pool one of ours made, maybe
            transport = getattr(http_client, "pool", None)
        send = HTTPXSend(http_client, own_pool=isinstance(transport, Pool))
        self._http = http_client
        from ._packing import ServerQuirks  # with the client: the module is rarely needed

        self._quirks: ServerQuirks = ServerQuirks()
        self._middleware: tuple[Middleware, ...] = (Retry(), LogAttempts(), *middleware)
        self._transport_step = send
        self._chain: CallNext = build_chain(self._middleware, send)
        self._mode: str = PARSED
        self._variants: dict[str, AsyncClient] = {}

    @classmethod
    def _derive(cls, parent: AsyncClient, config: Config) -> AsyncClient:
        child = cls.__new__(cls)
        child._config = config
        child._owns_http = False
        child._http = parent._http
        child._pool_is_ours = parent._pool_is_ours
        child._transport_step = parent._transport_step
        child._middleware = parent._middleware
        child._quirks = parent._quirks
        if config.base_url != parent._config.base_url:
            from ._packing import ServerQuirks

            child._quirks = ServerQuirks()  # what one server refuses says nothing of another
        child._chain = parent._chain
        child._mode = parent._mode
        child._variants = {}
        return child

    def _answering(self, mode: str) -> AsyncClient:
        """This client, answering ``call`` with the HTTP response (``with_raw_response``)."""
        if mode == self._mode:
            return self
        variant = self._variants.get(mode)
        if variant is None:
            variant = type(self)._derive(self, self._config)
            variant._mode = mode
            self._variants[mode] = variant
        return variant

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | httpx.URL | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
        max_event_size: int | None = None,
        stream_timeout: float | NotGiven | None = NOT_GIVEN,
        max_response_size: int | None = None,
        max_error_size: int | None = None,
        http_client: None = None,
    ) -> AsyncClient:
        """A variant of this client with other settings, sharing its pool.

        ``timeout=None`` means no timeout, and ``stream_timeout=None`` no limit of
        the stream's own, so leaving these out is marked by a sentinel. ``retry``
        replaces the retry policy; ``max_retries`` changes only its count.
        ``default_headers`` and ``default_query`` are added to this client's. Closing
        the variant does not close the shared pool; close the client it came from.
        ``copy`` is the same method, by the official SDK's other name for it.
        Another ``http_client`` is refused (the SDK takes one here): a variant shares
        the pool, so make a new ``AsyncClient(http_client=...)`` for another.
        """
        if http_client is not None:
            raise InvalidParameterError(
                "http_client",
                "a variant shares this client's pool: for another http_client, make a new "
                "client, AsyncClient(http_client=..., ...)",
            )
        config = self._config
        changes: dict[str, Any] = {}
        if not isinstance(timeout, NotGiven):
            changes["timeout"] = as_timeout(timeout)
        if retry is not None or max_retries is not None:
            changes["retry"] = retry_policy(config.retry, retry, max_retries)
        if base_url is not None:
            changes["base_url"] = base_url
        if default_query is not None:
            changes["default_query"] = {**config.default_query, **default_query}
        if max_event_size is not None:
            changes["max_event_size"] = max_event_size
        if not isinstance(stream_timeout, NotGiven):
            changes["stream_timeout"] = stream_timeout
        if max_response_size is not None:
            changes["max_response_size"] = max_response_size
        if max_error_size is not None:
            changes["max_error_size"] = max_error_size
        who: dict[str, Any] = {}  # only these rebuild (and recheck) the headers
        if api_key is not None:
            who["api_key"] = api_key
        if organization is not None:
            who["organization"] = organization
        if project is not None:
            who["project"] = project
        if default_headers is not None:
            identity = config.identity
            who["default_headers"] = merge_headers(identity.default_headers, default_headers)
        if who:
            changes["identity"] = attrs.evolve(config.identity, **who)
        return type(self)._derive(self, attrs.evolve(config, **changes) if changes else config)

    copy = with_options

    @property
    def base_url(self) -> httpx.URL:
        return _parse_url(self._config.base_url)

    @property
    def api_key(self) -> str | None:
        """The key sent as ``Authorization: Bearer``; ``repr(client)`` never shows it."""
        return self._config.api_key

    @property
    def organization(self) -> str | None:
        return self._config.organization

    @property
    def project(self) -> str | None:
        """Sent as ``OpenAI-Project`` (``project=``, else ``OPENAI_PROJECT_ID``), if set."""
        return self._config.project

    @property
    def timeout(self) -> httpx.Timeout:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    @property
    def retry(self) -> RetryPolicy:
        return self._config.retry

    @property
    def stream_timeout(self) -> float | None:
        """The limit on reading a streamed body, from its headers (None: no limit)."""
        return self._config.stream_timeout

    def __repr__(self) -> str:
        key = self._config.api_key
        key_state = "not set" if key is None else ("empty" if key == "" else "set")
        return (
            f"<AsyncClient base_url={shown_url(self._config.base_url)!r} "
            f"organization={self._config.organization!r} api_key={key_state} "
            f"max_retries={self._config.max_retries}>"
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in or is shared.

        A ``DefaultAsyncHttpxClient`` or ``DefaultAioHttpClient`` passed in is closed
        too, as the official SDK closes its ``http_client``: code written for it makes
        one in the call (``AsyncOpenAI(http_client=DefaultAioHttpClient())``) and keeps
        no other handle to close it by. Any other ``httpx.AsyncClient`` stays open.
        """
        if self._owns_http:
            await self._http.aclose()

    close = aclose  # the official SDK's name

    def is_closed(self) -> bool:
        """Whether the pool this client sends on is closed (the SDK's method)."""
        return self._http.is_closed

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

    @cached_property
    def fine_tuning(self) -> FineTuning:
        from .resources import FineTuning

        return FineTuning(self)

    @cached_property
    def batches(self) -> Batches:
        from .resources import Batches

        return Batches(self)

    @cached_property
    def uploads(self) -> Uploads:
        from .resources import Uploads

        return Uploads(self)

    @cached_property
    def vector_stores(self) -> VectorStores:
        from .resources import VectorStores

        return VectorStores(self)

    @cached_property
    def responses(self) -> Responses:
        from .resources import Responses

        return Responses(self)

    def batch(
        self,
        requests: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
        /,
        **options: Unpack[BatchOptions],
    ) -> BatchJob:
        """A batch job over ``requests``; see ``BatchJob`` for the options.

        Use it as ``async with client.batch(requests, ...) as job: async for r in job``.
        """
        from .jobs import BatchJob

        return BatchJob(self, requests, **options)

    # -- the request path ------------------------------------------------------------

    async def call(self, request: APIRequest[R]) -> R:
        """Send one described request through the full path; its answer, read as described.

        Every endpoint method ends here, and so do packing, batch jobs and pagination:
        base URL, auth, default headers and query, the per-call options, the
        middleware chain, and a typed error for any status but 2xx.
        """
        if self._http.is_closed:
            raise ClientStateError(
                "The client is closed (aclose() or the end of its async with block): "
                "make a new one to send requests."
            )
        mode = self._mode
        http_request = self._http_request(request, stream=request.stream or mode == STREAMING)
        response = await self._chain(http_request)
        if not response.is_success:
            # As the official SDK: a redirect that was not followed (3xx), or a status
            # past 599, is an APIStatusError too, never a body read as the answer.
            from ._decode import error_body

            raise status_error(response, error_body(response))
        if mode == PARSED:
            return request.read(response)
        from ._response import APIResponse, StreamedAPIResponse

        if mode == STREAMING:
            return StreamedAPIResponse(response, request.read)  # type: ignore[return-value]
        return APIResponse(response, request.read)  # type: ignore[return-value]

    @cached_property
    def _sending(self) -> _Sending:
        # What every request of this client shares, worked out once: its Config is frozen
        # and a with_options variant is another AsyncClient.
        config = self._config
        headers: Mapping[str, str] = config.headers
        if self._pool_is_ours:
            pool_headers = self._http.headers
            headers = {n: v for n, v in headers.items() if pool_headers.get(n) != v}
        credentials = (_origin.origin_of(_parse_url(config.base_url)), config.identity.secret_names)
        return _Sending(
            headers=headers,
            options=(config.options(stream=False), config.options(stream=True)),
            credentials=credentials,
            timeout=config.timeout.as_dict(),
        )

    def _http_request(self, request: APIRequest[Any], *, stream: bool) -> httpx.Request:
        config = self._config
        if config.api_key is None:
            raise MissingAPIKeyError(
                "No API key: pass api_key=... or set OPENAI_API_KEY "
                '(use api_key="" for a server that needs none).'
            )
        sending = self._sending
        path = request.path
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = config.base_url + path.lstrip("/")
        options = request.options
        if options:
            from ._request import check_options  # loaded by then: the request came from it

            check_options(options)  # also those given to a method that takes only options
        params = request.query
        extra_query = options.get("extra_query")
        if config.default_query or extra_query:
            params = {**config.default_query, **(params or {}), **(extra_query or {})}
        headers = request.headers
        extra_headers = options.get("extra_headers")
        if extra_headers:
            headers = {**headers, **extra_headers} if headers else extra_headers
        timeout = sending.timeout
        if "timeout" in options and not isinstance(options["timeout"], NotGiven):
            timeout = as_timeout(options["timeout"]).as_dict()
        body = request.body
        extra_body = options.get("extra_body")
        stream_body: MultipartBody | None = None
        if request.form is not None or request.files:
            from ._files import MultipartBody, form_fields

            fields = {**(request.form or {}), **(extra_body or {})}
            stream_body = MultipartBody(form_fields(fields), request.files)
            headers = {**(headers or {}), **stream_body.headers}
        elif extra_body:
            body = {**(body or {}), **extra_body}
        raw = request.httpx_body or {}
        extensions: dict[str, object] = {
            OPTIONS_KEY: sending.options[stream],
            _origin.CREDENTIALS_KEY: sending.credentials,
            # Given here, httpx takes it as it is instead of building it per request.
            "timeout": dict(timeout),
        }
        if request.extensions:
            extensions.update(request.extensions)
        if params:
            from ._request import check_query

            check_query(params)  # httpx would send any other value as its str()
        all_headers = (
            sending.headers if headers is None else merge_headers(sending.headers, headers)
        )
        try:
            http_request = self._http.build_request(
                request.method,
                _parse_url(url),
                params=params,
                json=body,
                **raw,
                headers=all_headers,
                extensions=extensions,
            )
        except (TypeError, ValueError, RecursionError) as exc:
            # The JSON encoder refused a value: name where it is (found only now, so
            # that a body that encodes pays nothing for the search).
            from ._request import refuse_unencodable

            refuse_unencodable(body, exc)
            raise
        if stream_body is not None:
            # Set as the stream itself: passed as content=, httpx would wrap it in an
            # async generator that nobody closes when an upload is cancelled.
            http_request.stream = stream_body
        return http_request

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: Mapping[str, Any] | None = ...,
        content: bytes | None = ...,
        files: Any = ...,
        data: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
        **options: Unpack[RequestOptions],
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Mapping[str, Any] | None = ...,
        content: bytes | None = ...,
        files: Any = ...,
        data: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
        **options: Unpack[RequestOptions],
    ) -> Any: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """Call any endpoint through the full request path (auth, middleware, errors).

        ``path`` is relative to ``base_url`` (``"models"`` or ``"/models"``) or a full
        URL. The answer is the decoded JSON, or with ``cast_to``: ``bytes``, ``str``,
        ``httpx.Response`` (body read), or any model type, e.g. ``types.Model``.
        ``content``, ``files`` and ``data`` go to httpx as they are. The per-call
        options (``extra_headers``, ``extra_body``, ...) apply as on every endpoint
        method.
        """
        # Loaded with the first request (as the resources load them), not with the package.
        from ._decode import decode_json
        from ._request import APIRequest, pop_options, reader

        if headers is not None:
            check_headers(headers, "headers")
        read: Callable[[httpx.Response], Any] = decode_json
        if cast_to is not None:
            read = reader(cast_to)
        given = {"content": content, "files": files, "data": data}
        return await self.call(
            APIRequest(
                method=method,
                path=path,
                read=read,
                body=json,
                httpx_body={k: v for k, v in given.items() if v is not None} or None,
                query=params,
                headers=headers,
                options=pop_options(dict(options)),
            )
        )

    @overload
    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
        end: StreamEnd | None = ...,
        require_done: bool = ...,
        **options: Unpack[RequestOptions],
    ) -> AsyncStream[T]: ...

    @overload
    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Mapping[str, Any] | None = ...,
        headers: Mapping[str, str] | None = ...,
        end: StreamEnd | None = ...,
        require_done: bool = ...,
        **options: Unpack[RequestOptions],
    ) -> AsyncStream[Any]: ...

    async def request_stream(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        end: StreamEnd | None = None,
        require_done: bool = True,
        **options: Unpack[RequestOptions],
    ) -> AsyncStream[Any]:
        """The streaming twin of ``request``: the events of any endpoint, as an AsyncStream.

        Each event's data is decoded JSON, or a ``cast_to`` model. You put ``"stream":
        true`` (or ``params={"stream": "true"}``) in the request yourself, since endpoints
        ask for it differently. ``end`` says how the stream ends (a ``StreamEnd``;
        ``data: [DONE]`` by default); ``require_done=False`` is the short way to say
        that the end of the body ends the iteration quietly.
        """
        from ._models import structurer
        from ._request import APIRequest, pop_options
        from ._streaming import BODY_END, DONE, AsyncStream

        if headers is not None:
            check_headers(headers, "headers")
        decode: Callable[[Any], Any] = _identity if cast_to is None else structurer(cast_to)
        rule = end if end is not None else (DONE if require_done else BODY_END)

        def read(response: httpx.Response) -> AsyncStream[Any]:
            return AsyncStream(response, decode, end=rule)

        return await self.call(
            APIRequest(
                method=method,
                path=path,
                read=read,
                stream=True,
                body=json,
                query=params,
                headers={**_SSE_ACCEPT, **(headers or {})},
                options=pop_options(dict(options)),
            )
        )


class _Sending:
    """The parts of every request that depend only on the client: see ``_sending``."""

    __slots__ = ("credentials", "headers", "options", "timeout")

    def __init__(
        self,
        *,
        headers: Mapping[str, str],
        options: tuple[AttemptOptions, AttemptOptions],
        credentials: _origin.Credentials,
        timeout: dict[str, float | None],
    ) -> None:
        self.headers = headers  # the client's, less those its own pool sends already
        self.options = options  # for a whole answer, for a stream
        self.credentials = credentials
        self.timeout = timeout


def _identity(value: T) -> T:
    return value


def _made_for_a_client(http_client: httpx.AsyncClient) -> bool:
    """Whether ``http_client`` is one of the SDK-named clients, which the client closes."""
    from ._http_client import DefaultAsyncHttpxClient

    return isinstance(http_client, DefaultAsyncHttpxClient)


@functools.lru_cache(maxsize=512)
def _parse_url(url: str) -> httpx.URL:
    # Parsing costs ~10-15 us, a third of building a request, and a client
    # calls the same few URLs again and again. httpx.URL is immutable: safe to share.
    return httpx.URL(url)
