"""Models of the ``/files`` endpoints."""

from __future__ import annotations

from typing import Any

import attrs

from .._models import APIObject

__all__ = ["FileDeleted", "FileObject"]


@attrs.frozen(kw_only=True)
class FileObject(APIObject):
    """An uploaded file; ``bytes`` is its size."""

    id: str
    object: str = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    status: str | None = None
    status_details: Any = None


@attrs.frozen(kw_only=True)
class FileDeleted(APIObject):
    """The answer to ``DELETE /files/{file_id}``."""

    id: str
    object: str = "file"
    deleted: bool
