"""``POST /v1/embeddings``: unit vectors derived from a hash of each input.

Vectors have ``DIMENSIONS`` values, or ``dimensions`` when the request asks (as
text-embedding-3 models do; text-embedding-ada-002 refuses it, as the service does).
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Mapping
from typing import Any

from ._app import State, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._http import ServerRequest, ServerResponse, json_response

DIMENSIONS = 8
MAX_DIMENSIONS = 3072  # text-embedding-3-large's full size
# The models that cannot shorten their vectors.
FIXED_SIZE_MODELS = frozenset({"text-embedding-ada-002"})


def embedding_vector(item: str | list[int], dimensions: int = DIMENSIONS) -> list[float]:
    """The same input always gives the same float32-exact unit vector of ``dimensions``."""
    key = json.dumps(item).encode()
    digest = hashlib.sha256(key).digest()
    if dimensions > len(digest):
        digest = hashlib.shake_256(key).digest(dimensions)
    raw = [(b - 127.5) / 127.5 for b in digest[:dimensions]]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    # Rounded through float32, so the base64 form decodes to exactly the same floats.
    packed = struct.pack(f"<{dimensions}f", *(x / norm for x in raw))
    return list(struct.unpack(f"<{dimensions}f", packed))


def _inputs(value: Any) -> list[str | list[int]]:
    def is_int(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(x, str) and x for x in value):
            return list(value)
        if all(is_int(x) for x in value):
            return [value]
        if all(isinstance(x, list) and x and all(is_int(t) for t in x) for x in value):
            return list(value)
    raise Invalid(
        "'input' must be a non-empty string, or a non-empty list of non-empty strings, "
        "of token ids, or of non-empty token-id lists.",
        "input",
    )


@route("POST", r"/v1/embeddings")
@checked
async def create_embeddings(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    model = required(body, "model", str)
    inputs = _inputs(body.get("input"))
    encoding = optional(body, "encoding_format", str, "float")
    if encoding not in ("float", "base64"):
        raise Invalid(f"'{encoding}' is not one of ['float', 'base64']", "encoding_format")
    optional(body, "user", str, None)
    dimensions = optional(body, "dimensions", int, DIMENSIONS)
    if "dimensions" in body and model in FIXED_SIZE_MODELS:
        raise Invalid("This model does not support specifying dimensions.", "dimensions")
    if not 1 <= dimensions <= MAX_DIMENSIONS:
        raise Invalid(
            f"{dimensions} is not valid for 'dimensions': from 1 to {MAX_DIMENSIONS}.",
            "dimensions",
        )
    data = []
    for index, item in enumerate(inputs):
        vector = embedding_vector(item, dimensions)
        encoded: object = vector
        if encoding == "base64":
            encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    if state.out_of_order:
        data.reverse()
    tokens = sum(len(x.split()) if isinstance(x, str) else len(x) for x in inputs)
    return json_response(
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )
