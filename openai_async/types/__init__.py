"""Typed response objects: frozen attrs classes (see ``APIObject``), and file content."""

from .._models import APIObject, ListResponse
from ._audio import (
    Transcription,
    TranscriptionSegment,
    TranscriptionVerbose,
    Translation,
    TranslationVerbose,
)
from ._chat import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionMessage,
    ChoiceDelta,
    FunctionCall,
)
from ._completion import Completion, CompletionChoice, CompletionUsage, Logprobs
from ._edit import Edit, EditChoice
from ._embedding import CreateEmbeddingResponse, Embedding, EmbeddingUsage
from ._engine import Engine
from ._file import BinaryResponseContent, FileDeleted, FileObject
from ._fine_tune import FineTune, FineTuneEvent, FineTuneFile, FineTuneHyperparams
from ._image import Image, ImagesResponse
from ._model import Model, ModelDeleted, ModelPermission
from ._moderation import (
    Moderation,
    ModerationCategories,
    ModerationCategoryScores,
    ModerationCreateResponse,
)

__all__ = [
    "APIObject",
    "BinaryResponseContent",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionMessage",
    "ChoiceDelta",
    "Completion",
    "CompletionChoice",
    "CompletionUsage",
    "CreateEmbeddingResponse",
    "Edit",
    "EditChoice",
    "Embedding",
    "EmbeddingUsage",
    "Engine",
    "FileDeleted",
    "FileObject",
    "FineTune",
    "FineTuneEvent",
    "FineTuneFile",
    "FineTuneHyperparams",
    "FunctionCall",
    "Image",
    "ImagesResponse",
    "ListResponse",
    "Logprobs",
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
