"""Chat messages as the request body carries them.

A function-calling loop written for the official SDK appends the model's reply (a
``ChatCompletionMessage``) to its conversation and sends the conversation again, so a
response model must be accepted wherever a message mapping is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from ._models import APIObject

__all__ = ["ChatMessage", "message_json"]

ChatMessage: TypeAlias = Mapping[str, Any] | APIObject


def message_json(message: object) -> object:
    """``message`` as the body carries it: a response model becomes its JSON object.

    Keys whose value is null are left out, as the API refuses ``"function_call": null``,
    except ``content``: an assistant message that calls a function has ``"content": null``.
    Anything else comes back as it is, for the caller's checks.
    """
    if not isinstance(message, APIObject):
        return message
    return {
        key: value
        for key, value in message.to_dict().items()
        if value is not None or key == "content"
    }
