"""Check Amplify responses against botocore's Amplify service model, independently of the emulator.

Nothing here imports local_aws: outputs are checked with botocore's own ParamValidator (required
members, types) plus an enum walk, errors against the operation's modeled error shapes and their
httpStatusCode. `ModelChecker.install(client)` hooks a boto3 client so every response it receives
is checked; a violation raises `ModelViolation` from inside the call and is recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator


class ModelViolation(AssertionError):
    """A response that botocore's model does not allow."""


def enum_problems(value, shape: Shape, path: str) -> list[str]:
    """Strings outside their shape's enum, anywhere in `value` (ParamValidator does not check enums)."""
    if value is None:
        return []
    if shape.type_name == "structure" and isinstance(value, dict):
        return [p for name, item in value.items() if name in shape.members
                for p in enum_problems(item, shape.members[name], f"{path}.{name}")]
    if shape.type_name == "list" and isinstance(value, list):
        return [p for index, item in enumerate(value) for p in enum_problems(item, shape.member, f"{path}[{index}]")]
    if shape.type_name == "map" and isinstance(value, dict):
        return [p for key, item in value.items()
                for p in enum_problems(key, shape.key, f"{path}<key>") + enum_problems(item, shape.value, f"{path}.{key}")]
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        return [f"{path}: {value!r} is not one of {shape.enum}"]
    return []


def shape_problems(value: dict, shape: Shape) -> list[str]:
    """botocore's ParamValidator (required members, unknown members, types) plus the enum walk."""
    report = ParamValidator().validate(value, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + enum_problems(value, shape, shape.name)


def output_problems(operation: OperationModel, status: int, parsed: dict, body: bytes) -> list[str]:
    """What is wrong with a successful response.

    Both what botocore parsed and the JSON body as it came on the wire are checked: the parser
    drops members the model does not declare and turns a boolean sent as "yes" into False.
    """
    expected_status = operation.http.get("responseCode", 200)
    problems = [] if status == expected_status else [f"status {status}, the model says {expected_status}"]
    shape = operation.output_shape
    if shape is None:
        return problems
    problems += ["parsed: " + p for p in shape_problems({k: v for k, v in parsed.items() if k != "ResponseMetadata"}, shape)]
    try:
        raw = json.loads(body or b"{}")
    except ValueError:
        return problems + [f"body is not JSON: {body[:100]!r}"]
    return problems + ["wire: " + p for p in shape_problems(raw, shape)]


def error_problems(operation: OperationModel, status: int, code: str | None, body: bytes = b"{}") -> list[str]:
    """What is wrong with an error response: code not modeled for the operation, wrong status, bad body."""
    modeled = {shape.name: shape for shape in operation.error_shapes}
    if not code:
        return [f"status {status} without an x-amzn-ErrorType header"]
    if code not in modeled:
        return [f"{code} is not an error of {operation.name} (modeled: {sorted(modeled)})"]
    shape = modeled[code]
    problems = []
    if status != shape.metadata["error"]["httpStatusCode"]:
        problems.append(f"{code} answered with status {status}, the model says {shape.metadata['error']['httpStatusCode']}")
    try:
        raw = json.loads(body or b"{}")
    except ValueError:
        return problems + [f"error body is not JSON: {body[:100]!r}"]
    if not isinstance(raw, dict):
        return problems + ["error body is not a JSON object"]
    # The body may carry protocol members (__type, code) besides the shape's own.
    return problems + shape_problems({k: v for k, v in raw.items() if k in shape.members}, shape)


@dataclass
class Checked:
    operation: str
    status: int
    code: str | None
    body: bytes


@dataclass
class ModelChecker:
    checked: list[Checked] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def install(self, client) -> None:
        client.meta.events.register("after-call.amplify", self.after_call)

    def after_call(self, http_response, parsed, model: OperationModel, **_) -> None:
        status = http_response.status_code
        body = http_response.content or b""
        if status < 300:
            code = None
            problems = output_problems(model, status, parsed, body)
        else:
            # rest-json puts the code in x-amzn-ErrorType, possibly followed by ":<url>".
            code = (http_response.headers.get("x-amzn-ErrorType") or "").split(":")[0] or None
            problems = error_problems(model, status, code, body)
            if code and parsed.get("Error", {}).get("Code") != code:
                problems.append(f"botocore parsed code {parsed.get('Error', {}).get('Code')!r}, header says {code!r}")
        self.checked.append(Checked(model.name, status, code, body))
        if problems:
            message = f"{model.name} ({status}) violates the Amplify model: " + "; ".join(problems)
            self.violations.append(message)
            raise ModelViolation(message)
