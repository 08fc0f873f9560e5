"""Resource namespaces (``client.models`` and friends)."""

from .chat import Chat, ChatCompletions
from .completions import Completions
from .fine_tunes import FineTunes
from .models import Models

__all__ = ["Chat", "ChatCompletions", "Completions", "FineTunes", "Models"]
