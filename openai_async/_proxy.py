"""Proxies as the client's own HTTP/1.1 pools speak to them (``_http11``, ``_asyncio_http``).

A proxy URL from the environment (``_config.Proxies``) is parsed once per pool, into a
``Proxy``: where it listens, whether over TLS, and the ``Proxy-Authorization`` value its
credentials make. A pool keys its connections by ``Route``: the origin, and the proxy in
between if any, so that a connection is reused only for the same target through the
same proxy. An http target goes to the proxy with its absolute form as the request
line; an https one through a ``CONNECT`` tunnel, whose request and whose errors are made
here for both pools. The proxy's credentials go to the proxy alone, and no repr or error
made here shows them.
"""

from __future__ import annotations

import base64
from typing import Final

import httpx

from ._config import Proxies

__all__ = [
    "EARLY_BYTES",
    "NOT_ANSWERED",
    "NOT_HTTP",
    "Origin",
    "Proxy",
    "Route",
    "Via",
    "absolute_target",
    "authority",
    "connect_request",
    "refused",
]

Origin = tuple[bytes, bytes, int]  # scheme, host, port
# Where a connection goes: an origin, directly or through a proxy.
Route = Origin | tuple[bytes, bytes, int, "Proxy"]

# What a pool says of a CONNECT answer it cannot use. None quotes the proxy's words:
# they are not ours to repeat, and may echo what it was sent.
NOT_HTTP: Final = "The proxy's answer to CONNECT is not valid HTTP."
NOT_ANSWERED: Final = "The proxy closed the connection without answering CONNECT."
# The server speaks first in no TLS handshake: nobody asked for these.
EARLY_BYTES: Final = "The proxy sent bytes through the tunnel before it opened."


class Proxy:
    """A proxy: where it listens, whether over TLS, and the credentials its URL holds.

    ``schemes``: the proxy URL schemes the pool speaks to (``http``, and ``https`` for TLS
    to the proxy itself); another is a ``ProxyError``. One per proxy URL, compared by
    identity. Its repr shows no credentials.
    """

    __slots__ = ("authorization", "host", "port", "tls")

    def __init__(self, url: str, schemes: tuple[str, ...] = ("http",)) -> None:
        try:
            parsed: httpx.URL | None = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is None:
            # httpx's message may quote a part of the URL: the credentials, for all we
            # know. Raised here, out of the except block, it is not this one's context.
            raise httpx.ProxyError("The proxy URL from the environment is not valid.")
        if parsed.scheme not in schemes or not parsed.raw_host:
            spoken = " and ".join(f"{scheme}://" for scheme in schemes)
            raise httpx.ProxyError(f"This transport sends through {spoken} proxies only.")
        self.tls = parsed.scheme == "https"
        self.host = parsed.raw_host.decode("ascii")  # IDNA-encoded
        self.port = parsed.port or (443 if self.tls else 80)
        self.authorization: bytes | None = None
        if parsed.username or parsed.password:
            pair = f"{parsed.username}:{parsed.password}".encode()
            self.authorization = b"Basic " + base64.b64encode(pair)

    def __repr__(self) -> str:
        shown = authority(self.host.encode("ascii"), self.port).decode("ascii")
        return f"<proxy {'https://' if self.tls else ''}{shown}>"


class Via:
    """The proxies a pool sends through: for each request, the one the environment names.

    Each proxy URL is parsed at its first request (an invalid one fails that request,
    not the pool's making), and kept.
    """

    __slots__ = ("_parsed", "_schemes", "proxies")

    def __init__(self, proxies: Proxies, schemes: tuple[str, ...] = ("http",)) -> None:
        self.proxies = proxies
        self._schemes = schemes
        self._parsed: dict[str, Proxy] = {}

    def route(self, origin: Origin, url: httpx.URL) -> Route:
        """``origin``, through the proxy ``url`` goes through, if any."""
        proxy_url = self.proxies.for_url(url)
        if proxy_url is None:
            return origin
        proxy = self._parsed.get(proxy_url)
        if proxy is None:
            proxy = self._parsed[proxy_url] = Proxy(proxy_url, self._schemes)
        return (*origin, proxy)


def absolute_target(url: httpx.URL) -> bytes:
    """The request line's target for a proxy that forwards the request: the URL in full."""
    return url.raw_scheme + b"://" + url.netloc + url.raw_path


def connect_request(
    host: bytes, port: int, proxy: Proxy
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The target and headers of a ``CONNECT`` to ``host:port``: the proxy's credentials here."""
    target = authority(host, port)
    headers = [(b"Host", target)]
    if proxy.authorization is not None:
        headers.append((b"Proxy-Authorization", proxy.authorization))
    return target, headers


def refused(proxy: Proxy, target: bytes, status: int) -> httpx.ProxyError:
    """The error for a ``CONNECT`` answered with ``status``, not 2xx: the status alone."""
    return httpx.ProxyError(
        f"The proxy {proxy!r} refused the tunnel to {target.decode('ascii')}: status {status}"
        + (" (it wants other credentials)" if status == 407 else "")
    )


def authority(host: bytes, port: int) -> bytes:
    """``host:port``, an IPv6 address in brackets."""
    return (b"[%s]:%d" if b":" in host else b"%s:%d") % (host, port)
