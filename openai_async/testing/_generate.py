"""The local server's "model": deterministic text derived from the prompt.

Tokens are words with their trailing spaces, so usage numbers are real counts of
what was sent and what came back, and a test can predict every answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["check_sampling", "count_tokens", "generate", "tokenize"]

_TOKEN: Final = re.compile(r"\s*\S+|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into tokens (words with their leading spaces); joining restores it."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


def generate(
    text: str, *, max_tokens: int | None, stop: str | Sequence[str] | None
) -> tuple[list[str], str]:
    """The tokens of ``text`` cut at the first stop sequence or at ``max_tokens``.

    Returns the tokens and the finish reason: ``stop`` (ended or hit a stop sequence)
    or ``length`` (``max_tokens`` reached first).
    """
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut]
    tokens = tokenize(text)
    if max_tokens is not None and len(tokens) > max_tokens:
        return tokens[:max_tokens], "length"
    return tokens, "stop"


def check_sampling(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (param, message) of the first malformed shared parameter, if any."""
    n = body.get("n", 1)
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128):
        return "n", "n must be an integer from 1 to 128"
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 0):
        return "max_tokens", "max_tokens must be a non-negative integer"
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str):
        if not isinstance(stop, list) or not 1 <= len(stop) <= 4:
            return "stop", "stop must be a string or a list of 1 to 4 strings"
        if not all(isinstance(s, str) for s in stop):
            return "stop", "stop must be a string or a list of 1 to 4 strings"
    return None


def instance_of(schema: object, text: str, defs: Mapping[str, Any] | None = None) -> Any:
    """A deterministic value that fits a JSON schema (the subset structured outputs use).

    Strings are ``text``, numbers count its words, arrays hold one item, objects every
    property (``$ref`` into ``$defs``, ``anyOf`` takes its first non-null branch).
    """
    if not isinstance(schema, Mapping):
        return text
    defs = {**(defs or {}), **schema.get("$defs", {}), **schema.get("definitions", {})}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return instance_of(defs.get(ref.rsplit("/", 1)[-1], {}), text, defs)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        branches = [b for b in schema.get(key, []) if b.get("type") != "null"]
        if branches:
            return instance_of(branches[0], text, defs)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: instance_of(sub, text, defs) for name, sub in properties.items()}
    if kind == "array":
        return [instance_of(schema.get("items", {}), text, defs)]
    if kind == "integer":
        return count_tokens(text)
    if kind == "number":
        return float(count_tokens(text))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return text
