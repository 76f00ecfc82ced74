"""Amplify Hosting on the wire (moto's "responses" half): rest-json in, rest-json out.

Routing, input parsing and validation, and output serialization all come from botocore's Amplify
model (service_model.py). Each operation below only maps validated input onto the backend.
"""

from __future__ import annotations

import json
import sys
import traceback

from .. import service_model
from .exceptions import AmplifyServiceError, BadRequestException, InternalFailureException
from .models import AmplifyBackend

OPERATIONS = (
    "CreateApp", "GetApp", "UpdateApp", "DeleteApp", "ListApps",
    "CreateBranch", "GetBranch", "UpdateBranch", "DeleteBranch", "ListBranches",
    "StartJob", "GetJob", "ListJobs", "StopJob",
    "TagResource", "UntagResource", "ListTagsForResource",
)


class AmplifyResponses:
    def __init__(self, settings):
        self.settings = settings
        self.model = service_model.load("amplify")
        self.router = service_model.Router(self.model, list(OPERATIONS))

    def route(self, method: str, raw_uri: str) -> str | None:
        path, query = service_model.split_raw_uri(raw_uri)
        found = self.router.match(method, path, query)
        return found.operation if found else None

    def dispatch(self, backend: AmplifyBackend, method: str, raw_uri: str, headers: dict, body: bytes):
        """Serve one request. Returns (operation or None, status, headers, body bytes)."""
        path, query = service_model.split_raw_uri(raw_uri)
        found = self.router.match(method, path, query)
        if found is None:
            return None, *error_response(BadRequestException(f"No Amplify operation matches {method} {path}"))
        operation_model = self.model.operation_model(found.operation)
        try:
            try:
                params = service_model.parse_rest_json_input(operation_model, found.labels, query, headers, body)
            except service_model.BodyError as exc:
                raise BadRequestException(str(exc)) from exc
            problems = service_model.validate(params, operation_model.input_shape)
            if problems:
                raise BadRequestException(str(service_model.ValidationError(problems)))
            result = getattr(self, found.operation)(backend, params)
            output_shape = operation_model.output_shape
            if self.settings.strict_responses:
                problems = service_model.validate(result, output_shape, sensitive_mask=False)
                if problems:
                    raise InternalFailureException("Response does not match the Amplify model: " + "; ".join(problems))
            payload = json.dumps(service_model.serialize(result, output_shape)).encode()
            return found.operation, 200, {"Content-Type": "application/json"}, payload
        except AmplifyServiceError as exc:
            return found.operation, *error_response(self._modeled(operation_model, exc))
        except Exception as exc:  # noqa: BLE001 - a bug here must still answer in Amplify's protocol
            traceback.print_exc(file=sys.stderr)
            return found.operation, *error_response(InternalFailureException(f"Internal error: {exc!r}"))

    def _modeled(self, operation_model, exc: AmplifyServiceError) -> AmplifyServiceError:
        """The error as the operation's model allows it to be reported.

        The backend raises the same errors for every caller (NotFoundException for an unknown app),
        but some operations do not model them: ListBranches and ListJobs list no NotFoundException.
        With strict_responses, such an error is reported as the operation's BadRequestException
        (4xx) or InternalFailureException (5xx), both of which every Amplify operation models.
        """
        modeled = {shape.name for shape in operation_model.error_shapes}
        if not self.settings.strict_responses or exc.code in modeled:
            return exc
        fallback = BadRequestException if exc.status < 500 else InternalFailureException
        return fallback(exc.message)

    # -- operations: validated params in, result structure out --------------------------------
    def CreateApp(self, backend, params):
        return {"app": backend.create_app(params)}

    def GetApp(self, backend, params):
        return {"app": backend.get_app(params["appId"])}

    def UpdateApp(self, backend, params):
        return {"app": backend.update_app(params)}

    def DeleteApp(self, backend, params):
        return {"app": backend.delete_app(params["appId"])}

    def ListApps(self, backend, params):
        apps, token = backend.list_apps(params.get("maxResults"), params.get("nextToken"))
        return _listing("apps", apps, token)

    def CreateBranch(self, backend, params):
        return {"branch": backend.create_branch(params)}

    def GetBranch(self, backend, params):
        return {"branch": backend.get_branch(params["appId"], params["branchName"])}

    def UpdateBranch(self, backend, params):
        return {"branch": backend.update_branch(params)}

    def DeleteBranch(self, backend, params):
        return {"branch": backend.delete_branch(params["appId"], params["branchName"])}

    def ListBranches(self, backend, params):
        branches, token = backend.list_branches(params["appId"], params.get("maxResults"), params.get("nextToken"))
        return _listing("branches", branches, token)

    def StartJob(self, backend, params):
        return {"jobSummary": backend.start_job(params)}

    def GetJob(self, backend, params):
        return {"job": backend.get_job(params["appId"], params["branchName"], params["jobId"])}

    def ListJobs(self, backend, params):
        jobs, token = backend.list_jobs(params["appId"], params["branchName"], params.get("maxResults"), params.get("nextToken"))
        return _listing("jobSummaries", jobs, token)

    def StopJob(self, backend, params):
        return {"jobSummary": backend.stop_job(params["appId"], params["branchName"], params["jobId"])}

    def TagResource(self, backend, params):
        backend.tag_resource(params["resourceArn"], params["tags"])
        return {}

    def UntagResource(self, backend, params):
        backend.untag_resource(params["resourceArn"], params["tagKeys"])
        return {}

    def ListTagsForResource(self, backend, params):
        return {"tags": backend.list_tags(params["resourceArn"])}


def _listing(member: str, items: list, token: str | None) -> dict:
    result = {member: items}
    if token:
        result["nextToken"] = token
    return result


def error_response(exc: AmplifyServiceError):
    """rest-json error: the code in x-amzn-ErrorType, the error shape's members in the body.

    Every Amplify error shape has `message`; ResourceNotFoundException also requires `code`.
    """
    model = service_model.load("amplify")
    # An unmodeled code (one a front end may answer, injected by name): just a message, as AWS's common errors.
    members = model.shape_for(exc.code).members if exc.code in model.shape_names else ("message",)
    values = {"message": exc.message, "code": exc.code}
    body = json.dumps({name: values[name] for name in members if name in values}).encode()
    return exc.status, {"Content-Type": "application/json", "x-amzn-ErrorType": exc.code}, body
