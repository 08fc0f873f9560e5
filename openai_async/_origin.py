"""Credentials stay with the API's origin: never sent to another host, even on a redirect.

Every request carries, in its extensions, the origin of the client's base URL and the
names of the headers that identify the caller (``Authorization``, ``api-key``,
``OpenAI-Organization``, ``OpenAI-Project`` and every ``default_headers`` name). A
request event hook, run by httpx for every request it sends, redirects included,
removes those headers from any request to another origin. httpx itself strips only
``Authorization`` on a cross-origin redirect; Azure's ``api-key`` went along.
"""

from __future__ import annotations

from typing import Final

import httpx

__all__ = ["CREDENTIALS_KEY", "SECRET_HEADERS", "Credentials", "install", "origin_of"]

CREDENTIALS_KEY: Final = "openai_async.credentials"
SECRET_HEADERS: Final = frozenset(
    {"authorization", "api-key", "openai-organization", "openai-project"}
)

Origin = tuple[str, str, int | None]
Credentials = tuple[Origin, frozenset[str]]  # the home origin, and the names to strip elsewhere


def origin_of(url: httpx.URL) -> Origin:
    return (url.scheme, url.host, url.port)


async def strip_foreign_credentials(request: httpx.Request) -> None:
    """Remove the caller's credentials from a request to another origin than the API's."""
    credentials = request.extensions.get(CREDENTIALS_KEY)
    if credentials is None:
        return
    home, names = credentials
    if origin_of(request.url) != home:
        for name in names:
            request.headers.pop(name, None)


def install(client: httpx.AsyncClient) -> None:
    """Add the hook to ``client`` (ours or the caller's), once."""
    hooks = client.event_hooks["request"]
    if strip_foreign_credentials not in hooks:
        hooks.append(strip_foreign_credentials)
