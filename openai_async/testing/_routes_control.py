"""``/_control/*``: drive an out-of-process server (faults, reset, statistics)."""

from __future__ import annotations

from collections.abc import Mapping

from ._app import Fault, State, error_response, route
from ._http import ServerRequest, ServerResponse, json_response


@route("POST", r"/_control/faults")
async def add_fault(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    try:
        fault = Fault(**request.json())
    except (TypeError, ValueError) as exc:
        return error_response(400, f"Bad fault: {exc}")
    state.add_fault(fault)
    return json_response({"ok": True})


@route("POST", r"/_control/reset")
async def reset(state: State, request: ServerRequest, params: Mapping[str, str]) -> ServerResponse:
    state.reset()
    return json_response({"ok": True})


@route("GET", r"/_control/stats")
async def stats(state: State, request: ServerRequest, params: Mapping[str, str]) -> ServerResponse:
    return json_response({"requests": len(state.requests)})


@route("POST", r"/_control/rate_limit")
async def set_rate_limit(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    from ._limits import ServerRateLimit

    try:
        state.rate_limit = ServerRateLimit(**request.json())
    except (TypeError, ValueError) as exc:
        return error_response(400, f"Bad rate limit: {exc}")
    return json_response({"ok": True})


@route("GET", r"/_control/rate_limit")
async def rate_limit_stats(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    limit = state.rate_limit
    if limit is None:
        return error_response(404, "No rate limit is set")
    return json_response(
        {
            "arrivals": len(limit.arrivals),
            "rejected": limit.rejected,
            "busiest_window": limit.busiest_window(),
            "first_arrival": min(limit.arrivals, default=None),
            "last_arrival": max(limit.arrivals, default=None),
        }
    )
