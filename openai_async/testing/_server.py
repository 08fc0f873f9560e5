"""``LocalServer``: the local OpenAI-compatible server, in a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from types import TracebackType

from ._app import App, Fault, State, StreamAction
from ._http import HTTPServer, ServerRequest
from ._limits import ServerRateLimit

__all__ = ["LocalServer", "serve"]


class LocalServer:
    """An OpenAI-compatible server on a loopback port, for tests and demos.

    It runs its own event loop in a daemon thread, so it serves asyncio and trio
    tests alike and keeps speaking real HTTP over real sockets::

        with LocalServer() as server:
            client = AsyncClient(base_url=server.url, api_key="")
            server.inject(status=503, times=2)   # the next two requests fail

    ``api_key`` makes the server demand that bearer key (401 otherwise).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        record: bool = True,
    ) -> None:
        self.state = State(api_key=api_key, record=record)
        self._http = HTTPServer(App(self.state), host, port)
        self._host = host
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> LocalServer:
        """Start serving; returns once the port accepts connections."""
        ready = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            try:
                await self._http.start()
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            await self._stopped.wait()
            await self._http.close()

        self._thread = threading.Thread(
            target=asyncio.run, args=(main(),), name="openai_async-local-server", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests use --------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        """The base URL to give the client, ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self._host}:{self.port}/v1"

    @property
    def requests(self) -> list[ServerRequest]:
        """Every request received since the last ``reset()`` (control calls aside)."""
        return self.state.requests

    @property
    def connections_opened(self) -> int:
        return self._http.connections_opened

    @property
    def connections_open(self) -> int:
        return self._http.connections_open

    def inject(
        self,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: object = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        reset: bool = False,
        stall_body: float = 0.0,
        event_delay: float = 0.0,
        write_size: int | None = None,
        keepalive: bool = False,
        stream_action: StreamAction | None = None,
        after_events: int = 0,
        stall: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` matching requests misbehave (see ``Fault``).

        The last six arguments shape streamed answers: pacing, writes cut at any byte,
        keep-alive comments, and an abort, clean end, error event, invalid event or
        stall after ``after_events`` events.
        """
        fault = Fault(
            status=status,
            headers=dict(headers or {}),
            body=body,
            delay=delay,
            drop=drop,
            times=times,
            path=path,
            method=method,
            reset=reset,
            stall_body=stall_body,
            event_delay=event_delay,
            write_size=write_size,
            keepalive=keepalive,
            stream_action=stream_action,
            after_events=after_events,
            stall=stall,
        )
        return self.state.add_fault(fault)

    def set_rate_limit(
        self, *, requests: int | None = None, tokens: int | None = None, window: float = 60.0
    ) -> ServerRateLimit:
        """Enforce requests and tokens per sliding ``window`` seconds until ``reset()``.

        Answers then carry the ``x-ratelimit-*`` headers, and requests over a limit get
        429 with ``retry-after``; the returned object counts arrivals and rejections.
        """
        limit = ServerRateLimit(requests=requests, tokens=tokens, window=window)
        self.state.rate_limit = limit
        return limit

    def configure_batches(
        self,
        *,
        delay: float = 0.0,
        request_delay: float = 0.0,
        expires_after: float = 24 * 3600.0,
        max_requests: int = 50_000,
    ) -> None:
        """How ``/v1/batches`` runs batches until ``reset()`` (see ``BatchSettings``).

        ``delay`` seconds validating, ``request_delay`` seconds per request, expiry
        ``expires_after`` seconds after creation, at most ``max_requests`` per batch.
        """
        from ._routes_batches import BatchSettings

        self.state.data["batch_settings"] = BatchSettings(
            delay=delay,
            request_delay=request_delay,
            expires_after=expires_after,
            max_requests=max_requests,
        )

    def configure_fine_tuning(self, *, step_seconds: float = 0.01) -> None:
        """How fast ``/v1/fine_tuning/jobs`` jobs run until ``reset()``: a step (an event)
        every ``step_seconds`` they are not paused (see ``FineTuningSettings``)."""
        from ._routes_fine_tuning import FineTuningSettings

        self.state.data["fine_tuning_settings"] = FineTuningSettings(step_seconds=step_seconds)

    def reset(self) -> None:
        """Forget faults and recorded requests and restore the initial data."""
        self.state.reset()

    def __repr__(self) -> str:
        where = self.url if self._thread is not None else "stopped"
        return f"<LocalServer {where}>"


async def serve(host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None) -> None:
    """Serve in the current event loop until cancelled (``python -m openai_async.testing``)."""
    server = HTTPServer(App(State(api_key=api_key, record=False)), host, port)
    await server.start()
    print(f"openai_async local server on http://{host}:{server.port}/v1", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
