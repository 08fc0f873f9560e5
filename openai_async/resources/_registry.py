"""The endpoints whose results batch jobs can build, found by path."""

from __future__ import annotations

__all__ = ["result_types"]


def result_types() -> dict[str, type]:
    """The result model of each POST endpoint a batch job may run, by path."""
    from .chat import CHAT_COMPLETIONS
    from .completions import COMPLETIONS
    from .edits import EDITS
    from .embeddings import EMBEDDINGS
    from .moderations import MODERATIONS
    from .responses import RESPONSES

    endpoints = (CHAT_COMPLETIONS, COMPLETIONS, EDITS, EMBEDDINGS, MODERATIONS, RESPONSES)
    return {endpoint.path: endpoint.result for endpoint in endpoints}
