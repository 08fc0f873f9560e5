"""Each endpoint method accepts exactly the parameters its OpenAPI operation lists.

For every wrapped operation, the names the method accepts (its keyword parameters, or
the keys of the ``TypedDict`` it takes with ``Unpack``, less the per-call options) are
held against the request body's properties (or the query parameters of a GET) in the
latest spec, or the 2023 spec for the paths gone from it. The test fails on a
property we neither accept nor list in ``LEFT_OUT`` with a reason, and on a name we
accept that the spec lacks and ``LEGACY`` does not explain. So it fails when the spec
gains a property. To add an endpoint, add a line to ``ENDPOINTS``.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from openai_async import AsyncClient
from openai_async._request import OPTION_NAMES

from .openapi import LATEST, SPEC_2023, _operation, _resolve, load_spec

Method = Callable[[AsyncClient], Callable[..., Any]]

# (how to reach the method, HTTP method, path as the spec writes it, spec, body type).
# Body type: "json", "multipart/form-data", or "query" for the query parameters.
ENDPOINTS: list[tuple[str, Method, str, str, Path, str]] = [
    (
        "chat.create",
        lambda c: c.chat.completions.create,
        "POST",
        "/chat/completions",
        LATEST,
        "json",
    ),
    ("completions.create", lambda c: c.completions.create, "POST", "/completions", LATEST, "json"),
    ("edits.create", lambda c: c.edits.create, "POST", "/edits", SPEC_2023, "json"),
    ("fine_tunes.create", lambda c: c.fine_tunes.create, "POST", "/fine-tunes", SPEC_2023, "json"),
    ("files.list", lambda c: c.files.list, "GET", "/files", LATEST, "query"),
    ("files.create", lambda c: c.files.create, "POST", "/files", LATEST, "multipart/form-data"),
    ("batches.create", lambda c: c.batches.create, "POST", "/batches", LATEST, "json"),
    ("batches.list", lambda c: c.batches.list, "GET", "/batches", LATEST, "query"),
    (
        "fine_tuning.jobs.create",
        lambda c: c.fine_tuning.jobs.create,
        "POST",
        "/fine_tuning/jobs",
        LATEST,
        "json",
    ),
    (
        "fine_tuning.jobs.list",
        lambda c: c.fine_tuning.jobs.list,
        "GET",
        "/fine_tuning/jobs",
        LATEST,
        "query",
    ),
    (
        "fine_tuning.jobs.list_events",
        lambda c: c.fine_tuning.jobs.list_events,
        "GET",
        "/fine_tuning/jobs/{fine_tuning_job_id}/events",
        LATEST,
        "query",
    ),
    (
        "fine_tuning.jobs.checkpoints.list",
        lambda c: c.fine_tuning.jobs.checkpoints.list,
        "GET",
        "/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints",
        LATEST,
        "query",
    ),
    ("uploads.create", lambda c: c.uploads.create, "POST", "/uploads", LATEST, "json"),
    (
        "uploads.parts.create",
        lambda c: c.uploads.parts.create,
        "POST",
        "/uploads/{upload_id}/parts",
        LATEST,
        "multipart/form-data",
    ),
    (
        "uploads.complete",
        lambda c: c.uploads.complete,
        "POST",
        "/uploads/{upload_id}/complete",
        LATEST,
        "json",
    ),
    ("speech.create", lambda c: c.audio.speech.create, "POST", "/audio/speech", LATEST, "json"),
    ("vs.create", lambda c: c.vector_stores.create, "POST", "/vector_stores", LATEST, "json"),
    ("vs.list", lambda c: c.vector_stores.list, "GET", "/vector_stores", LATEST, "query"),
    (
        "vs.retrieve",
        lambda c: c.vector_stores.retrieve,
        "GET",
        "/vector_stores/{vector_store_id}",
        LATEST,
        "query",
    ),
    (
        "vs.update",
        lambda c: c.vector_stores.update,
        "POST",
        "/vector_stores/{vector_store_id}",
        LATEST,
        "json",
    ),
    (
        "vs.delete",
        lambda c: c.vector_stores.delete,
        "DELETE",
        "/vector_stores/{vector_store_id}",
        LATEST,
        "query",
    ),
    (
        "vs.search",
        lambda c: c.vector_stores.search,
        "POST",
        "/vector_stores/{vector_store_id}/search",
        LATEST,
        "json",
    ),
    (
        "vs.files.create",
        lambda c: c.vector_stores.files.create,
        "POST",
        "/vector_stores/{vector_store_id}/files",
        LATEST,
        "json",
    ),
    (
        "vs.files.list",
        lambda c: c.vector_stores.files.list,
        "GET",
        "/vector_stores/{vector_store_id}/files",
        LATEST,
        "query",
    ),
    (
        "vs.files.retrieve",
        lambda c: c.vector_stores.files.retrieve,
        "GET",
        "/vector_stores/{vector_store_id}/files/{file_id}",
        LATEST,
        "query",
    ),
    (
        "vs.files.update",
        lambda c: c.vector_stores.files.update,
        "POST",
        "/vector_stores/{vector_store_id}/files/{file_id}",
        LATEST,
        "json",
    ),
    (
        "vs.files.delete",
        lambda c: c.vector_stores.files.delete,
        "DELETE",
        "/vector_stores/{vector_store_id}/files/{file_id}",
        LATEST,
        "query",
    ),
    (
        "vs.files.content",
        lambda c: c.vector_stores.files.content,
        "GET",
        "/vector_stores/{vector_store_id}/files/{file_id}/content",
        LATEST,
        "query",
    ),
    (
        "vs.file_batches.create",
        lambda c: c.vector_stores.file_batches.create,
        "POST",
        "/vector_stores/{vector_store_id}/file_batches",
        LATEST,
        "json",
    ),
    (
        "vs.file_batches.retrieve",
        lambda c: c.vector_stores.file_batches.retrieve,
        "GET",
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}",
        LATEST,
        "query",
    ),
    (
        "vs.file_batches.cancel",
        lambda c: c.vector_stores.file_batches.cancel,
        "POST",
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
        LATEST,
        "query",
    ),
    (
        "vs.file_batches.list_files",
        lambda c: c.vector_stores.file_batches.list_files,
        "GET",
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files",
        LATEST,
        "query",
    ),
    ("responses.create", lambda c: c.responses.create, "POST", "/responses", LATEST, "json"),
    ("responses.parse", lambda c: c.responses.parse, "POST", "/responses", LATEST, "json"),
    (
        "responses.retrieve",
        lambda c: c.responses.retrieve,
        "GET",
        "/responses/{response_id}",
        LATEST,
        "query",
    ),
    (
        "responses.delete",
        lambda c: c.responses.delete,
        "DELETE",
        "/responses/{response_id}",
        LATEST,
        "query",
    ),
    (
        "responses.cancel",
        lambda c: c.responses.cancel,
        "POST",
        "/responses/{response_id}/cancel",
        LATEST,
        "query",
    ),
    (
        "responses.input_items.list",
        lambda c: c.responses.input_items.list,
        "GET",
        "/responses/{response_id}/input_items",
        LATEST,
        "query",
    ),
    ("embeddings.create", lambda c: c.embeddings.create, "POST", "/embeddings", LATEST, "json"),
    ("moderations.create", lambda c: c.moderations.create, "POST", "/moderations", LATEST, "json"),
    (
        "audio.transcriptions.create",
        lambda c: c.audio.transcriptions.create,
        "POST",
        "/audio/transcriptions",
        LATEST,
        "multipart/form-data",
    ),
    (
        "audio.translations.create",
        lambda c: c.audio.translations.create,
        "POST",
        "/audio/translations",
        LATEST,
        "multipart/form-data",
    ),
    ("images.generate", lambda c: c.images.generate, "POST", "/images/generations", LATEST, "json"),
    # An edit has two bodies: a form of files (image=), and JSON of references (images=).
    (
        "images.edit",
        lambda c: c.images.edit,
        "POST",
        "/images/edits",
        LATEST,
        "multipart/form-data",
    ),
    ("images.edit (JSON)", lambda c: c.images.edit, "POST", "/images/edits", LATEST, "json"),
    (
        "images.create_variation",
        lambda c: c.images.create_variation,
        "POST",
        "/images/variations",
        LATEST,
        "multipart/form-data",
    ),
    ("files.retrieve", lambda c: c.files.retrieve, "GET", "/files/{file_id}", LATEST, "query"),
    ("files.delete", lambda c: c.files.delete, "DELETE", "/files/{file_id}", LATEST, "query"),
    (
        "files.content",
        lambda c: c.files.content,
        "GET",
        "/files/{file_id}/content",
        LATEST,
        "query",
    ),
    ("models.list", lambda c: c.models.list, "GET", "/models", LATEST, "query"),
    ("models.retrieve", lambda c: c.models.retrieve, "GET", "/models/{model}", LATEST, "query"),
    ("models.delete", lambda c: c.models.delete, "DELETE", "/models/{model}", LATEST, "query"),
    # Gone from today's API: held against the 2023 spec.
    ("engines.list", lambda c: c.engines.list, "GET", "/engines", SPEC_2023, "query"),
    (
        "engines.retrieve",
        lambda c: c.engines.retrieve,
        "GET",
        "/engines/{engine_id}",
        SPEC_2023,
        "query",
    ),
    ("fine_tunes.list", lambda c: c.fine_tunes.list, "GET", "/fine-tunes", SPEC_2023, "query"),
    (
        "fine_tunes.retrieve",
        lambda c: c.fine_tunes.retrieve,
        "GET",
        "/fine-tunes/{fine_tune_id}",
        SPEC_2023,
        "query",
    ),
    (
        "fine_tunes.cancel",
        lambda c: c.fine_tunes.cancel,
        "POST",
        "/fine-tunes/{fine_tune_id}/cancel",
        SPEC_2023,
        "query",
    ),
    (
        "fine_tunes.list_events",
        lambda c: c.fine_tunes.list_events,
        "GET",
        "/fine-tunes/{fine_tune_id}/events",
        SPEC_2023,
        "query",
    ),
]

# Spec properties we do not accept, per endpoint, and why.
LEFT_OUT: dict[str, dict[str, str]] = {
    "responses.parse": {"stream": "parse reads a whole response; create(stream=True) streams"},
}

_IN_PATH = "a path parameter, keyword-only after the object's own id (as the SDK has it)"

# Names we accept that the spec for that path lacks, and why: 2023 names, path
# parameters, or names of the other body of the same path.
LEGACY: dict[str, dict[str, str]] = {
    "vs.files.retrieve": {"vector_store_id": _IN_PATH},
    "vs.files.update": {"vector_store_id": _IN_PATH},
    "vs.files.delete": {"vector_store_id": _IN_PATH},
    "vs.files.content": {"vector_store_id": _IN_PATH},
    "vs.file_batches.retrieve": {"vector_store_id": _IN_PATH},
    "vs.file_batches.cancel": {"vector_store_id": _IN_PATH},
    "vs.file_batches.list_files": {"vector_store_id": _IN_PATH},
    "responses.parse": {"text_format": "parse's own, as the SDK's: sent as text.format"},
    "images.edit": {
        "images": "the JSON body's: references to images, sent as JSON, never in the form",
        "moderation": "the JSON body's (with images=); the form has no such field",
    },
    "images.edit (JSON)": {
        "image": "the form's: files, sent as multipart, never in the JSON body",
        "response_format": "the form's (dall-e-2); the JSON body is for GPT image models",
    },
}

# Only its methods are looked at: nothing is sent, and its pool is never opened.
_CLIENT = AsyncClient(api_key="", base_url="http://127.0.0.1:9/v1")


def _accepted(method: Callable[..., Any]) -> set[str]:
    """The body or query names a method accepts, per-call options left out.

    Positional parameters are the ids in the path (``file_id``), not counted.
    """
    names: set[str] = set()
    hints = typing.get_type_hints(method, include_extras=True)
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            (params,) = typing.get_args(hints[parameter.name])  # Unpack[TypedDict]
            names |= set(params.__required_keys__ | params.__optional_keys__)
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            names.add(parameter.name)
    return names - OPTION_NAMES


def _properties(schema: Any) -> set[str]:
    if not isinstance(schema, Mapping):
        return set()
    names = set(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            names |= _properties(branch)
    return names


def _spec_names(http_method: str, path: str, spec: Path, kind: str) -> set[str]:
    document = load_spec(spec)
    operation = _operation(document, http_method, path)
    if kind == "query":
        parameters = _resolve(document, operation.get("parameters", []))
        return {p["name"] for p in parameters if p.get("in") == "query"}
    body = _resolve(document, operation["requestBody"])
    content_type = "application/json" if kind == "json" else kind
    return _properties(body["content"][content_type]["schema"])


@pytest.mark.parametrize(
    ("name", "reach", "http_method", "path", "spec", "kind"),
    ENDPOINTS,
    ids=[entry[0] for entry in ENDPOINTS],
)
def test_parameters_match_the_spec(
    name: str, reach: Method, http_method: str, path: str, spec: Path, kind: str
) -> None:
    """Every spec property is accepted or left out with a reason; nothing else is accepted."""
    accepted = _accepted(reach(_CLIENT))
    in_spec = _spec_names(http_method, path, spec, kind)
    left_out = LEFT_OUT.get(name, {})
    legacy = LEGACY.get(name, {})
    assert sorted(in_spec - accepted - set(left_out)) == [], "spec properties not accepted"
    assert sorted(accepted - in_spec - set(legacy)) == [], "accepted names the spec lacks"
    assert sorted(set(left_out) & accepted) == [], "listed as left out, yet accepted"
    assert sorted(set(left_out) - in_spec) == [], "listed as left out, yet not in the spec"


def test_every_entry_has_a_reason() -> None:
    """LEFT_OUT and LEGACY give a reason for every name, and name known endpoints."""
    known = {entry[0] for entry in ENDPOINTS}
    for table in (LEFT_OUT, LEGACY):
        assert set(table) <= known
        assert all(reason.strip() for names in table.values() for reason in names.values())
