"""Models of the ``/models`` endpoints (the OpenAI "model" objects)."""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = ["Model", "ModelDeleted", "ModelPermission"]


@attrs.frozen(kw_only=True, slots=False)
class ModelPermission(APIObject):
    """One entry of a model's ``permission`` list (2023 API; absent on newer servers)."""

    id: str | None = None
    object: str = "model_permission"
    created: int | None = None
    allow_create_engine: bool | None = None
    allow_sampling: bool | None = None
    allow_logprobs: bool | None = None
    allow_search_indices: bool | None = None
    allow_view: bool | None = None
    allow_fine_tuning: bool | None = None
    organization: str | None = None
    group: str | None = None
    is_blocking: bool | None = None


@attrs.frozen(kw_only=True, slots=False)
class Model(APIObject):
    """A model the key may use: ``GET /models`` and ``GET /models/{model}``."""

    id: str
    object: str = "model"
    created: int | None = None
    owned_by: str | None = None
    permission: list[ModelPermission] = attrs.field(factory=list)
    root: str | None = None
    parent: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ModelDeleted(APIObject):
    """The answer to ``DELETE /models/{model}``."""

    id: str
    object: str = "model"
    deleted: bool = False
