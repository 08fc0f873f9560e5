"""The keep-alive pool both HTTP/1.1 transports keep (``_asyncio_http``, ``_http11``).

Its rules, within ``httpx.Limits``:

- Idle connections wait per route (origin, and proxy if any), oldest first. A request
  takes the newest, the likeliest still alive, once the connection agrees it is still
  usable (``Pooled.reuse``: nothing arrived while it was idle); those idle longer than
  ``keepalive_expiry`` are closed when their route is next asked for, not when a burst
  needs them again.
- At most ``max_connections`` are open, idle ones included. At the limit, the oldest idle
  connection of another route is closed to make room; with none idle, a request waits,
  first come first served: one arriving while others wait (woken ones not yet running
  included) waits behind them, and a waiter woken but finding nothing (another woken
  one took it) waits again first in line. One deadline, httpx's ``pool`` timeout, covers
  all the waits of one request together. A waiter woken but leaving (cancelled, timed
  out) passes its turn on to the next in line.
- An answer's connection comes back only when its body was read to its exact end and the
  connection agrees (``Pooled.rest``: the answer ended where its bytes did, and the
  server allows another request); it is kept if fewer than ``max_keepalive_connections``
  are idle or someone waits, closed otherwise.
- The bookkeeping is synchronous between awaits: a connection is idle in its route's
  list, in use (counted open), or closed (counted nowhere), and moves from one to the
  other before any await, so that a cancellation can never leave it counted but lost.
- Once closed, the pool refuses requests: its idle connections are closed, its waiters
  woken to find it so, and a request that was connecting, or checking an idle connection,
  refuses as it resumes (closing the connection it was given).

A transport supplies its connection type (``Pooled``), how a connection is made
(``_connect``) and the clock it keeps the idle times by (``_now``).
"""

from __future__ import annotations

import ssl
from collections import deque
from collections.abc import Mapping
from typing import Generic, Protocol, TypeVar

import anyio
import httpx

from ._config import Proxies
from ._proxy import Origin, Route, Via

__all__ = ["ConnectionPool", "Pooled", "origin"]


class Pooled(Protocol):
    """A connection as the pool sees it: its route, and the transport's say on reuse."""

    route: Route
    idle_since: float  # set by the pool as the connection goes idle

    def rest(self) -> bool:
        """Ready it to wait idle, if its answer ended where its bytes did; False: it cannot."""

    async def reuse(self) -> bool:
        """Ready this idle one for a request, if it is still usable; False: it is not."""

    async def close(self) -> None:
        """Close it now, even within a cancelled scope."""


C = TypeVar("C", bound=Pooled)


def origin(url: httpx.URL) -> Origin:
    """The scheme, host and port of an http or https ``url``."""
    scheme = url.raw_scheme
    if scheme not in (b"http", b"https"):
        raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{url}'.")
    return scheme, url.raw_host, url.port or (443 if scheme == b"https" else 80)


