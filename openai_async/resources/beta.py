"""``client.beta``: where the SDK kept chat parsing and vector stores before they moved.

Code written for the SDK of 2024 calls ``client.beta.chat.completions.parse`` and
``client.beta.vector_stores``; both lead to the same namespaces as ``client.chat`` and
``client.vector_stores``, as they do in today's SDK. The beta APIs we do not wrap
(Assistants, threads, realtime, ChatKit) raise an ``AttributeError`` that says what to
use instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NoReturn

from ._base import Resource

if TYPE_CHECKING:
    from .chat import Chat
    from .vector_stores import VectorStores

__all__ = ["Beta"]

# Beta namespaces of the SDK that have no counterpart here -> what to use instead.
_NOT_WRAPPED: Final = {
    "assistants": "the Responses API (client.responses), which OpenAI made the Assistants "
    "API's successor, or client.request(...) for the /assistants endpoints",
    "threads": "the Responses API (client.responses, with previous_response_id for a "
    "conversation), or client.request(...) for the /threads endpoints",
    "realtime": "a WebSocket client of your own: the Realtime API is not HTTP request and "
    "answer, which is all this client speaks",
    "chatkit": "client.request(...) for the /chatkit endpoints",
    "responses": "client.responses",
}


class Beta(Resource):
    """``client.beta``: ``chat`` and ``vector_stores``, the same as the client's own."""

    __slots__ = ()

    @property
    def chat(self) -> Chat:
        """``client.chat``: ``client.beta.chat.completions.parse`` is ``chat.completions.parse``."""
        return self._client.chat

    @property
    def vector_stores(self) -> VectorStores:
        """``client.vector_stores``, where the SDK moved them out of beta."""
        return self._client.vector_stores

    if not TYPE_CHECKING:  # so that a type checker still reports these names as missing

        def __getattr__(self, name: str) -> NoReturn:
            instead = _NOT_WRAPPED.get(name)
            if instead is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            raise AttributeError(f"client.beta.{name} is not part of this client: use {instead}")
