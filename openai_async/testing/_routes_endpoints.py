"""Registers the routes of the endpoints beyond models: edits, embeddings, files, ..."""

from . import (  # noqa: F401  (importing registers the routes)
    _routes_audio,
    _routes_batches,
    _routes_edits,
    _routes_embeddings,
    _routes_engines,
    _routes_files,
    _routes_fine_tuning,
    _routes_images,
    _routes_moderations,
    _routes_responses,
    _routes_speech,
    _routes_uploads,
    _routes_vector_store_batches,
    _routes_vector_stores,
)
