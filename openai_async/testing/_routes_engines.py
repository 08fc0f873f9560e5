"""``GET /v1/engines`` and ``/v1/engines/{id}``: the models, as the old API showed them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import State, error_response, route
from ._http import ServerRequest, ServerResponse, json_response


def _engine(model: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": model["id"],
        "object": "engine",
        "owner": model["owned_by"],
        "ready": True,
        "created": None,
    }


@route("GET", r"/v1/engines")
async def list_engines(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    engines = [_engine(m) for m in state.data["models"].values()]
    return json_response({"object": "list", "data": engines})


@route("GET", r"/v1/engines/(?P<engine_id>[^/]+)")
async def retrieve_engine(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    model = state.data["models"].get(params["engine_id"])
    if model is None:
        return error_response(404, f"No such engine: {params['engine_id']}", param="engine_id")
    return json_response(_engine(model))
