"""``AsyncAzureOpenAI``: the client, speaking to Azure OpenAI as the official SDK's does.

What differs from OpenAI is all in the URL and the credentials, so this is the client
with those set: the base URL is ``{azure_endpoint}/openai`` (or
``.../openai/deployments/{azure_deployment}``), every request carries
``?api-version=``, and the key goes out as Azure's ``api-key`` header, or an Entra ID
(Azure AD) token as ``Authorization: Bearer``, fixed or fetched from a provider for
each attempt. As in the SDK, the endpoints Azure serves per deployment
(``chat/completions``, ``embeddings``, ...) are sent to ``deployments/{model}/...``
when the client names no deployment, and the others (``models``, ``files``, ...) to
``{azure_endpoint}/openai/...`` when it does.

Credentials never show: not in ``repr``, not in an error's message (``api-key`` and
``Authorization`` are redacted as for any client), and they are not sent to another
origin, even on a redirect (``_origin``).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import httpx

from ._bodies import DEFAULT_MAX_ERROR_SIZE, DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_RESPONSE_SIZE
from ._client import AsyncClient
from ._config import DEFAULT_TIMEOUT, check_headers, shown_url
from ._exceptions import InvalidParameterError, MissingAPIKeyError, shown

if TYPE_CHECKING:
    from ._backoff import RetryPolicy
    from ._config import Config, TimeoutTypes
    from ._middleware import CallNext, Middleware
    from ._request import APIRequest

__all__ = ["AsyncAzureADTokenProvider", "AsyncAzureOpenAI"]

AsyncAzureADTokenProvider = Callable[[], "str | Awaitable[str]"]

# The paths Azure serves under a deployment (the SDK's list).
_DEPLOYMENT_PATHS: Final = frozenset(
    {
        "completions",
        "chat/completions",
        "embeddings",
        "audio/transcriptions",
        "audio/translations",
        "audio/speech",
        "images/generations",
        "images/edits",
    }
)


@attrs.frozen
class _Azure:
    """Where an Azure client sends, beyond its base URL; and how it authenticates (shown)."""

    endpoint: str | None  # without a trailing "/"; None when a base_url was given
    deployment: str | None  # the deployment in the base URL, if the client names one
    api_version: str
    auth: str  # "api-key", "azure_ad_token" or "azure_ad_token_provider", for repr


class AsyncAzureOpenAI(AsyncClient):
    """The client for Azure OpenAI: the official SDK's ``AsyncAzureOpenAI``, same arguments.

    ::

        client = AsyncAzureOpenAI(
            azure_endpoint="https://NAME.openai.azure.com",
            api_version="2024-10-21",
            api_key=KEY,  # or azure_ad_token=..., or azure_ad_token_provider=...
        )
        await client.chat.completions.create(model="my-deployment", messages=...)

    Left out, ``api_key`` comes from ``$AZURE_OPENAI_API_KEY`` (unless
    ``$AZURE_OPENAI_AD_TOKEN`` gives a token), ``azure_endpoint`` from
    ``$AZURE_OPENAI_ENDPOINT`` and ``api_version`` from ``$OPENAI_API_VERSION``. Give
    one credential only. ``azure_ad_token_provider`` is called (and awaited if it
    returns an awaitable) before every attempt, so a token it refreshes is picked up
    by retries. ``base_url`` instead of ``azure_endpoint`` is taken as it is. The
    other arguments are ``AsyncClient``'s. Bad or missing arguments raise before
    anything is sent: ``InvalidParameterError`` naming the argument,
    ``MissingAPIKeyError`` when there is no credential at all.
    """

    _azure: _Azure

    def __init__(
        self,
        *,
        azure_endpoint: str | None = None,
        azure_deployment: str | None = None,
        api_version: str | None = None,
        api_key: str | None = None,
        azure_ad_token: str | None = None,
        azure_ad_token_provider: AsyncAzureADTokenProvider | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | None = None,
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
        given = [
            name
            for name, value in (
                ("api_key", api_key),
                ("azure_ad_token", azure_ad_token),
                ("azure_ad_token_provider", azure_ad_token_provider),
            )
            if value is not None
        ]
        if len(given) > 1:
            raise InvalidParameterError(given[1], f"give only one of {', '.join(given)}")
        if not given:
            azure_ad_token = os.environ.get("AZURE_OPENAI_AD_TOKEN")
            api_key = None if azure_ad_token is not None else os.environ.get("AZURE_OPENAI_API_KEY")
        headers = dict(default_headers or {})
        if api_key is not None:
            headers["api-key"] = _check_credential("api_key", "api-key", api_key)
            auth = "api-key"
        elif azure_ad_token is not None:
            headers["Authorization"] = _check_credential(
                "azure_ad_token", "Authorization", azure_ad_token
            )
            auth = "azure_ad_token"
        elif azure_ad_token_provider is not None:
            if not callable(azure_ad_token_provider):
                raise InvalidParameterError(
                    "azure_ad_token_provider",
                    f"expected a function returning a token, got {shown(azure_ad_token_provider)}",
                )
            middleware = (*middleware, _BearerFrom(azure_ad_token_provider))
            auth = "azure_ad_token_provider"
        else:
            raise MissingAPIKeyError(
                "No Azure credentials: pass api_key, azure_ad_token or azure_ad_token_provider, "
                "or set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN."
            )

        if api_version is None:
            api_version = os.environ.get("OPENAI_API_VERSION")
        if not isinstance(api_version, str) or not api_version:
            raise InvalidParameterError(
                "api_version",
                "required (e.g. api_version='2024-10-21'), or set OPENAI_API_VERSION",
            )
        endpoint: str | None = None
        if base_url is None:
            if azure_endpoint is None:
                azure_endpoint = os.environ.get("AZURE_OPENAI_ENDPOINT")
            if not isinstance(azure_endpoint, str) or not azure_endpoint:
                raise InvalidParameterError(
                    "azure_endpoint",
                    "required (https://NAME.openai.azure.com), or set AZURE_OPENAI_ENDPOINT, "
                    "or give base_url",
                )
            endpoint = azure_endpoint.rstrip("/")
            base_url = f"{endpoint}/openai"
            if azure_deployment is not None:
                from .resources._base import path_param

                base_url += f"/deployments/{path_param('azure_deployment', azure_deployment)}"
        elif azure_endpoint is not None:
            raise InvalidParameterError("base_url", "give base_url or azure_endpoint, not both")
        query = {**(default_query or {}), "api-version": api_version}
        super().__init__(
            api_key="",  # no Authorization: Bearer of OpenAI's; the headers above instead
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            http_client=http_client,
            transport=transport,
            default_headers=headers,
            default_query=query,
            middleware=middleware,
            max_event_size=max_event_size,
            stream_timeout=stream_timeout,
            max_response_size=max_response_size,
            max_error_size=max_error_size,
        )
        deployment = azure_deployment if endpoint is not None else None
        self._azure = _Azure(endpoint, deployment, api_version, auth)

    @classmethod
    def _derive(cls, parent: AsyncClient, config: Config) -> AsyncClient:
        child = super()._derive(parent, config)
        if isinstance(child, AsyncAzureOpenAI) and isinstance(parent, AsyncAzureOpenAI):
            azure = parent._azure
            if config.base_url != parent._config.base_url:
                # Another base URL: the deployment routing was the old one's.
                azure = attrs.evolve(azure, endpoint=None, deployment=None)
            child._azure = azure
        return child

    def with_options(
        self,
        *,
        api_key: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> AsyncAzureOpenAI:
        """``AsyncClient.with_options``; ``api_key`` replaces the ``api-key`` header."""
        if api_key is not None:
            key = _check_credential("api_key", "api-key", api_key)
            default_headers = {**(default_headers or {}), "api-key": key}
        variant = super().with_options(default_headers=default_headers, **options)
        return cast(AsyncAzureOpenAI, variant)  # _derive keeps the class

    copy = with_options

    @property
    def api_key(self) -> str | None:
        """The key sent as Azure's ``api-key`` header (None with a token instead)."""
        return self._config.identity.default_headers.get("api-key")

    @property
    def api_version(self) -> str:
        return self._azure.api_version

    def __repr__(self) -> str:
        azure = self._azure
        return (
            f"<AsyncAzureOpenAI base_url={shown_url(self._config.base_url)!r} "
            f"api_version={azure.api_version!r} auth={azure.auth} "
            f"max_retries={self._config.max_retries}>"
        )

    def _http_request(self, request: APIRequest[Any], *, stream: bool) -> httpx.Request:
        path = request.path.lstrip("/")
        azure = self._azure
        if path.startswith(("http://", "https://")):
            pass
        elif path in _DEPLOYMENT_PATHS:
            model = (request.body or request.form or {}).get("model")
            if isinstance(model, str) and "/deployments/" not in self._config.base_url:
                from .resources._base import path_param

                path = f"deployments/{path_param('model', model)}/{path}"
                request = attrs.evolve(request, path=path)
        elif azure.deployment is not None and azure.endpoint is not None:
            # Not served per deployment: under the endpoint, outside the deployment.
            request = attrs.evolve(request, path=f"{azure.endpoint}/openai/{path}")
        return super()._http_request(request, stream=stream)


def _check_credential(param: str, header: str, value: object) -> str:
    """``value`` as the ``header`` it is sent in; refused, never shown, if it cannot be."""
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(param, "expected a non-empty str (not shown)")
    sent = f"Bearer {value}" if header == "Authorization" else value
    check_headers({header: sent}, param)
    return sent


@attrs.frozen
class _BearerFrom:
    """Middleware: ``Authorization: Bearer`` with a token from the provider, each attempt."""

    provider: AsyncAzureADTokenProvider

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        token: object = self.provider()
        if inspect.isawaitable(token):
            token = await token
        param = "azure_ad_token_provider"
        request.headers["Authorization"] = _check_credential(param, "Authorization", token)
        return await call_next(request)
