"""Everything the emulator knows about wire shapes comes from botocore's own service models.

This module turns a botocore service model into:
- a router for REST protocols (method + requestUri template + literal query keys -> operation);
- an input parser (uri labels, query string, headers, JSON body) for rest-json operations;
- a validator that checks a value against a shape (required members, types, enums, lengths, ranges,
  patterns) and reports problems in the words AWS uses ("Value ... at 'x' failed to satisfy constraint");
- an output serializer (timestamps as epoch seconds, as rest-json does).

Nothing here knows about Amplify: the same code routes S3 requests for the request log.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

import botocore.loaders
import regex as unicode_regex
from botocore.model import ServiceModel, Shape


@functools.lru_cache(maxsize=None)
def load(service_name: str) -> ServiceModel:
    """Load botocore's service model for a service (cached)."""
    loader = botocore.loaders.Loader()
    return ServiceModel(loader.load_service_model(service_name, "service-2"), service_name=service_name)


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    regex: re.Pattern
    query_literals: tuple[tuple[str, str | None], ...]
    literal_length: int
    required_headers: tuple[str, ...] = ()
    required_query: tuple[str, ...] = ()
    deprecated: bool = False


@dataclass
class Match:
    operation: str
    labels: dict[str, str] = field(default_factory=dict)


def _compile_uri(request_uri: str) -> tuple[re.Pattern, tuple[tuple[str, str | None], ...], int]:
    path, _, query = request_uri.partition("?")
    pattern = ""
    literal_length = 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            group = re.sub(r"[^A-Za-z0-9_]", "_", name)
            pattern += f"(?P<{group}>.+)" if greedy else f"(?P<{group}>[^/]+)"
        else:
            pattern += re.escape(part)
            literal_length += len(part)
    literals = []
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        literals.append((key, value if sep else None))
    # A trailing slash is optional on the wire (S3 sends "/bucket" for "/{Bucket}").
    pattern = pattern.rstrip("/") + "/?"
    return re.compile(f"^{pattern}$"), tuple(literals), literal_length


class Router:
    """Finds the operation of a REST request from the model's http bindings."""

    def __init__(self, model: ServiceModel, operations: list[str] | None = None):
        self.model = model
        self.routes: list[Route] = []
        for name in operations or model.operation_names:
            operation = model.operation_model(name)
            http = operation.http
            regex, literals, literal_length = _compile_uri(http["requestUri"])
            required_headers: tuple[str, ...] = ()
            required_query: tuple[str, ...] = ()
            if operation.input_shape is not None:
                members = operation.input_shape.members
                required = [members[m] for m in operation.input_shape.required_members]
                required_headers = tuple(m.serialization["name"].lower() for m in required
                                         if m.serialization.get("location") == "header")
                # S3's DeleteObject and AbortMultipartUpload share DELETE /{Bucket}/{Key+}; only the
                # required ?uploadId tells them apart.
                required_query = tuple(m.serialization["name"] for m in required
                                       if m.serialization.get("location") == "querystring")
            self.routes.append(Route(name, http["method"], regex, literals, literal_length, required_headers,
                                     required_query, bool(operation.deprecated)))
        # Most specific first: more literal query keys, required query members and required headers,
        # then longer literal paths. Where two operations share a binding (S3's GetBucketLifecycle and
        # GetBucketLifecycleConfiguration), the one that is not deprecated.
        self.routes.sort(key=lambda r: (len(r.query_literals) + len(r.required_headers) + len(r.required_query),
                                        r.literal_length, not r.deprecated), reverse=True)

    def match(self, method: str, raw_path: str, query: dict[str, list[str]], headers: dict[str, str] | None = None) -> Match | None:
        header_names = {k.lower() for k in (headers or {})}
        for route in self.routes:
            if route.method != method:
                continue
            if not all(h in header_names for h in route.required_headers):
                continue
            if not all(q in query for q in route.required_query):
                continue
            found = route.regex.match(raw_path)
            if not found:
                continue
            if not all(k in query and (v is None or v in query[k]) for k, v in route.query_literals):
                continue
            labels = {k: unquote(v) for k, v in found.groupdict().items()}
            return Match(route.operation, labels)
        return None


def split_raw_uri(raw_uri: str) -> tuple[str, dict[str, list[str]]]:
    """Split a raw request URI into its (still percent-encoded) path and its parsed query."""
    path, _, query = raw_uri.partition("?")
    return path, parse_qs(query, keep_blank_values=True)


