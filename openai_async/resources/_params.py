"""Checks of the chat and completions parameters, done before anything is sent.

The checks every endpoint shares (integer ranges, enums, body building) are in ``_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .._exceptions import InvalidParameterError, shown
from .._messages import message_json
from ._checks import check_number, check_range

__all__ = [
    "LogitBias",
    "check_functions",
    "check_sampling",
    "check_stop",
    "check_tools",
    "checked_messages",
]

# The 2023 API reference: a message's name "may contain a-z, A-Z, 0-9, and underscores,
# with a maximum length of 64 characters"; a function's name also allows dashes.
# Token id (the JSON object's string key, or an int) -> a bias from -100 to 100.
LogitBias = Mapping[str, float] | Mapping[int, float]

_MESSAGE_NAME: Final = re.compile(r"[a-zA-Z0-9_]{1,64}")
_FUNCTION_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_MAX_STOP: Final = 4


def check_sampling(body: Mapping[str, Any]) -> None:
    """The sampling parameters in a completions, chat or edits body, within their bounds."""
    check_number("temperature", body.get("temperature"), 0, 2)
    check_number("top_p", body.get("top_p"), 0, 1)
    check_number("presence_penalty", body.get("presence_penalty"), -2, 2)
    check_number("frequency_penalty", body.get("frequency_penalty"), -2, 2)
    check_range("max_tokens", body.get("max_tokens"), 0)
    check_range("seed", body.get("seed"), -(2**63), 2**63 - 1)  # the spec's int64
    logit_bias = body.get("logit_bias")
    if logit_bias is None:
        return
    if not isinstance(logit_bias, Mapping):
        raise InvalidParameterError("logit_bias", f"expected a mapping, got {shown(logit_bias)}")
    for token, bias in logit_bias.items():
        check_number(f"logit_bias[{shown(token)}]", bias, -100, 100)


def check_stop(stop: object) -> None:
    """``stop`` is a string or a list of 1 to 4 strings."""
    if stop is None or isinstance(stop, str):
        return
    if not isinstance(stop, Sequence) or not all(isinstance(s, str) for s in stop):
        raise InvalidParameterError(
            "stop", f"expected a string or a list of strings: {shown(stop)}"
        )
    if not 1 <= len(stop) <= _MAX_STOP:
        raise InvalidParameterError(
            "stop", f"expected 1 to {_MAX_STOP} stop sequences, got {len(stop)}"
        )


def _check_name(param: str, message: Mapping[str, Any]) -> None:
    if message["role"] == "tool":
        tool_call_id = message.get("tool_call_id")
        if not isinstance(tool_call_id, str) or not tool_call_id:
            raise InvalidParameterError(
                f"{param}.tool_call_id", "a tool message must name the tool call it answers"
            )
    name = message.get("name")
    # A function result is named after its function, whose name may have dashes.
    is_result = message["role"] == "function"
    if name is None:
        if is_result:
            raise InvalidParameterError(f"{param}.name", "is required when role is 'function'")
        return
    pattern = _FUNCTION_NAME if is_result else _MESSAGE_NAME
    if not isinstance(name, str) or pattern.fullmatch(name) is None:
        raise InvalidParameterError(
            f"{param}.name", f"must match {pattern.pattern}, got {shown(name)}"
        )


def checked_messages(messages: object) -> list[Mapping[str, Any]]:
    """A non-empty list of message objects, each with a role and a valid ``name``.

    Returned as the body carries them: response models become mappings (``message_json``).
    """
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence) or not messages:
        raise InvalidParameterError("messages", "expected a non-empty list of messages")
    result: list[Mapping[str, Any]] = []
    for position, given in enumerate(messages):
        param = f"messages[{position}]"
        message = message_json(given)
        if not isinstance(message, Mapping) or "role" not in message:
            raise InvalidParameterError(param, "expected a mapping with a 'role'")
        _check_name(param, message)
        result.append(message)
    return result


def check_functions(functions: object) -> None:
    """A non-empty list of function definitions, each with a valid ``name``."""
    if functions is None:
        return
    if isinstance(functions, str | bytes) or not isinstance(functions, Sequence) or not functions:
        raise InvalidParameterError("functions", "expected a non-empty list of functions")
    for position, function in enumerate(functions):
        name = function.get("name") if isinstance(function, Mapping) else None
        if not isinstance(name, str) or _FUNCTION_NAME.fullmatch(name) is None:
            raise InvalidParameterError(
                f"functions[{position}].name",
                f"must match [a-zA-Z0-9_-]{{1,64}}, got {shown(name)}",
            )


def check_tools(tools: object) -> None:
    """A non-empty list of tools; a function tool names its function validly."""
    if tools is None:
        return
    if isinstance(tools, str | bytes) or not isinstance(tools, Sequence) or not tools:
        raise InvalidParameterError("tools", "expected a non-empty list of tools")
    for position, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("type"), str):
            raise InvalidParameterError(f"tools[{position}]", "expected a mapping with a 'type'")
        if tool["type"] != "function":
            continue  # custom and built-in tools are the service's to check
        function = tool.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        if not isinstance(name, str) or _FUNCTION_NAME.fullmatch(name) is None:
            raise InvalidParameterError(
                f"tools[{position}].function.name",
                f"must match [a-zA-Z0-9_-]{{1,64}}, got {shown(name)}",
            )
