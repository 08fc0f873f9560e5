"""Typed response objects; every one is a frozen attrs class (see ``APIObject``)."""

from .._models import APIObject, ListResponse
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
from ._fine_tune import FineTune, FineTuneEvent, FineTuneFile, FineTuneHyperparams
from ._model import Model, ModelDeleted, ModelPermission

__all__ = [
    "APIObject",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionMessage",
    "ChoiceDelta",
    "Completion",
    "CompletionChoice",
    "CompletionUsage",
    "FineTune",
    "FineTuneEvent",
    "FineTuneFile",
    "FineTuneHyperparams",
    "FunctionCall",
    "ListResponse",
    "Logprobs",
    "Model",
    "ModelDeleted",
    "ModelPermission",
]
