"""Models of the ``/uploads`` endpoints: a large file sent in parts."""

from __future__ import annotations

import attrs

from .._models import APIObject
from ._file import FileObject

__all__ = ["Upload", "UploadPart"]


@attrs.frozen(kw_only=True, slots=False)
class Upload(APIObject):
    """An upload in progress: ``status`` pending, completed, cancelled or expired.

    Once completed, ``file`` is the file made of its parts, usable like any upload.
    """

    id: str
    object: str = "upload"
    bytes: int
    created_at: int
    expires_at: int
    filename: str
    purpose: str
    status: str
    file: FileObject | None = None


@attrs.frozen(kw_only=True, slots=False)
class UploadPart(APIObject):
    """One part of an upload; ``complete`` takes the ids of the parts, in order."""

    id: str
    object: str = "upload.part"
    created_at: int
    upload_id: str
