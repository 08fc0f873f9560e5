"""``/v1/models``: list, retrieve, delete."""

from __future__ import annotations

from collections.abc import Mapping

from ._app import State, error_response, route
from ._http import ServerRequest, ServerResponse, json_response


def _not_found(model: str) -> ServerResponse:
    return error_response(
        404, f"The model '{model}' does not exist", param="model", code="model_not_found"
    )


@route("GET", r"/v1/models")
async def list_models(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    return json_response({"object": "list", "data": list(state.data["models"].values())})


@route("GET", r"/v1/models/(?P<model>[^/]+)")
async def retrieve_model(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    model = state.data["models"].get(params["model"])
    return _not_found(params["model"]) if model is None else json_response(model)


@route("DELETE", r"/v1/models/(?P<model>[^/]+)")
async def delete_model(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    model_id = params["model"]
    if state.data["models"].pop(model_id, None) is None:
        return _not_found(model_id)
    return json_response({"id": model_id, "object": "model", "deleted": True})
