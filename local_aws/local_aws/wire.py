"""What a request is (service, region, operation, read or write) and how each protocol says "error".

Both are read off botocore's models, so they hold for every service moto serves: the service from
the SigV4 credential scope, the operation from X-Amz-Target (json), the Action parameter (query) or
the REST route (rest-xml, rest-json), and the error body in the service's own protocol.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from urllib.parse import parse_qs

from . import service_model

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Filter", "Search", "Select", "Test", "Simulate", "BatchGet", "Scan", "Query")


def credential_scope(environ: dict, query: dict[str, list[str]]) -> tuple[str | None, str | None, str | None]:
    """(access key, region, service) of a SigV4 request, from the header or a presigned URL."""
    found = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if found:
        return found.group(1), found.group(2), found.group(3)
    credential = query.get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    if len(parts) == 5:
        return parts[0], parts[2], parts[3]
    return None, None, None


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES) or operation in ("AssumeRole", "GetCallerIdentity")


@functools.lru_cache(maxsize=None)
def protocol(service: str) -> str:
    try:
        return service_model.load(service).metadata["protocol"]
    except Exception:  # noqa: BLE001 - a service botocore does not know: treat as query
        return "query"


@functools.lru_cache(maxsize=None)
def _router(service: str) -> service_model.Router:
    return service_model.Router(service_model.load(service))


def operation_of(service: str, method: str, raw_uri: str, headers: dict, body: bytes) -> str:
    """The API operation a request to a moto-served service is calling."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    path, query = service_model.split_raw_uri(raw_uri)
    if "Action" in query:
        return query["Action"][0]
    content_type = headers.get("Content-Type", "")
    if body and "x-www-form-urlencoded" in content_type:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    if protocol(service).startswith("rest"):
        try:
            found = _router(service).match(method, path, query, headers)
        except Exception:  # noqa: BLE001
            found = None
        if found:
            return found.operation
    return f"{method} {path}"


# How each protocol's front end says "slow down" and "server error", as botocore's models and AWS's common
# errors name them (https://docs.aws.amazon.com/general/latest/gr/api-retries.html): query services (IAM, STS)
# Throttling 400, json services (Logs, KMS...) ThrottlingException 400, S3 SlowDown 503; 500 is InternalFailure
# (S3: InternalError), 503 ServiceUnavailable. A service whose model names its own shape for one of these
# (Logs: ServiceUnavailableException, Lambda: TooManyRequestsException 429) answers with that shape.
THROTTLE = {
    "query": (400, "Throttling"),
    "ec2": (503, "RequestLimitExceeded"),
    "json": (400, "ThrottlingException"),
    "rest-xml": (400, "Throttling"),
    "rest-json": (400, "ThrottlingException"),
}
S3_THROTTLE = (503, "SlowDown")
MODELED_THROTTLE = ("ThrottlingException", "TooManyRequestsException")
SERVER_ERRORS = {
    "500": {"*": "InternalFailure", "s3": "InternalError"},
    "503": {"*": "ServiceUnavailable"},
}
MODELED_SERVER_ERRORS = {"500": (), "503": ("ServiceUnavailableException",)}
MESSAGES = {"throttle": "Rate exceeded", "500": "We encountered an internal error. Please try again.",
            "503": "Service is unable to handle request."}
# Amplify names its own codes: its model has no throttling shape; LimitExceededException (429) is how it says
# "too many requests". TooManyRequestsException (429) and ThrottlingException (400) are not in its model but
# can be injected by name, as the front end AWS puts before a service may answer them.
AMPLIFY_ERRORS = {
    "throttle": "LimitExceededException",
    "500": "InternalFailureException",
    "503": "DependentServiceFailureException",
}
UNMODELED_STATUS = {"TooManyRequestsException": 429, "ThrottlingException": 400, "ServiceUnavailable": 503,
                    "ServiceUnavailableException": 503, "InternalFailure": 500, "InternalError": 500, "SlowDown": 503}


@functools.lru_cache(maxsize=None)
def modeled_errors(service: str) -> dict[str, int]:
    """{error code: HTTP status} of the error shapes `service`'s botocore model names (None: no status given)."""
    try:
        model = service_model.load(service)
    except Exception:  # noqa: BLE001 - a service botocore does not know
        return {}
    errors = {}
    for name in model.operation_names:
        for shape in model.operation_model(name).error_shapes:
            info = shape.metadata.get("error", {})
            errors[info.get("code", shape.name)] = info.get("httpStatusCode")
    return errors


def fault_code(service: str, error: str) -> tuple[int, str]:
    """(HTTP status, error code) of the fault `error` (throttle, 500, 503, or a code) for `service`."""
    modeled = modeled_errors(service)
    if error == "throttle":
        if service == "s3":
            return S3_THROTTLE
        for code in MODELED_THROTTLE:
            if code in modeled:
                return modeled[code] or UNMODELED_STATUS[code], code
        return THROTTLE.get(protocol(service), THROTTLE["query"])
    if error in SERVER_ERRORS:
        for code in MODELED_SERVER_ERRORS[error]:
            if code in modeled:
                return int(error), code
        return int(error), SERVER_ERRORS[error].get(service, SERVER_ERRORS[error]["*"])
    return modeled.get(error) or UNMODELED_STATUS.get(error, 400), error


def fault_response(service: str, error: str) -> tuple[int, dict, bytes]:
    """An error answer in `service`'s protocol. `error`: throttle, 500, 503, or an explicit code."""
    if service == "amplify":
        from .amplify import exceptions, responses

        code = AMPLIFY_ERRORS.get(error, error)
        cls = exceptions.BY_CODE.get(code) or exceptions.unmodeled(code, UNMODELED_STATUS.get(code, 400))
        return responses.error_response(cls(f"Injected fault: {cls.code}"))
    proto = protocol(service)
    status, code = fault_code(service, error)
    message = MESSAGES.get(error, "Injected fault")
    request_id = str(uuid.uuid4())
    if proto == "json" or proto == "rest-json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id,
                        "x-amzn-ErrorType": code}, body
    if proto == "rest-xml":
        body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return status, {"Content-Type": "application/xml"}, body.encode()
    if proto == "ec2":
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>{message}"
                f"</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
        return status, {"Content-Type": "text/xml"}, body.encode()
    kind = "Receiver" if status >= 500 else "Sender"
    body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml"}, body.encode()
