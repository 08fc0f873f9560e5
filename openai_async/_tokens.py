"""Token estimates for rate limiting, made from the request alone.

The prompt side is counted with a pluggable text counter (about four characters per
token by default; pass e.g. a tiktoken encoder's length for exact counts). The
completion side is the budget the request itself asks for: ``max_tokens`` times
``n`` (or ``best_of``), with the completions endpoint's documented default of 16.
A chat request without ``max_tokens`` has no stated budget, so nothing is guessed for
it: the job charges the prompt now and settles with the real usage afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

from ._exceptions import InvalidParameterError

__all__ = ["TokenCounter", "approximate_tokens", "estimate_request_tokens"]

TokenCounter = Callable[[str], int]

COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # the API's documented default for /completions
_PER_MESSAGE_OVERHEAD = 4  # role and separators that a chat message costs


def approximate_tokens(text: str) -> int:
    """About four characters per token: OpenAI's rule of thumb for English text."""
    return math.ceil(len(text) / 4)


def _is_list(value: object) -> TypeGuard[Sequence[Any]]:
    """A list, tuple or other sequence; a str is one too, but one text, not many."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _count_input(value: object, count: TokenCounter) -> int:
    """Tokens of a prompt/input: a string, a token list, or a list of either."""
    if isinstance(value, str):
        return count(value)
    if _is_list(value):
        if value and all(isinstance(v, int) for v in value):
            return len(value)  # already tokens
        return sum(_count_input(v, count) for v in value)
    return 0


def _int_field(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise InvalidParameterError(name, f"expected an int, got {value!r:.40}")


def _count_messages(messages: object, count: TokenCounter) -> int:
    total = 0
    if _is_list(messages):
        for message in messages:
            if not isinstance(message, Mapping):
                continue
            total += _PER_MESSAGE_OVERHEAD
            content = message.get("content")
            if isinstance(content, str):
                total += count(content)
            elif _is_list(content):  # content parts: count their text
                total += sum(
                    count(part["text"])
                    for part in content
                    if isinstance(part, Mapping) and isinstance(part.get("text"), str)
                )
            name = message.get("name")
            if isinstance(name, str):
                total += count(name)
    return total


def estimate_request_tokens(
    path: str, body: Mapping[str, Any] | None, count: TokenCounter = approximate_tokens
) -> int:
    """Tokens a request will be charged before it runs: prompt plus completion budget."""
    if not body:
        return 0
    endpoint = path.strip("/").removeprefix("v1/")
    if endpoint == "chat/completions":
        prompt = _count_messages(body.get("messages"), count)
        budget = _int_field(body, "max_tokens") or _int_field(body, "max_completion_tokens") or 0
        choices = _int_field(body, "n") or 1
    elif endpoint == "completions":
        prompt = _count_input(body.get("prompt"), count)
        stated = _int_field(body, "max_tokens")
        budget = COMPLETIONS_DEFAULT_MAX_TOKENS if stated is None else stated
        choices = _int_field(body, "best_of") or _int_field(body, "n") or 1
        prompts = body.get("prompt")
        if _is_list(prompts) and prompts and not isinstance(prompts[0], int):
            choices *= len(prompts)  # each prompt of a packed request gets its own budget
    else:  # embeddings, moderations, edits...: only the input counts
        prompt = _count_input(body.get("input"), count) + _count_input(
            body.get("instruction"), count
        )
        budget, choices = 0, 1
    return max(0, int(prompt + budget * choices))  # a negative budget is the API's to refuse
