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
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Filter", "Search", "Select", "Test", "Simulate", "Batch Get")


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


THROTTLE = {
    "query": (400, "Throttling", "Rate exceeded"),
    "json": (400, "ThrottlingException", "Rate exceeded"),
    "rest-xml": (503, "SlowDown", "Please reduce your request rate."),
    "rest-json": (429, "TooManyRequestsException", "Rate exceeded"),
}
SERVER_ERRORS = {
    "500": {"query": "InternalFailure", "json": "InternalFailure", "rest-xml": "InternalError", "rest-json": "InternalFailureException"},
    "503": {"query": "ServiceUnavailable", "json": "ServiceUnavailableException", "rest-xml": "ServiceUnavailable", "rest-json": "ServiceUnavailableException"},
}
# Amplify names its own codes; its model has no ThrottlingException, it throttles with LimitExceeded.
AMPLIFY_ERRORS = {
    "throttle": "LimitExceededException",
    "500": "InternalFailureException",
    "503": "DependentServiceFailureException",
}


def fault_response(service: str, error: str) -> tuple[int, dict, bytes]:
    """An error answer in `service`'s protocol. `error`: throttle, 500, 503, or an explicit code."""
    if service == "amplify":
        from .amplify import exceptions, responses

        code = AMPLIFY_ERRORS.get(error, error)
        cls = exceptions.BY_CODE.get(code, exceptions.InternalFailureException)
        return responses.error_response(cls(f"Injected fault: {cls.code}"))
    proto = protocol(service)
    if error == "throttle":
        status, code, message = THROTTLE.get(proto, THROTTLE["query"])
    elif error in SERVER_ERRORS:
        status, code, message = int(error), SERVER_ERRORS[error].get(proto, "InternalFailure"), "Injected fault"
    else:
        status, code, message = 400, error, "Injected fault"
    request_id = str(uuid.uuid4())
    if proto == "json" or proto == "rest-json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}, body
    if proto == "rest-xml":
        body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return status, {"Content-Type": "application/xml"}, body.encode()
    kind = "Receiver" if status >= 500 else "Sender"
    body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml"}, body.encode()
