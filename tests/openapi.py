"""Check requests the local server recorded against the official OpenAPI request schemas.

``assert_request_matches_spec(server.requests[-1])`` finds the operation for the
request's method and path, then checks the query parameters, the content type, and the
JSON body or the multipart fields (file parts where the spec says ``format: binary``,
text fields converted to the type the spec declares) with jsonschema. The specs are
vendored in ``tests/data`` (their source and digests are in its README).

The default is the 2023 spec (the API this project was asked to cover); pass
``spec=LATEST`` for parameters OpenAI added later (``encoding_format``, ...).

``check_recorded_requests`` is what the ``server`` fixture runs after every test, so
every request the suite sends to the shared server is checked; a test opts out only
with ``@pytest.mark.off_spec("why")`` (it sends bad requests on purpose) or picks the
later spec with ``@pytest.mark.latest_spec("why")``.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from openai_async.testing import ServerRequest
from openai_async.testing._multipart import parse_multipart

__all__ = [
    "LATEST",
    "SPEC_2023",
    "assert_request_matches_spec",
    "check_recorded_requests",
    "request_schema",
    "to_json_schema",
]

REFERENCE = Path(__file__).resolve().parent / "data"
SPEC_2023 = REFERENCE / "openapi-2023.yaml"
LATEST = REFERENCE / "openapi-latest.yaml"

BINARY = "<binary file part>"  # what stands for a file part in the validated instance


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is 40x faster
    with path.open("rb") as f:
        spec: dict[str, Any] = yaml.load(f, Loader=loader)
    return spec


load_spec = _load


def _resolve(spec: Mapping[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points to."""
    if isinstance(node, list):
        return [_resolve(spec, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:  # a recursive schema: stop here and accept anything below
            return {}
        target: Any = spec
        for key in ref.removeprefix("#/").split("/"):
            target = target[key]
        return _resolve(spec, target, (*seen, ref))
    return {key: _resolve(spec, value, seen) for key, value in node.items()}


def _is_string_choice(branches: list[Any]) -> bool:
    return all(isinstance(b, dict) and b.get("type") == "string" for b in branches)


def to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema object (refs resolved) as JSON Schema draft 4.

    ``nullable: true`` becomes a ``null`` alternative (also when written as an
    ``allOf`` branch of its own). The spec writes ``model`` as
    ``oneOf: [{type: string}, {type: string, enum: [...]}]`` ("any id, or one of
    these"); a known id matches both branches, so oneOf would reject exactly the
    ids it names. We read such a oneOf, whose branches are all strings, as anyOf.
    So too a oneOf with a ``discriminator``: OpenAPI picks its branch by the
    discriminator, and the latest spec's branches overlap (a ``/responses`` input
    message with a content list is both an ``EasyInputMessage`` and an ``InputMessage``).
    Other oneOfs (embedding inputs, moderation inputs) keep their strict meaning.
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    branches = node.get("allOf")
    if isinstance(branches, list) and {"nullable": True} in branches:
        # ``allOf: [X, {nullable: true}]`` is the spec's way to write "X or null".
        rest = [branch for branch in branches if branch != {"nullable": True}]
        node = {**node, "allOf": rest, "nullable": True}
    schema = {key: to_json_schema(value) for key, value in node.items()}
    if schema.get("exclusiveMinimum") is True and "minimum" in schema:
        # The draft 4 boolean form, which parts of the 3.1 spec still use: "> minimum".
        schema["exclusiveMinimum"] = schema.pop("minimum")
    if schema.get("exclusiveMaximum") is True and "maximum" in schema:
        schema["exclusiveMaximum"] = schema.pop("maximum")
    if "oneOf" in schema and (_is_string_choice(schema["oneOf"]) or "discriminator" in schema):
        schema["anyOf"] = schema.pop("oneOf")
    if schema.pop("nullable", False):
        if isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
        else:
            schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _operation(spec: Mapping[str, Any], method: str, path: str) -> dict[str, Any]:
    for template, operations in spec["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + r"\Z"
        if re.match(pattern, path) and method.lower() in operations:
            operation: dict[str, Any] = operations[method.lower()]
            return operation
    raise AssertionError(f"{method} {path} is not an operation of the spec")


def request_schema(
    method: str, path: str, content_type: str, spec: Path = SPEC_2023
) -> dict[str, Any] | None:
    """The JSON schema of the body of ``method path`` for ``content_type``, if it has one."""
    document = load_spec(spec)
    operation = _operation(document, method, path)
    body = _resolve(document, operation.get("requestBody"))
    if body is None:
        return None
    media = body["content"]
    assert content_type in media, f"{method} {path} takes {sorted(media)}, not {content_type!r}"
    schema: dict[str, Any] = to_json_schema(media[content_type]["schema"])
    if spec == SPEC_2023 and method == "POST" and path == "/chat/completions":
        _allow_null_content_of_function_calls(schema)
    return schema


def _allow_null_content_of_function_calls(schema: dict[str, Any]) -> None:
    """Accept ``content: null`` in an assistant message that carries a ``function_call``.

    An erratum of the 2023 spec, not a loosening: it types a request message's content
    as a plain string, yet says content "is required for all messages except assistant
    messages with function calls", and types the reply's content as nullable, null
    being what the model answers with a function call. The function-calling workflow
    sends that reply back as it came (the client passes messages through untouched), so
    the API accepted null there, and later specs declare it. Everywhere else, and for
    every other role, content stays a string.
    """
    messages = schema["properties"]["messages"]
    message = messages["items"]
    function_call = copy.deepcopy(message)
    function_call["properties"].update(role={"enum": ["assistant"]}, content={"type": "null"})
    function_call["required"] = ["role", "function_call"]
    messages["items"] = {"anyOf": [message, function_call]}


def _validator(spec: Path, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    if str(load_spec(spec).get("openapi", "")).startswith("3.0"):
        return jsonschema.Draft4Validator(schema)
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=512)
def _body_check(
    spec: Path, method: str, path: str, content_type: str
) -> tuple[dict[str, Any], jsonschema.protocols.Validator] | None:
    # Resolving and converting a schema costs far more than validating against it, and
    # the suite sends thousands of requests to a few dozen paths.
    schema = request_schema(method, path, content_type, spec)
    return None if schema is None else (schema, _validator(spec, schema))


# ``name[]`` (an array's item) or ``name[key]`` (an object's key), in a form or a query.
_NESTED = re.compile(r"([^\[\]]+)\[([^\[\]]*)\]")


def _branches(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A schema and the alternatives it allows (anyOf, oneOf), flattened."""
    found = [schema]
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            found += _branches(branch)
    return found


def _nested(
    properties: Mapping[str, Any], name: str, instance: dict[str, Any]
) -> tuple[Mapping[str, Any], Callable[[Any], None]] | None:
    """For ``name[]`` (an array item) or ``name[key]`` (an object's key), as the API
    reads them in a form: the item's schema, and where its value goes in ``instance``."""
    match = _NESTED.fullmatch(name)
    if match is None or match[1] not in properties:
        return None
    base, key = match[1], match[2]
    for branch in _branches(properties[base]):
        if key == "" and branch.get("type") == "array":
            return branch.get("items", {}), instance.setdefault(base, []).append
        if key and key in branch.get("properties", {}):
            return branch["properties"][key], functools.partial(
                instance.setdefault(base, {}).__setitem__, key
            )
    return None


def _form_instance(request: ServerRequest, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The multipart fields as the JSON object the schema describes.

    ``name[]`` parts are the items of an array and ``name[key]`` parts the keys of an
    object, as the API reads them (and the official SDK sends them).
    """
    properties = schema.get("properties", {})
    instance: dict[str, Any] = {}
    for part in parse_multipart(request.headers["content-type"], request.body):
        nested = None if part.name in properties else _nested(properties, part.name, instance)
        if nested is not None:
            declared, put = nested
            if part.filename is not None:
                assert declared.get("format") == "binary", f"{part.name!r} is not a file"
                put(BINARY)
            else:
                put(_typed(part.text, declared))
            continue
        assert part.name not in instance, f"field {part.name!r} sent twice"
        declared = properties.get(part.name, {})
        is_binary = _is_binary(declared)
        if part.filename is not None:
            assert is_binary, f"{part.name!r} was sent as a file; the spec wants a text field"
            assert part.content_type, f"file part {part.name!r} has no Content-Type"
            instance[part.name] = BINARY
            continue
        assert not is_binary, f"{part.name!r} was sent as a text field; the spec wants a file"
        nested = _NESTED.fullmatch(part.name)
        if nested is not None:
            # An object field goes as ``name[key]`` fields (how the official SDKs send it).
            outer, key = nested.groups()
            inner = properties.get(outer, {}).get("properties", {}).get(key, {})
            fields = instance.setdefault(outer, {})
            assert key not in fields, f"field {part.name!r} sent twice"
            fields[key] = _typed(part.text, inner)
            continue
        instance[part.name] = _typed(part.text, declared)
    return instance


def _is_binary(declared: Mapping[str, Any]) -> bool:
    """A file field: ``format: binary``, or a choice of files (one, or an array of them)."""
    if declared.get("format") == "binary":
        return True
    branches = [*declared.get("anyOf", []), *declared.get("oneOf", [])]
    return any(_is_binary(branch) for branch in branches)


def _typed(text: str, declared: Mapping[str, Any]) -> Any:
    # A form carries text; the spec types the value the text stands for (in any of
    # its alternatives: ``anyOf: [{type: boolean}, {type: null}]``).
    kinds = []
    for branch in _branches(declared):
        kind = branch.get("type")
        kinds += [kind] if isinstance(kind, str) else kind or []
    try:
        if "integer" in kinds:
            return int(text)
        if "number" in kinds:
            return float(text)
    except ValueError:
        return text  # left as text, so validation reports the field
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    return text


def spec_for(method: str, path: str) -> Path:
    """The latest spec where it has the operation; the 2023 one for the paths gone since."""
    try:
        _operation(load_spec(LATEST), method, path)
    except AssertionError:
        return SPEC_2023
    return LATEST


def assert_request_matches_spec(
    request: ServerRequest, *, spec: Path | None = None, base_path: str = "/v1"
) -> None:
    """Fail unless ``request`` is one the spec allows: path, query, content type and body.

    ``spec`` None: the latest spec, or the 2023 one for an operation it no longer has.
    """
    assert request.path.startswith(base_path + "/"), request.path
    path = request.path.removeprefix(base_path)
    if spec is None:
        spec = spec_for(request.method, path)
    document = load_spec(spec)
    operation = _operation(document, request.method, path)
    parameters = [
        p for p in _resolve(document, operation.get("parameters", [])) if p.get("in") == "query"
    ]
    declared = {p["name"] for p in parameters}
    # A deepObject parameter is sent as name[key]=value (metadata filters).
    deep = {p["name"] for p in parameters if p.get("style") == "deepObject"}
    unknown = {
        name
        for name in set(request.query) - declared
        if (nested := _NESTED.fullmatch(name)) is None or nested.group(1) not in deep
    }
    assert not unknown, f"query parameters {sorted(unknown)} are not in the spec"
    content_type = request.headers.get("content-type", "").partition(";")[0].strip()
    check = _body_check(spec, request.method, path, content_type or "-")
    if check is None:
        assert request.body == b"", f"{request.method} {path} takes no body"
        return
    schema, validator = check
    if content_type == "multipart/form-data":
        instance: Any = _form_instance(request, schema)
    else:
        instance = request.json()
    errors = sorted(validator.iter_errors(instance), key=str)
    messages = [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors]
    assert not messages, f"{request.method} {path} body breaks the spec:\n" + "\n".join(messages)


def check_recorded_requests(
    requests: Iterable[ServerRequest],
    *,
    off_spec: str | None = None,
    where: Callable[[ServerRequest], bool] | None = None,
    spec: Path | None = None,
) -> None:
    """Fail unless every request matches ``spec``, but those ``off_spec`` says are off it.

    ``off_spec`` is the reason a test sends requests the spec forbids on purpose (a
    bad body for the server to refuse, a path the API lacks); it must not be empty, so
    that no test leaves the check without saying why. With ``where``, only the requests
    it picks are passed over and the others are still checked; without, all are. A
    missing spec file checks nothing: the run's header says so, and the helper's own
    tests skip naming it.
    """
    if off_spec is not None:
        assert off_spec.strip(), "off_spec needs a reason: what the test sends on purpose"
        if where is None:
            return
    for request in requests:
        if off_spec is None or where is None or not where(request):
            assert_request_matches_spec(request, spec=spec)
