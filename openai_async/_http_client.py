"""httpx clients on the package's own transports, for ``AsyncClient(http_client=...)``.

``AsyncClient()`` makes its pool itself; these make one with settings of yours (other
limits, a CA bundle, a client certificate) and keep the package's transport under it,
where a plain ``httpx.AsyncClient`` would put httpcore's. The names are the official
SDK's, so code that builds its ``http_client`` with them moves over with the import.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from ._config import DEFAULT_LIMITS, DEFAULT_TIMEOUT, environment_proxies
from ._transport import OwnHTTPClient, Pool

__all__ = ["DefaultAioHttpClient", "DefaultAsyncHttpxClient"]

Verify = ssl.SSLContext | str | bool


class DefaultAsyncHttpxClient(OwnHTTPClient):
    """An ``httpx.AsyncClient`` on the package's own HTTP/1.1 pool, set up your way.

    ``limits`` bound the pool (``DEFAULT_LIMITS`` unless given). ``verify`` (True, False
    or an ``ssl.SSLContext``; a CA bundle's path too, which httpx deprecates) and
    ``cert`` (a client certificate) set its TLS, as httpx's arguments of those names
    do. Proxies come from the environment, as for ``AsyncClient()``; with
    ``trust_env=False`` neither proxies nor ``SSL_CERT_FILE`` are read. Pass it as
    ``AsyncClient(http_client=...)``; closing that client closes it too, as the SDK's
    ``AsyncOpenAI`` closes its ``http_client``::

        http = DefaultAsyncHttpxClient(
            verify=ssl.create_default_context(cafile="/etc/ssl/my-ca.pem"),
            limits=httpx.Limits(max_connections=500, max_keepalive_connections=100),
        )
        client = AsyncClient(base_url="https://vllm.internal/v1", http_client=http)

    Every other argument is ``httpx.AsyncClient``'s, ``timeout`` defaulting to
    ``DEFAULT_TIMEOUT``. Given ``transport``, ``proxy`` or ``mounts``, httpx's own
    choice of transport applies and no pool is made here (``pool`` is None).
    """

    def __init__(
        self,
        *,
        verify: Verify = True,
        cert: Any = None,
        trust_env: bool = True,
        limits: httpx.Limits = DEFAULT_LIMITS,
        timeout: Any = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self.pool: Pool | None = None
        if not any(kwargs.get(name) for name in ("transport", "proxy", "mounts")):
            context = _ssl_context(verify, cert, trust_env)
            kwargs["transport"] = self._own_transport(limits, context, trust_env)
        super().__init__(
            verify=verify, cert=cert, trust_env=trust_env, limits=limits, timeout=timeout, **kwargs
        )

    def _own_transport(
        self, limits: httpx.Limits, context: ssl.SSLContext | None, trust_env: bool
    ) -> httpx.AsyncBaseTransport:
        proxies = environment_proxies() if trust_env else None
        self.pool = Pool(limits, proxies=proxies, ssl_context=context)
        return self.pool


class DefaultAioHttpClient(DefaultAsyncHttpxClient):
    """An ``httpx.AsyncClient`` on aiohttp's pool (``aiohttp_transport()``), asyncio only.

    The arguments are ``DefaultAsyncHttpxClient``'s, but proxies from the environment
    are not read (``trust_env`` is for ``SSL_CERT_FILE`` only).
    """

    def _own_transport(
        self, limits: httpx.Limits, context: ssl.SSLContext | None, trust_env: bool
    ) -> httpx.AsyncBaseTransport:
        from ._aiohttp import aiohttp_transport

        return aiohttp_transport(limits=limits, verify=context or True)


def _ssl_context(verify: Verify, cert: Any, trust_env: bool) -> ssl.SSLContext | None:
    """The TLS context these settings call for; None for the pools' default (the same)."""
    if verify is True and cert is None and trust_env:
        return None  # made at the first https request: loading the CA bundle is slow
    return httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
