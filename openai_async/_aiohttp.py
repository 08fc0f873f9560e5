"""httpx-aiohttp's transport as an optional choice for heavy concurrency on asyncio.

httpcore's connection pool scans its connections on every request, so its cost grows
with the number in flight; past about a hundred concurrent requests aiohttp's pool is
several times cheaper per request. This module imports neither aiohttp nor
httpx-aiohttp until ``aiohttp_transport()`` is called, so ``import openai_async``
stays light; install them with ``pip install 'openai_async[aiohttp]'``.

aiohttp's exceptions become ours in ``_transport.translate_errors`` like any other.
"""

from __future__ import annotations

import httpx

from ._config import DEFAULT_LIMITS
from ._exceptions import InvalidParameterError

__all__ = ["aiohttp_transport"]

_INSTALL_HINT = "the aiohttp transport needs httpx-aiohttp: pip install 'openai_async[aiohttp]'"


def aiohttp_transport(
    *,
    limits: httpx.Limits = DEFAULT_LIMITS,
    verify: bool | str = True,
) -> httpx.AsyncBaseTransport:
    """An httpx transport that sends on aiohttp's connection pool (asyncio only).

    Pass it as ``AsyncClient(transport=aiohttp_transport())``. ``limits`` defaults to
    the client's own ``DEFAULT_LIMITS``; ``verify`` is httpx's TLS setting (a bool or
    a CA bundle path). Using it under trio raises ``InvalidParameterError`` at the
    first request, before anything is sent.

    One difference from the default transport: when the server closes the connection
    without answering, aiohttp itself resends an idempotent request (GET, DELETE; never
    a POST) once, on a new connection, before the client's own retries count anything.
    """
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError as exc:
        raise ModuleNotFoundError(_INSTALL_HINT) from exc
    return _AsyncioOnly(AiohttpTransport(limits=limits, verify=verify))


class _AsyncioOnly(httpx.AsyncBaseTransport):
    """Refuse, with a clear error, to run aiohttp outside an asyncio event loop.

    Under trio aiohttp would fail deep inside with an unrelated-looking error, or
    worse, hang; the check runs once, since a transport cannot change event loops.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self._checked = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._checked:
            # Imported here: at module level asyncio would add ~15 ms to
            # ``import openai_async``; on asyncio it is already loaded by now.
            import asyncio

            try:
                asyncio.get_running_loop()
            except RuntimeError:
                raise InvalidParameterError(
                    "transport",
                    "the aiohttp transport runs on asyncio only (is this trio?); "
                    "use the default transport there",
                ) from None
            self._checked = True
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __repr__(self) -> str:
        return "<aiohttp transport>"
