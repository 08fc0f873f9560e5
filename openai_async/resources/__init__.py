"""Resource namespaces (``client.models`` and friends)."""

from .audio import Audio, Speech, Transcriptions, Translations
from .batches import Batches
from .beta import Beta
from .chat import Chat, ChatCompletions
from .completions import Completions
from .edits import Edits
from .embeddings import Embeddings
from .engines import Engines
from .files import Files
from .fine_tunes import FineTunes
from .fine_tuning import FineTuning
from .images import Images
from .models import Models
from .moderations import Moderations
from .responses import InputItems, Responses
from .uploads import Uploads
from .vector_store_files import VectorStoreFileBatches, VectorStoreFiles
from .vector_stores import VectorStores, VectorStoreSearch

__all__ = [
    "Audio",
    "Batches",
    "Beta",
    "Chat",
    "ChatCompletions",
    "Completions",
    "Edits",
    "Embeddings",
    "Engines",
    "Files",
    "FineTunes",
    "FineTuning",
    "Images",
    "InputItems",
    "Models",
    "Moderations",
    "Responses",
    "Speech",
    "Transcriptions",
    "Translations",
    "Uploads",
    "VectorStoreFileBatches",
    "VectorStoreFiles",
    "VectorStoreSearch",
    "VectorStores",
]
