"""The deterministic data the local server starts from."""

from __future__ import annotations

from typing import Any

__all__ = ["CREATED", "initial_data", "model_object"]

CREATED = 1_687_882_411  # a fixed timestamp: answers are the same on every run

_MODELS = [
    ("gpt-4o-mini", "system", None),
    ("gpt-3.5-turbo", "openai", None),
    ("text-davinci-003", "openai-internal", None),
    ("text-embedding-ada-002", "openai-internal", None),
    ("text-davinci-edit-001", "openai", None),
    ("text-moderation-latest", "openai", None),
    ("whisper-1", "openai-internal", None),
    ("curie", "openai", None),
    ("curie:ft-acme-2023-06-01-00-00-00", "acme", "curie"),
]


def model_object(model_id: str, owner: str, parent: str | None) -> dict[str, Any]:
    """A model as ``GET /models/{model}`` answers it (``parent``: the base of a fine-tune)."""
    return {
        "id": model_id,
        "object": "model",
        "created": CREATED,
        "owned_by": owner,
        "permission": [
            {
                "id": f"modelperm-{model_id}",
                "object": "model_permission",
                "created": CREATED,
                "allow_create_engine": False,
                "allow_sampling": True,
                "allow_logprobs": True,
                "allow_search_indices": False,
                "allow_view": True,
                "allow_fine_tuning": parent is None,
                "organization": "*",
                "group": None,
                "is_blocking": False,
            }
        ],
        "root": parent or model_id,
        "parent": parent,
    }


def initial_data() -> dict[str, Any]:
    """A fresh copy of the server's data, keyed by collection."""
    from ._fixtures_fine_tunes import initial_fine_tunes

    return {
        "models": {m[0]: model_object(*m) for m in _MODELS},
        "files": {},  # file id -> {"object": the file object, "content": its bytes}
        "fine_tunes": initial_fine_tunes(),
    }
