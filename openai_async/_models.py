"""Response models: frozen attrs classes built by one private cattrs converter.

Servers add fields faster than clients learn them, so a model never rejects a key it
does not know: every instance keeps the mapping it was built from, ``extra`` shows
the unknown keys and ``to_dict()`` returns the whole of it.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import NoneType, UnionType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    Generic,
    Self,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import attrs

if TYPE_CHECKING:
    import cattrs

    from ._model_dump import Keys
    from ._pages import PageInfo

__all__ = [
    "JSON_KEY",
    "STRUCTURE_ERRORS",
    "STRUCTURE_HOOK",
    "APIObject",
    "ListResponse",
    "register_tagged_union",
    "structure",
    "structurer",
]

T = TypeVar("T")

# Field metadata a model may set, e.g. ``attrs.field(metadata={JSON_KEY: "hate/threatening"})``:
# JSON_KEY names the key on the wire when it is no Python identifier; STRUCTURE_HOOK is a
# ``(value, type) -> value`` function that builds the field from its JSON value.
JSON_KEY: Final = "openai_async.json_key"
STRUCTURE_HOOK: Final = "openai_async.structure_hook"

# What building a model from a body that does not fit it raises (OverflowError:
# ``Infinity`` in an int field); callers turn these into their typed errors. cattrs's
# own validation errors are ExceptionGroups (named so, cattrs loads at first use).
STRUCTURE_ERRORS = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    ExceptionGroup,
)


class _FieldsOf:
    """``Model.model_fields``: computed on the class it is read from."""

    def __get__(self, obj: object, owner: type) -> dict[str, attrs.Attribute[Any]]:
        from ._model_dump import declared

        return {field.name: field for field in declared(owner)}


@attrs.frozen(kw_only=True, slots=False)
class APIObject:
    """Base of every response model.

    ``extra`` holds the keys the server sent that this model has no field for;
    ``to_dict()`` gives the whole JSON object as received.

    Every model is frozen and keeps its fields in a ``__dict__`` (``slots=False``):
    attrs's ``__init__`` then stores each field into the dict, where a slotted frozen
    class calls ``object.__setattr__`` per field. Building a chat chunk takes 49 k
    instead of 57 k instructions, a paced chunk 211 k instead of 222 k in all
    (``benchmarks/instructions.py --scenario stream_paced``).
    """

    _raw: Mapping[str, Any] | None = attrs.field(
        init=False, default=None, eq=False, repr=False, hash=False
    )

    if TYPE_CHECKING:
        # pydantic's ``Model.model_fields``: attribute name -> the attrs field.
        model_fields: ClassVar[dict[str, attrs.Attribute[Any]]]
    else:
        model_fields = _FieldsOf()

    @property
    def extra(self) -> Mapping[str, Any]:
        """The keys the server sent that this model does not declare."""
        if self._raw is None:
            return {}
        names = _field_names(type(self))
        return {key: value for key, value in self._raw.items() if key not in names}

    def to_dict(self) -> dict[str, Any]:
        """The object as a JSON-ready dict: what the server sent, unknown keys included."""
        if self._raw is not None:
            return copy.deepcopy(dict(self._raw))
        result: dict[str, Any] = _converter().unstructure(self)
        result.pop("_raw", None)
        return result

    # The official SDK's models are pydantic ones; code written for it calls these.

    def model_dump(
        self,
        *,
        mode: str = "python",
        include: Keys | None = None,
        exclude: Keys | None = None,
        by_alias: bool | None = None,
        exclude_unset: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: bool | str = True,
    ) -> dict[str, Any]:
        """The object as a dict, taking pydantic's options, as the SDK's models do.

        Without options it is ``to_dict()``: what the server sent. A received object
        never gains the declared fields the server left out (the SDK's adds them, as
        null, unless ``exclude_unset=True``; the code its docs show passes that or
        ``exclude_none=True``, and gets the same dict here). ``exclude_unset`` leaves
        out, on a model made by hand, the fields at their default. ``exclude_none``
        leaves out the keys of every model, nested ones too, whose value is null, and
        not those inside a plain JSON value, as pydantic. ``include`` / ``exclude``
        take keys, as a set or a nested mapping (``{"choices": {0: {"message": True}}}``,
        ``"__all__"`` for every item). ``by_alias=False`` names the fields whose JSON
        key is no identifier by their attribute (``hate_threatening``); otherwise keys
        are the JSON keys. With options, values are as the model holds them (decoded
        base64 embeddings, say) and keys in the model's order. ``mode`` is
        ``"python"`` or ``"json"``, the same here (values are JSON already), and so
        are ``round_trip`` and ``warnings`` either way. pydantic's other keywords
        (``exclude_defaults``, ``context``, ``fallback``, ...) raise TypeError.
        """
        if mode not in ("python", "json"):
            raise ValueError(f"model_dump: mode must be 'python' or 'json', got {mode!r}")
        if include is exclude is None and not (exclude_unset or exclude_none or by_alias is False):
            return self.to_dict()
        from ._model_dump import DumpOptions, dump_model

        options = DumpOptions(exclude_unset, exclude_none, by_alias is False)
        return dump_model(self, options, include, exclude)

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        ensure_ascii: bool = False,
        include: Keys | None = None,
        exclude: Keys | None = None,
        by_alias: bool | None = None,
        exclude_unset: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: bool | str = True,
    ) -> str:
        """``model_dump(...)`` as JSON text, compact unless ``indent`` is given (as pydantic)."""
        data = self.model_dump(
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )
        return _dumps(data, indent, ensure_ascii=ensure_ascii)

    @property
    def model_extra(self) -> dict[str, Any]:
        """pydantic's name for ``extra``: the keys sent that this model does not declare."""
        return dict(self.extra)

    @property
    def model_fields_set(self) -> set[str]:
        """The declared fields (attribute names) the server sent, null ones included.

        For a model made by hand, the fields whose value is not their default.
        """
        from ._model_dump import declared, is_set

        return {field.name for field in declared(type(self)) if is_set(self, field)}

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Build this model from decoded JSON (a dict), as the client builds an answer.

        A dict that does not fit (a required key missing, a value of the wrong kind)
        raises ValueError; keys the model does not declare are kept, as ``extra``.
        """
        try:
            return structure(obj, cls)
        except STRUCTURE_ERRORS as exc:
            raise ValueError(
                f"{cls.__name__}.model_validate: the data does not fit: {exc}"
            ) from exc

    @classmethod
    def construct(cls, **values: Any) -> Self:
        """``model_validate(values)``: the SDK's (and pydantic's) name for building from keys."""
        return cls.model_validate(values)

    model_construct = construct

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text, indented by 2 by default (as the official SDK)."""
        return _dumps(self.to_dict(), indent)

    @property
    def _request_id(self) -> str | None:
        """The ``x-request-id`` of the response this object came from, for support requests.

        Public despite the underscore: the official SDK's name. None for an object the
        client did not return itself (see ``response_headers``).
        """
        # Imported here: the side table imports this module (and httpx).
        from ._response_meta import response_headers

        headers = response_headers(self)
        return None if headers is None else headers.get("x-request-id")