class ConnectionPool(Generic[C]):
    """Connections of type ``C`` per route, within ``limits``; see the module's rules.

    ``ssl_context`` for https (and TLS proxies): httpx's default (certifi's CA bundle)
    unless given. ``proxies``: the proxy, if any, each request goes through, among those
    of the ``proxy_schemes`` the transport speaks to.
    """

    _kind = "HTTP/1.1"  # how the repr names the transport

    def __init__(
        self,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None,
        proxies: Proxies | None,
        proxy_schemes: tuple[str, ...],
    ) -> None:
        self._max_connections = limits.max_connections
        self._max_keepalive = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._ssl_context = ssl_context  # else loaded at the first https request
        self._proxies = proxies
        self._via = None if proxies is None else Via(proxies, proxy_schemes)
        # Per route, oldest first: reuse takes the newest, expiry closes the oldest.
        self._idle: dict[Route, deque[C]] = {}
        self._idle_count = 0
        self._open = 0  # connections made and not yet closed, idle ones included
        self._waiters: deque[anyio.Event] = deque()
        self._closed = False

    def __repr__(self) -> str:
        via = "" if self._proxies is None else f", via {self._proxies!r}"
        return f"<{self._kind} pool: {self._open} open, {self._idle_count} idle{via}>"

    def counts(self) -> tuple[int, int]:
        """(connections in use or waited for, idle connections)."""
        return self._open - self._idle_count + len(self._waiters), self._idle_count

    async def aclose(self) -> None:
        self._closed = True
        idle: list[C] = []
        for connections in self._idle.values():
            idle += connections
            connections.clear()  # a request holding the list across an await finds it empty
        self._idle.clear()
        self._idle_count = 0
        self._open -= len(idle)
        for event in self._waiters:
            event.set()  # they find the pool closed (and leave the line themselves)
        for connection in idle:
            await connection.close()

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            # httpx's own (certifi's CA bundle), so that every transport trusts the
            # same servers; loading it takes tens of ms, once.
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    # -- what the transport supplies ----------------------------------------------------

    async def _connect(self, route: Route, within: float | None) -> C:
        """A new connection for ``route``, made within ``within`` (a tunnel's too)."""
        raise NotImplementedError

    def _now(self) -> float:
        """The clock of idle times and of the pool timeout's deadline, in seconds."""
        raise NotImplementedError

    # -- the rules -------------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, url: httpx.URL, timeouts: Mapping[str, float | None]
    ) -> C:
        """A connection for ``url`` (at ``origin``), idle or new, counted in use.

        After each await, a pool closed meanwhile refuses: what the request holds then
        (a connection reused or made) is closed and no longer counted.
        """
        route = origin if self._via is None else self._via.route(origin, url)
        wait_until: float | None = None  # the pool timeout covers all the waits together
        if self._waiters and not self._closed:  # others wait: first come, first served
            wait_until = self._deadline(timeouts)
            await self._wait(wait_until, first=False)
        while True:
            if self._closed:
                raise _closed()
            idle = self._idle.get(route)
            if idle:
                if self._expiry is not None:
                    oldest = self._now() - self._expiry
                    while idle and idle[0].idle_since < oldest:
                        self._idle_count -= 1
                        await self._drop(idle.popleft())
                        if self._closed:
                            raise _closed()
                while idle:
                    connection = idle.pop()  # the most recently used: the likeliest alive
                    self._idle_count -= 1
                    try:
                        usable = await connection.reuse()
                    except BaseException:
                        await self._drop(connection)
                        raise
                    if usable and not self._closed:
                        return connection
                    await self._drop(connection)
                    if self._closed:
                        raise _closed()
            making_way: C | None = None
            if self._max_connections is None or self._open < self._max_connections:
                self._open += 1
            elif self._idle_count:
                # Full, but with idle connections on other routes: the oldest makes way, its
                # place in the count going to this request's new connection (not to another
                # request while it closes).
                for connections in self._idle.values():
                    if connections:
                        making_way = connections.popleft()
                        self._idle_count -= 1
                        break
            else:
                if wait_until is None:
                    wait_until = self._deadline(timeouts)
                # Nothing free: wait first in line, before those who came while this one
                # looked (a woken waiter beaten to its connection by another keeps its place).
                await self._wait(wait_until, first=True)
                continue
            made: C | None = None
            try:
                if making_way is not None:
                    await making_way.close()
                    if self._closed:
                        raise _closed()
                made = await self._connect(route, timeouts.get("connect"))
                if self._closed:  # as it connected: the connection is never used
                    raise _closed()
            except BaseException:
                self._open -= 1
                self._wake()
                if made is not None:
                    await made.close()
                raise
            return made

    def _deadline(self, timeouts: Mapping[str, float | None]) -> float:
        """When the pool timeout of a request that starts waiting now runs out."""
        pool_timeout = timeouts.get("pool")
        return self._now() + (float("inf") if pool_timeout is None else pool_timeout)

    async def _wait(self, until: float, first: bool) -> None:
        """Wait in line (at its front if ``first``) to be woken, until ``until`` at most.

        A woken waiter stays in line until it runs, so that a request arriving in between
        finds it there and waits behind it.
        """
        event = anyio.Event()
        if first:
            self._waiters.appendleft(event)
        else:
            self._waiters.append(event)
        try:
            with anyio.fail_after(until - self._now()):
                await event.wait()
        except BaseException as exc:
            self._waiters.remove(event)
            if event.is_set():
                self._wake()  # woken, but leaving: the turn goes to the next in line
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout("No connection became free in time.") from exc
            raise
        self._waiters.remove(event)
        if self._waiters and self._free() > 1:
            self._wake()  # more is free than this one needs: the next in line may come too

    def _free(self) -> float:
        """How many requests could be served now without waiting: idle ones, and room."""
        if self._max_connections is None:
            return float("inf")
        return self._idle_count + self._max_connections - self._open

    def _wake(self) -> None:
        """Wake the first in line not woken yet."""
        if self._waiters:
            for event in self._waiters:
                if not event.is_set():
                    event.set()
                    return

    def _release(self, connection: C, done: bool) -> bool:
        """Keep a connection whose answer was read to its exact end (``done``), if it may.

        False: it is no longer counted, and the caller closes it.
        """
        if (
            done
            and not self._closed
            and (
                self._max_keepalive is None
                or self._idle_count < self._max_keepalive
                or self._waiters
            )
            and connection.rest()
        ):
            connection.idle_since = self._now()
            idle = self._idle.get(connection.route)
            if idle is None:
                idle = self._idle[connection.route] = deque()
            idle.append(connection)
            self._idle_count += 1
            self._wake()
            return True
        self._open -= 1
        self._wake()
        return False

    async def _drop(self, connection: C) -> None:
        """Close a connection that is counted open and in no idle list."""
        self._open -= 1
        self._wake()
        await connection.close()


def _closed() -> RuntimeError:
    return RuntimeError("Cannot send a request, as the transport has been closed.")
