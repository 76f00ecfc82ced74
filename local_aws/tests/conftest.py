"""One local endpoint per test session, reset before every test; boto3 clients pointed at it.

Every Amplify client made here carries the model checker (model_check.py): each Amplify response of
the whole run is checked against botocore's model, and a test fails on the first violation.
"""

from __future__ import annotations

import os

# Before boto3 or moto are imported: nothing from the host's AWS setup may leak into the tests.
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
})

import logging  # noqa: E402
import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
from botocore.config import Config  # noqa: E402
from helpers import ACCESS_KEY, ACCESS_TOKEN, AMPLIFY_PRINCIPAL, REGION, REPOSITORY, SECRET_KEY, trust_policy  # noqa: E402
from model_check import ModelChecker  # noqa: E402

from local_aws.server import make_server  # noqa: E402


class Control:
    """The unsigned control API under /_local/."""

    def __init__(self, endpoint: str):
        self.base = f"{endpoint}/_local"
        self.http = requests.Session()
        self.http.trust_env = False

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **kwargs)

    def _ok(self, method: str, path: str, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()

    def reset(self) -> None:
        self._ok("POST", "/reset")

    def configure(self, **settings) -> dict:
        return self._ok("POST", "/config", json=settings)

    def config(self) -> dict:
        return self._ok("GET", "/config")

    def requests(self, since: int | None = None) -> dict:
        return self._ok("GET", "/requests", params={} if since is None else {"since": since})

    def clear_requests(self) -> dict:
        return self._ok("DELETE", "/requests")

    def state(self) -> dict:
        return self._ok("GET", "/state")


@pytest.fixture(scope="session")
def local_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="local-aws", daemon=True)
    thread.start()
    yield server
    server.app.shutdown()  # the local compute's servers
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def endpoint(local_server):
    return f"http://127.0.0.1:{local_server.server_port}"


@pytest.fixture
def endpoint_app(local_server):
    """The endpoint's WSGI app (server.LocalAws), for the seams a test may replace (its sleep)."""
    return local_server.app


@pytest.fixture(scope="session")
def control(endpoint) -> Control:
    return Control(endpoint)


@pytest.fixture(scope="session")
def checker() -> ModelChecker:
    return ModelChecker()


@pytest.fixture(scope="session")
def make_client(endpoint, checker):
    """A boto3 client for the endpoint. No retries: an error must reach the test as it was answered.

    Amplify clients report to the session's model checker unless given their own.
    """

    def make(service: str, model_checker: ModelChecker | None = None, region: str = REGION, **config):
        client = boto3.session.Session().client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config),
        )
        if service == "amplify":
            (model_checker or checker).install(client)
        return client

    return make


@pytest.fixture(scope="session")
def amplify(make_client):
    return make_client("amplify")


@pytest.fixture(scope="session")
def amplify_unvalidated(make_client):
    """Sends what it is given: for requests boto3 would refuse client-side (a missing `name`)."""
    return make_client("amplify", parameter_validation=False)


@pytest.fixture(scope="session")
def iam(make_client):
    return make_client("iam")


@pytest.fixture(scope="session")
def s3(make_client):
    return make_client("s3")


@pytest.fixture(scope="session")
def sts(make_client):
    return make_client("sts")


@pytest.fixture(scope="session")
def logs(make_client):
    return make_client("logs")


@pytest.fixture(autouse=True)
def fresh_endpoint(control, checker):
    """Every test starts from an empty endpoint and must leave no model violation behind."""
    control.reset()
    checker.violations.clear()
    yield
    assert not checker.violations, "Amplify responses violated the model:\n" + "\n".join(checker.violations)


# -- resources -------------------------------------------------------------------------------------
@pytest.fixture
def make_app(amplify):
    def make(name: str = "app", **params) -> dict:
        return amplify.create_app(name=name, **params)["app"]

    return make


@pytest.fixture
def make_repo_app(make_app):
    """An app connected to a repository (what RELEASE jobs need)."""

    def make(name: str = "site", **params) -> dict:
        return make_app(name, repository=REPOSITORY, accessToken=ACCESS_TOKEN, **params)

    return make


@pytest.fixture
def make_branch(amplify):
    def make(app_id: str, name: str = "main", **params) -> dict:
        return amplify.create_branch(appId=app_id, branchName=name, **params)["branch"]

    return make


@pytest.fixture
def make_role(iam):
    """An IAM role trusting `services` (Amplify by default); returns its ARN."""

    def make(name: str = "amplify-compute", *services: str, policy: str | None = None) -> str:
        document = policy or trust_policy(*(services or (AMPLIFY_PRINCIPAL,)))
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"]

    return make


@dataclass
class World:
    """An app connected to a repository, with a `main` branch and one RELEASE job on it."""

    app: dict
    branch: dict
    job: dict

    @property
    def app_id(self) -> str:
        return self.app["appId"]

    @property
    def branch_name(self) -> str:
        return self.branch["branchName"]

    @property
    def job_id(self) -> str:
        return self.job["jobId"]


@pytest.fixture
def world(amplify, make_repo_app, make_branch) -> World:
    app = make_repo_app(tags={"team": "web"})
    branch = make_branch(app["appId"], "main", stage="PRODUCTION", tags={"env": "prod"})
    job = amplify.start_job(appId=app["appId"], branchName="main", jobType="RELEASE")["jobSummary"]
    return World(app, branch, job)