@attrs.frozen(kw_only=True, slots=False)
class ListResponse(APIObject, Generic[T]):
    """A ``{"object": "list", "data": [...]}`` answer, a page of a list.

    ``for``, ``len`` and indexing go over ``data``, this page's items. ``async for``
    walks on, as the official SDK's pages do: this page's items, then those of the
    pages after it, fetched one at a time (see ``AsyncPaginator``). A page made by
    hand, or from a raw response, knows of no next page and gives its own items.
    """

    object: str = "list"
    data: list[T] = attrs.field(factory=list)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __aiter__(self) -> AsyncIterator[T]:
        from ._pages import items_from

        return items_from(self)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> T:
        return self.data[index]

    def has_next_page(self) -> bool:
        """Whether a page follows this one: a cursor endpoint's answer said ``has_more``."""
        return self.next_page_info() is not None

    def next_page_info(self) -> PageInfo | None:
        """What the next page's request adds (``after=<last id>``), or None on the last page."""
        from ._pages import next_page_info

        return next_page_info(self)

    async def get_next_page(self) -> ListResponse[T]:
        """Fetch the page after this one; RuntimeError when ``has_next_page()`` is false."""
        from ._pages import next_page

        return await next_page(self)

    async def iter_pages(self) -> AsyncIterator[ListResponse[T]]:
        """This page, then each page after it, fetched as the loop reaches it."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()


def _dumps(data: dict[str, Any], indent: int | None, *, ensure_ascii: bool = False) -> str:
    # pydantic's output: no spaces when compact, non-ASCII characters left as they are.
    separators = (",", ":") if indent is None else None
    return json.dumps(data, ensure_ascii=ensure_ascii, indent=indent, separators=separators)


_names_cache: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _names_cache.get(cls)
    if names is None:
        names = frozenset(a.metadata.get(JSON_KEY, a.name) for a in attrs.fields(cls) if a.init)
        _names_cache[cls] = names
    return names


def _is_api_object(cls: Any) -> bool:
    origin = get_origin(cls) or cls
    return isinstance(origin, type) and issubclass(origin, APIObject)


def _overrides(cls: Any) -> dict[str, Any]:
    from cattrs.gen import override

    result = {}
    for field in attrs.fields(get_origin(cls) or cls):
        key = field.metadata.get(JSON_KEY)
        hook = field.metadata.get(STRUCTURE_HOOK)
        if key is not None or hook is not None:
            result[field.name] = override(rename=key, struct_hook=hook)
    return result


@attrs.frozen
class _TaggedUnion:
    """How to build a tagged union: the model for each tag value, and for the others."""

    members: Mapping[object, type[Any]]  # tag value -> model
    fallback: type[Any]
    tag: str


# Unions built by the value of a key in each object; every converter consults this.
_tagged_unions: dict[Any, _TaggedUnion] = {}


def register_tagged_union(union: Any, fallback: type[APIObject], *, tag: str = "type") -> None:
    """Build ``union`` (of models) by each object's ``tag`` key, for kinds a server adds.

    Each member but ``fallback`` declares the values it stands for as a ``Literal``
    field named ``tag``; an object whose tag no member names (a kind of event or item
    newer than this client) becomes ``fallback``, which keeps all of it.
    """
    members: dict[object, type[Any]] = {}
    for member in get_args(union):
        if member is not fallback:
            for value in get_args(get_type_hints(member)[tag]):
                members[value] = member
    _tagged_unions[union] = _TaggedUnion(members, fallback, tag)


def _is_tagged_union(cls: Any) -> bool:
    try:
        return cls in _tagged_unions
    except TypeError:  # an unhashable type argument
        return False


def _tagged_union_hook(union: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    spec = _tagged_unions[union]
    hooks = {cls: converter.get_structure_hook(cls) for cls in {*spec.members.values()}}
    hooks[spec.fallback] = converter.get_structure_hook(spec.fallback)
    members, fallback, tag = spec.members, spec.fallback, spec.tag

    def structure_tagged(data: Any, _: Any) -> Any:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        cls = members.get(data.get(tag), fallback)
        return hooks[cls](data, cls)

    return structure_tagged


_SCALARS: Final = (str, int, float, bool)


def _make_converter(*, optional_hooks: bool = True) -> cattrs.Converter:
    """The package's one converter: cattrs's generated hooks, configured once.

    Made at the first use, not at import (cattrs is a third of the import time).
    ``optional_hooks=False`` leaves ``T | None`` to cattrs: the tests' reference.
    """
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    # Detailed validation collects every error into an ExceptionGroup; we only need to
    # know that a body did not fit, and the plain path is several times faster.
    converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)

    def structure_hook(cls: Any) -> Callable[[Any, Any], Any]:
        build = make_dict_structure_fn(cls, converter, **_overrides(cls))
        setter = object.__setattr__

        def structure_api_object(data: Any, _: Any) -> Any:
            # JSON objects are dicts: the exact type test skips the slow ABC check.
            if type(data) is not dict and not isinstance(data, Mapping):
                raise TypeError(f"expected a JSON object for {cls!r}, got {type(data).__name__}")
            obj = build(data, cls)
            setter(obj, "_raw", data)
            return obj

        return structure_api_object

    def optional_hook(kind: Any) -> Callable[[Any, Any], Any]:
        # cattrs looks the inner type's hook up on every call of ``T | None``; most
        # fields of every model are optional, so look it up once. What it builds is
        # the same: None stays None, anything else goes to the inner type's hook.
        inner = _optional_of(kind)
        if inner in _SCALARS:

            def structure_optional_scalar(value: Any, _: Any) -> Any:
                return value if value is None or type(value) is inner else inner(value)

            return structure_optional_scalar
        hook = converter.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure_optional

    def unstructure_hook(cls: Any) -> Callable[[Any], Any]:
        return make_dict_unstructure_fn(cls, converter, _raw=override(omit=True), **_overrides(cls))

    converter.register_structure_hook_factory(_is_api_object, structure_hook)
    if optional_hooks:
        converter.register_structure_hook_factory(
            lambda kind: _optional_of(kind) is not None, optional_hook
        )
    converter.register_structure_hook_factory(
        _is_tagged_union, lambda union: _tagged_union_hook(union, converter)
    )
    converter.register_unstructure_hook_factory(_is_api_object, unstructure_hook)
    return converter


def _optional_of(kind: Any) -> Any:
    """``T`` for ``T | None`` (or ``Optional[T]``) of one other type, else None."""
    if get_origin(kind) not in (Union, UnionType):
        return None
    args = get_args(kind)
    if len(args) != 2 or NoneType not in args:
        return None
    return args[0] if args[1] is NoneType else args[1]


_converter = functools.cache(_make_converter)


# Each type's structure hook, looked up in the converter once (every answer needs one).
_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` from decoded JSON with the package's private converter."""
    try:
        hook = _hooks.get(cls)
    except TypeError:  # an unhashable type argument
        return _converter().structure(data, cls)
    if hook is None:
        hook = _hooks[cls] = _converter().get_structure_hook(cls)
    result: T = hook(data, cls)
    return result


def structurer(cls: type[T]) -> Callable[[Any], T]:
    """``structure`` for one type, with the converter's lookup done once (per stream)."""
    hook = _converter().get_structure_hook(cls)

    def structure_one(data: Any) -> T:
        result: T = hook(data, cls)
        return result

    return structure_one
