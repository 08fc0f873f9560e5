"""Models are built from any mapping and refuse every other JSON value."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async._models import structure
from openai_async.types import Model

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
