"""Typed response objects; every one is a frozen attrs class (see ``APIObject``)."""

from .._models import APIObject, ListResponse
from ._model import Model, ModelDeleted, ModelPermission

__all__ = [
    "APIObject",
    "ListResponse",
    "Model",
    "ModelDeleted",
    "ModelPermission",
]
