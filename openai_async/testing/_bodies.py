"""Reading a request's JSON or form body in a route, answering OpenAI's 400 when it is bad.

A route decorated with ``@checked`` raises ``Invalid`` anywhere and the client
gets ``{"error": {"message", "type": "invalid_request_error", "param"}}``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import attrs

from ._app import RouteHandler, State, error_response
from ._http import ServerRequest, ServerResponse
from ._multipart import FormPart, MultipartError, parse_multipart

__all__ = ["Form", "Invalid", "checked", "form_body", "json_body", "optional", "required"]


class Invalid(Exception):
    """A bad request: becomes a 400 (or ``status``) with OpenAI's error body."""

    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.status = status


def checked(handler: RouteHandler) -> RouteHandler:
    @functools.wraps(handler)
    async def run(
        state: State, request: ServerRequest, params: Mapping[str, str]
    ) -> ServerResponse:
        try:
            return await handler(state, request, params)
        except Invalid as exc:
            return error_response(exc.status, exc.message, param=exc.param)

    return run


def json_body(request: ServerRequest) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise Invalid("Expected a JSON body (Content-Type: application/json).")
    try:
        body = json.loads(request.body)
    except ValueError as exc:
        raise Invalid(f"We could not parse the JSON body of your request: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid("The JSON body must be an object.")
    return body


_KINDS: Mapping[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
}


def _check_type(name: str, value: object, kind: type | tuple[type, ...]) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool) and bool not in kinds:
        raise Invalid(f"'{name}' must be {_KINDS.get(kinds[0], kinds[0].__name__)}.", name)
    if not isinstance(value, kinds):
        raise Invalid(f"'{name}' must be {_KINDS.get(kinds[0], kinds[0].__name__)}.", name)
    return value


def required(body: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    if name not in body or body[name] is None:
        raise Invalid(f"'{name}' is a required property", name)
    return _check_type(name, body[name], kind)


def optional(
    body: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any
) -> Any:
    if body.get(name) is None:
        return default
    return _check_type(name, body[name], kind)


@attrs.frozen
class Form:
    """A parsed multipart form: text ``fields`` (numbers converted on demand) and ``files``."""

    fields: dict[str, str]
    files: dict[str, FormPart]
    parts: tuple[FormPart, ...] = ()

    def array(self, name: str) -> list[str] | None:
        """The texts of the ``name[]`` fields (an array in a form), or None if none came."""
        texts = [p.text for p in self.parts if p.name == f"{name}[]" and p.filename is None]
        return texts or None

    def object(self, name: str) -> dict[str, str] | None:
        """The ``name[key]`` fields (an object in a form) as a dict, or None if none came."""
        prefix = f"{name}["
        found = {
            p.name[len(prefix) : -1]: p.text
            for p in self.parts
            if p.name.startswith(prefix) and p.name.endswith("]") and p.filename is None
        }
        return found or None

    def file_list(self, name: str) -> list[FormPart]:
        """The file parts named ``name``, or ``name[]`` (several files), in order."""
        return [p for p in self.parts if p.name in (name, f"{name}[]") and p.filename is not None]

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> Any:
        if name not in self.fields:
            if required:
                raise Invalid(f"'{name}' is a required property", name)
            return default
        return self.fields[name]

    def number(self, name: str, kind: type[int] | type[float], default: Any) -> Any:
        if name not in self.fields:
            return default
        try:
            return kind(self.fields[name])
        except ValueError:
            raise Invalid(f"'{name}' must be a number, got {self.fields[name]!r}.", name) from None

    def file(self, name: str, *, required: bool = True) -> FormPart | None:
        part = self.files.get(name)
        if part is None and required:
            raise Invalid(f"'{name}' is a required property (a file)", name)
        return part


def form_body(request: ServerRequest) -> Form:
    try:
        parts = parse_multipart(request.headers.get("content-type", ""), request.body)
    except MultipartError as exc:
        raise Invalid(f"Could not parse multipart form: {exc}") from exc
    try:
        fields = {p.name: p.text for p in parts if p.filename is None}
    except UnicodeDecodeError as exc:
        raise Invalid(f"A form field is not UTF-8: {exc}") from exc
    files = {p.name: p for p in parts if p.filename is not None}
    return Form(fields, files, tuple(parts))