class ValidationError(Exception):
    """Input does not satisfy the model. `messages` are in the AWS wording."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        count = len(messages)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{count} validation {noun} detected: " + "; ".join(messages))


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def validate(value, shape: Shape, path: str = "", *, sensitive_mask: bool = True) -> list[str]:
    """Check `value` against `shape`; return problems in AWS's validation wording (empty when valid)."""
    problems: list[str] = []
    where = path or shape.name
    shown = "***" if sensitive_mask and shape.metadata.get("sensitive") else None
    type_name = shape.type_name
    if type_name == "structure":
        if not isinstance(value, dict):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be an object"]
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null")
        for name, member_value in value.items():
            if name not in shape.members:
                problems.append(f"Unknown member '{_join(path, name)}'")
                continue
            if member_value is None:
                continue
            problems += validate(member_value, shape.members[name], _join(path, name), sensitive_mask=sensitive_mask)
        return problems
    if type_name == "list":
        if not isinstance(value, list):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a list"]
        problems += _check_range(len(value), shape, where, "Member must have length")
        for index, item in enumerate(value):
            problems += validate(item, shape.member, f"{where}.{index + 1}", sensitive_mask=sensitive_mask)
        return problems
    if type_name == "map":
        if not isinstance(value, dict):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a map"]
        problems += _check_range(len(value), shape, where, "Member must have length")
        for key, item in value.items():
            problems += validate(key, shape.key, f"{where}.key", sensitive_mask=sensitive_mask)
            problems += validate(item, shape.value, f"{where}.{key}", sensitive_mask=sensitive_mask)
        return problems
    if type_name == "string":
        if not isinstance(value, str):
            return [f"Value '{_short(value)}' at '{where}' failed to satisfy constraint: Member must be a string"]
        text = shown or f"'{_short(value)}'"
        enum = shape.enum
        if enum and value not in enum:
            problems.append(f"Value {text} at '{where}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(enum)}]")
        problems += _check_range(len(value), shape, where, "Member must have length", text)
        pattern = shape.metadata.get("pattern")
        if pattern and not _pattern(pattern).search(value):
            problems.append(f"Value {text} at '{where}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
        return problems
    if type_name in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"Value '{_short(value)}' at '{where}' failed to satisfy constraint: Member must be an integer"]
        return _check_range(value, shape, where, "Member must have value", f"'{value}'")
    if type_name == "boolean":
        if not isinstance(value, bool):
            return [f"Value '{_short(value)}' at '{where}' failed to satisfy constraint: Member must be a boolean"]
        return problems
    if type_name == "timestamp":
        if not isinstance(value, (datetime.datetime, int, float)) or isinstance(value, bool):
            return [f"Value '{_short(value)}' at '{where}' failed to satisfy constraint: Member must be a timestamp"]
        return problems
    if type_name in ("blob",):
        if not isinstance(value, (bytes, str)):
            return [f"Value at '{where}' failed to satisfy constraint: Member must be a blob"]
    return problems


@functools.lru_cache(maxsize=None)
def _pattern(pattern: str) -> unicode_regex.Pattern:
    """Compile a model's pattern. Models write them for Java, with Unicode classes such as \\p{L}
    (TagValue: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$) that only the `regex` module understands."""
    return unicode_regex.compile(pattern)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check_range(measure: int, shape: Shape, where: str, wording: str, shown: str | None = None) -> list[str]:
    problems = []
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    value_text = shown or f"'{measure}'"
    if minimum is not None and measure < minimum:
        problems.append(f"Value {value_text} at '{where}' failed to satisfy constraint: {wording} greater than or equal to {minimum}")
    if maximum is not None and measure > maximum:
        problems.append(f"Value {value_text} at '{where}' failed to satisfy constraint: {wording} less than or equal to {maximum}")
    return problems


def _coerce(text: str, shape: Shape):
    """Turn a query-string or header value into the shape's type (invalid values are left as text)."""
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if shape.type_name == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    return text


class BodyError(Exception):
    """The body is not valid JSON."""


def parse_rest_json_input(operation_model, labels: dict[str, str], query: dict[str, list[str]],
                          headers: dict[str, str], body: bytes) -> dict:
    """Build the input parameters of a rest-json operation from the pieces of an HTTP request."""
    shape = operation_model.input_shape
    params: dict = {}
    if shape is None:
        return params
    payload = {}
    if body:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise BodyError(f"Request body is not valid JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise BodyError("Request body must be a JSON object")
    lower_headers = {k.lower(): v for k, v in headers.items()}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = labels[wire_name]
        elif location == "querystring":
            if wire_name in query:
                values = query[wire_name]
                if member.type_name == "list":
                    params[name] = [_coerce(v, member.member) for v in values]
                else:
                    params[name] = _coerce(values[-1], member)
        elif location == "header":
            if wire_name.lower() in lower_headers:
                params[name] = _coerce(lower_headers[wire_name.lower()], member)
        elif wire_name in payload:
            params[name] = payload.pop(wire_name)
    for unknown in payload:
        # Real services ignore members they do not model; keep them visible for validation.
        params[unknown] = payload[unknown]
    return params


def serialize(value, shape: Shape):
    """Turn a result value into what rest-json puts on the wire for `shape`."""
    if value is None:
        return None
    type_name = shape.type_name
    if type_name == "structure":
        return {name: serialize(value[name], shape.members[name]) for name in value if name in shape.members and value[name] is not None}
    if type_name == "list":
        return [serialize(item, shape.member) for item in value]
    if type_name == "map":
        return {key: serialize(item, shape.value) for key, item in value.items()}
    if type_name == "timestamp":
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        return value
    return value
