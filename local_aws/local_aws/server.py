"""One WSGI application on one port: Amplify for requests signed for `amplify`, moto for the rest.

Control API (not AWS; unsigned JSON under /_local/):
  GET    /_local/health              {"ok": true}
  GET    /_local/requests[?since=N]  the request log: [{seq, service, operation, kind, status, region, injected,
                                     served_status, delay_ms, account}]; injected: answered by a fault; served_status:
                                     what the backend answered (null when the request never reached it); delay_ms:
                                     how long the latency model held it (latency.py); account: the account of the
                                     signing credentials (accounts.py; null when unsigned)
  DELETE /_local/requests            empty the request log
  GET    /_local/config              the settings; POST merges a JSON object into them
  GET    /_local/state               Amplify state per account/region (apps, branches, jobs counts)
  POST   /_local/reset               empty all state (Amplify and moto), the log and the settings; stops every
                                     running compute
  GET    /_local/compute             the running computes: [{appId, branchName, url, port, roleArn, jobId, pid}]
  GET    /_local/compute/credentials the container credentials endpoint of a running compute (its
                                     AWS_CONTAINER_AUTHORIZATION_TOKEN in Authorization): a session of the
                                     branch's effective compute role
  POST   /_local/compute/sessions    {"roleArn", "sessionName"}: a session of that role, as a compute gets one (the
                                     same JSON), for a server run outside the local compute (the example's tests)
  GET    /_local/compute/logs/<appId>/<branch>/<jobId>/<STEP>   a compute job's step log (the Step's logUrl)

Branch URLs (the local Amplify Hosting compute, local_aws/compute): a request whose Host is
<branch>.<appId>.localhost[:port] or <branch>.<appId>.amplifyapp.com is proxied to that branch's running
Next.js server, as https://<branch>.<appId>.amplifyapp.com is served on AWS.

Requests signed with a compute session's credentials are authorized by IAM's rules (compute_auth.py); every
other request (the operator's keys) is served unrestricted, as before. Each request is served in the account of the
credentials that signed it (accounts.py: settings.access_key_accounts, compute sessions, moto's own keys), and
sts:AssumeRole into another account's role needs that role's trust.

This module is the WSGI app and its routing. Beside it: the request log (request_log.py), fault injection
(faults.py), the latency model (latency.py) and the corrections to moto (moto_patches.py, applied on import).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import time

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402

from . import accounts, compute_auth, latency, moto_patches, service_model, wire  # noqa: E402
from .amplify.models import AmplifyRegistry  # noqa: E402
from .amplify.responses import AmplifyResponses  # noqa: E402
from .compute import proxy  # noqa: E402
from .compute.runner import HostingRunner  # noqa: E402
from .faults import FaultInjector, fingerprint  # noqa: E402
from .request_log import RequestLog  # noqa: E402
from .settings import Settings  # noqa: E402

moto_patches.apply()

DEFAULT_REGION = "us-east-1"
# A branch URL: <branch display name>.<appId>.localhost or .amplifyapp.com, with an optional port.
BRANCH_HOST = re.compile(r"^(?P<branch>[A-Za-z0-9-]+)\.(?P<app>d[a-z0-9]+)\.(?:localhost|amplifyapp\.com)(?::\d+)?$")
COMPUTE_LOG = re.compile(r"^/_local/compute/logs/(d[a-z0-9]+)/([^/]+)/(\d+)/(BUILD|DEPLOY|VERIFY)$")


class LocalAws:
    def __init__(self, settings: Settings | None = None, sleep=time.sleep):
        self.settings = settings or Settings()
        self.sleep = sleep  # how the latency model waits (seconds); tests may pass their own
        self.public_url = ""  # http://127.0.0.1:<port>, set by make_server
        self.sessions = compute_auth.ComputeSessions(clock=self.now)
        self.amplify_registry = AmplifyRegistry(self.settings)
        work_dir = os.environ.get("LOCAL_AWS_WORK_DIR") or tempfile.mkdtemp(prefix="local-aws-work-")
        self.compute = HostingRunner(self.settings, work_dir, self.amplify_registry.lookup, self.sessions,
                                     public_url=lambda: self.public_url)
        self.amplify_registry.job_runner = self.compute
        self.amplify = AmplifyResponses(self.settings)
        self.log = RequestLog()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.faults = FaultInjector(self.settings)

    def now(self):
        """The endpoint's clock for compute sessions: the wall clock plus settings.clock_offset_seconds."""
        import datetime

        return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.settings.clock_offset_seconds)

    def shutdown(self) -> None:
        """Stop every running compute (the endpoint is going away)."""
        self.compute.stop_all()

    # -- WSGI ----------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        branch_host = BRANCH_HOST.match(environ.get("HTTP_HOST", ""))
        if branch_host:
            return self._serve_branch(environ, start_response, branch_host.group("app"), branch_host.group("branch"))
        if path.startswith("/_local/"):
            return self._control(environ, start_response)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        method = environ["REQUEST_METHOD"]
        body = _read_body(environ)
        headers = _headers(environ)
        _, query = service_model.split_raw_uri(raw_uri)
        access_key, region, service = wire.credential_scope(environ, query)
        region = region or DEFAULT_REGION
        if service is None:
            # Unsigned requests (an anonymous GET of an object, for instance) can only be S3's.
            service = "s3"

        if service == "amplify":
            operation = self.amplify.route(method, raw_uri) or f"{method} {path}"
        else:
            operation = wire.operation_of(service, method, raw_uri, headers, body)
        kind = "read" if wire.is_read(operation) else "write"
        delay_ms = latency.delay_ms(self.settings.latency_ms, service, kind)
        if delay_ms:
            self.sleep(delay_ms / 1000)

        fault = self.faults.pick(service, operation, fingerprint(service, operation, method, raw_uri, body))
        caller = accounts.caller_of(access_key, self.settings.access_key_accounts, self.sessions)
        logged = dict(service=service, operation=operation, kind=kind, region=region, delay_ms=delay_ms,
                      account=caller.account if caller else None)
        session = self.sessions.find(access_key) if access_key else None
        if session is not None:
            denied = compute_auth.authorize(session, service, operation, method, raw_uri, headers, body, region, self.now())
            if denied is not None:
                status, out_headers, payload = denied
                self.log.add(status=status, served_status=None, **logged)
                return _respond(start_response, status, out_headers, payload)
        if fault is not None and fault.phase == "before":
            status, out_headers, payload = wire.fault_response(service, fault.error)
            self.log.add(status=status, injected=True, **logged)
            return _respond(start_response, status, out_headers, payload)

        if service == "sts" and operation == "AssumeRole" and caller is not None:
            refusal = accounts.assume_role_refusal(caller, raw_uri, body)
            if refusal is not None:
                status, out_headers, payload = compute_auth.access_denied(service, method, refusal)
                if fault is not None:
                    return self._lost_response(start_response, fault, status, logged)
                self.log.add(status=status, served_status=status, **logged)
                return _respond(start_response, status, out_headers, payload)

        if service == "amplify":
            backend = self.amplify_registry.get(caller.account if caller else _default_account(), region)
            _, status, out_headers, payload = self.amplify.dispatch(backend, method, raw_uri, headers, body)
            if fault is not None:
                return self._lost_response(start_response, fault, status, logged)
            self.log.add(status=status, served_status=status, **logged)
            return _respond(start_response, status, out_headers, payload)

        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        captured = {}

        def capture(status_line, response_headers, exc_info=None):
            captured["status"] = int(status_line.split()[0])
            if fault is not None:  # the answer is replaced by the fault's
                return lambda data: None
            return start_response(status_line, response_headers, exc_info)

        with accounts.serving(caller):  # moto's account lookup and GetCallerIdentity answer this caller
            result = self.moto(environ, capture)
            chunks = list(result)
            if hasattr(result, "close"):
                result.close()
        if fault is not None:
            return self._lost_response(start_response, fault, captured.get("status", 0), logged)
        self.log.add(status=captured.get("status", 0), served_status=captured.get("status", 0), **logged)
        return chunks

    def _serve_branch(self, environ, start_response, app_id: str, display_name: str):
        """A branch URL: the branch's running compute answers, or a 404 that says why nothing does."""
        deployment = self.compute.find(app_id, display_name)
        if deployment is None or not deployment.alive():
            message = (f"Nothing serves branch {display_name} of app {app_id} on this endpoint: no RELEASE of it has "
                       "succeeded on the local compute (its app's repository must be one of the endpoint's "
                       "repositories; see local-aws repository).\n")
            return _respond(start_response, 404, {"Content-Type": "text/plain; charset=utf-8"}, message.encode())
        answer = proxy.forward(environ, start_response, deployment.port, _read_body(environ))
        # What the server wrote while it served the request goes to its logs (or is dropped) as the app is now,
        # before the client has the answer and may change the app's service role (compute/output.py).
        deployment.drain_output()
        return answer

    def _lost_response(self, start_response, fault, served_status: int, logged: dict):
        """A fault in phase "after": the request was served; its answer is replaced by the fault's error."""
        status, out_headers, payload = wire.fault_response(logged["service"], fault.error)
        self.log.add(status=status, injected=True, served_status=served_status, **logged)
        return _respond(start_response, status, out_headers, payload)

    # -- control API ---------------------------------------------------------------------------
    def _control(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"].rstrip("/")
        _, query = service_model.split_raw_uri(environ.get("RAW_URI") or environ.get("REQUEST_URI") or path)
        try:
            if path == "/_local/health":
                return _json(start_response, 200, {"ok": True})
            if path == "/_local/requests" and method == "GET":
                since = int(query.get("since", ["0"])[0])
                return _json(start_response, 200, {"requests": self.log.since(since), "last": self.log.seq})
            if path == "/_local/requests" and method == "DELETE":
                self.log.clear()
                return _json(start_response, 200, {"last": self.log.seq})
            if path == "/_local/config" and method == "GET":
                return _json(start_response, 200, self.settings.as_dict())
            if path == "/_local/config" and method == "POST":
                self.settings.update(json.loads(_read_body(environ) or b"{}"))
                self.faults.reconfigured()
                return _json(start_response, 200, self.settings.as_dict())
            if path == "/_local/state":
                return _json(start_response, 200, {"amplify": self.amplify_registry.snapshot()})
            if path == "/_local/reset" and method == "POST":
                self.reset()
                return _json(start_response, 200, {"ok": True})
            if path == "/_local/compute" and method == "GET":
                return _json(start_response, 200, {"computes": self.compute.running()})
            if path == "/_local/compute/credentials" and method == "GET":
                status, body = self.compute.credentials(environ.get("HTTP_AUTHORIZATION", ""))
                return _json(start_response, status, body)
            if path == "/_local/compute/sessions" and method == "POST":
                asked = json.loads(_read_body(environ) or b"{}")
                if not isinstance(asked, dict):
                    raise ValueError("the body must be a JSON object")
                session = self.sessions.issue(asked.get("roleArn"), asked.get("sessionName") or "local-compute",
                                              duration_seconds=self.settings.compute_session_seconds)
                return _json(start_response, 200, session.as_container_credentials())
            # The branch stays percent-encoded (a branch name may hold "/"): match the raw path.
            found = COMPUTE_LOG.match((environ.get("RAW_URI") or environ.get("REQUEST_URI") or path).split("?")[0])
            if found and method == "GET":
                text = self.compute.step_log(*found.groups())
                if text is None:
                    return _json(start_response, 404, {"error": f"no log at {path}"})
                return _respond(start_response, 200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())
        except (ValueError, TypeError) as exc:
            return _json(start_response, 400, {"error": str(exc)})
        return _json(start_response, 404, {"error": f"no control endpoint {method} {path}"})

    def reset(self) -> None:
        from moto.moto_api import _internal

        self.compute.stop_all()
        self.sessions.clear()
        self.amplify_registry.reset()
        self.log.clear()
        fresh = Settings()
        for name, value in fresh.as_dict().items():
            setattr(self.settings, name, getattr(fresh, name))
        self.faults.forget()
        _internal.moto_api_backend.reset()


def _default_account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length > 0:
        return stream.read(length)
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return stream.read()
    return b""


def _headers(environ) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def _respond(start_response, status: int, headers: dict, payload: bytes):
    headers = {**headers, "Content-Length": str(len(payload))}
    start_response(f"{status} {_REASONS.get(status, 'Status')}", list(headers.items()))
    return [payload]


def _json(start_response, status: int, value) -> list[bytes]:
    return _respond(start_response, status, {"Content-Type": "application/json"}, json.dumps(value, default=str).encode())


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def make_server(host: str, port: int, app: LocalAws | None = None):
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server as werkzeug_make_server

    app = app or LocalAws()
    server = werkzeug_make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    app.public_url = f"http://{host}:{server.server_port}"
    return server
