"""Resource namespaces (``client.models`` and friends)."""

from .audio import Audio, Transcriptions, Translations
from .edits import Edits
from .embeddings import Embeddings
from .engines import Engines
from .files import Files
from .images import Images
from .models import Models
from .moderations import Moderations

__all__ = [
    "Audio",
    "Edits",
    "Embeddings",
    "Engines",
    "Files",
    "Images",
    "Models",
    "Moderations",
    "Transcriptions",
    "Translations",
]
