"""Typed response objects; every one is a frozen attrs class (see ``APIObject``)."""

from .._models import APIObject, ListResponse
from ._audio import (
    Transcription,
    TranscriptionSegment,
    TranscriptionVerbose,
    Translation,
    TranslationVerbose,
)
from ._edit import Edit, EditChoice
from ._embedding import CreateEmbeddingResponse, Embedding, EmbeddingUsage
from ._engine import Engine
from ._file import FileDeleted, FileObject
from ._image import Image, ImagesResponse
from ._model import Model, ModelDeleted, ModelPermission
from ._moderation import (
    Moderation,
    ModerationCategories,
    ModerationCategoryScores,
    ModerationCreateResponse,
)
from ._usage import CompletionUsage

__all__ = [
    "APIObject",
    "CompletionUsage",
    "CreateEmbeddingResponse",
    "Edit",
    "EditChoice",
    "Embedding",
    "EmbeddingUsage",
    "Engine",
    "FileDeleted",
    "FileObject",
    "Image",
    "ImagesResponse",
    "ListResponse",
    "Model",
    "ModelDeleted",
    "ModelPermission",
    "Moderation",
    "ModerationCategories",
    "ModerationCategoryScores",
    "ModerationCreateResponse",
    "Transcription",
    "TranscriptionSegment",
    "TranscriptionVerbose",
    "Translation",
    "TranslationVerbose",
]
