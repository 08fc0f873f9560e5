"""Models of the deprecated ``/engines`` endpoints (replaced by ``/models``)."""

from __future__ import annotations

import attrs

from .._models import APIObject

__all__ = ["Engine"]


@attrs.frozen(kw_only=True, slots=False)
class Engine(APIObject):
    """An engine: ``GET /engines`` and ``GET /engines/{engine_id}``."""

    id: str
    object: str = "engine"
    owner: str | None = None
    ready: bool | None = None
    created: int | None = None
