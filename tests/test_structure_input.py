"""Models are built from any mapping and refuse every other JSON value."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async._models import structure
from openai_async.types import (
    ChatCompletion,
    Edit,
    FineTuneFile,
    FineTuneHyperparams,
    ImagesResponse,
    Model,
)

MODEL = {"id": "m", "object": "model", "created": 1, "owned_by": "me", "new_field": [1]}

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
not_objects = json_scalars | st.lists(json_scalars, max_size=5)


def test_a_read_only_mapping_is_accepted() -> None:
    """A Mapping that is not a dict builds the model like a dict does."""
    from_proxy = structure(MappingProxyType(MODEL), Model)
    assert from_proxy == structure(dict(MODEL), Model)
    assert from_proxy.extra == {"new_field": [1]}


@given(not_objects)
def test_anything_but_an_object_is_refused(value: object) -> None:
    """Scalars and arrays never build a model: TypeError, which the client reports."""
    with pytest.raises(TypeError, match="expected a JSON object"):
        structure(value, Model)


@pytest.mark.parametrize(
    ("cls", "body", "check"),
    [
        # The 2023 schema requires nothing of a chat or edit choice.
        (
            ChatCompletion,
            {"id": "c", "choices": [{"index": 0, "finish_reason": "stop"}]},
            lambda r: r.choices[0].message.content is None,
        ),
        (
            Edit,
            {"created": 1, "choices": [{"finish_reason": "stop"}]},
            lambda r: r.choices[0].text == "",
        ),
        # hyperparams is "type: object"; newer servers answer "auto" for values they pick.
        (
            FineTuneHyperparams,
            {"n_epochs": "auto", "batch_size": 4, "learning_rate_multiplier": 1},
            lambda r: (r.n_epochs, r.batch_size, r.learning_rate_multiplier) == ("auto", 4, 1.0),
        ),
        (
            FineTuneFile,
            {"id": "file-1", "status_details": {"why": "x"}},
            lambda r: r.status_details == {"why": "x"} and r.extra == {},
        ),
        (ImagesResponse, {"created": 1}, lambda r: r.data == []),  # today's schema
    ],
    ids=["chat choice", "edit choice", "hyperparams", "fine-tune file", "images"],
)
def test_spec_valid_bodies_parse(cls: type[Any], body: dict[str, Any], check: Any) -> None:
    """Bodies the spec allows, with fields it does not require left out, build the model."""
    assert check(structure(body, cls))


def test_hyperparams_refuse_what_is_neither_number_nor_text() -> None:
    """A hyperparameter that is a list or a bool is not a value: the body does not fit."""
    for value in ([1], True):
        with pytest.raises(TypeError):
            structure({"n_epochs": value}, FineTuneHyperparams)
