"""End-to-end test of the example app: the built Next.js server against the local AWS endpoint.

Run by ``make example-test``, which starts the endpoint, runs ``npm ci`` and ``npm run build`` first and
exports AWS_ENDPOINT_URL with dummy credentials. A bucket with a PNG is created through boto3, then
``next start`` serves the built app with BUCKET_NAME/OBJECT_KEY in its environment, as Amplify Hosting's
compute does with the variables the build wrote into .env.production.
"""

from __future__ import annotations

import hashlib
import importlib
import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest

APP_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = APP_DIR.parents[1]
IMAGE = REPO_DIR / "playbooks" / "files" / "amplify-logo.png"
NEXT_BIN = APP_DIR / "node_modules" / ".bin" / "next"
OBJECT_KEY = "images/amplify-logo.png"
BUTTON_TEXT = "Reveal the private image"
START_TIMEOUT = 60.0  # seconds for `next start` to answer
LOG_TIMEOUT = 30.0  # seconds for a log line to reach the server's output file (generous: a loaded machine)
ROUTE_VARIABLES = ("BUCKET_NAME", "OBJECT_KEY", "CONFIG_PARAMETER", "SECRET_ID", "ITEMS_TABLE", "ITEM_ID")
# The dummy keys the Makefile exports (these defaults only when run otherwise): must never be logged.
ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "local-aws-access-key")
SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "local-aws-secret-key")


def _local_endpoint() -> str:
    """AWS_ENDPOINT_URL, refusing anything but a loopback address (never a real account)."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    host = urlparse(url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        pytest.fail(
            f"AWS_ENDPOINT_URL={url!r} is not a loopback IP address such as http://127.0.0.1:4566: "
            "run this test through `make example-test`",
            pytrace=False,
        )
    return url


def _get(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body, for error statuses too."""
    request = urllib.request.Request(url, headers={"Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One `next start` process, its URL and its output files."""

    name: str
    process: subprocess.Popen
    base_url: str
    stdout: Path
    stderr: Path
    _files: list = field(default_factory=list)

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def wait_for_line(self, path: Path, needle: str) -> str:
        """The first line of `path` containing `needle`, polled until LOG_TIMEOUT."""
        deadline = time.monotonic() + LOG_TIMEOUT
        while True:
            for line in path.read_text(errors="replace").splitlines():
                if needle in line:
                    return line
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: no line with {needle!r} in {path.name}:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            # `next start` is the leader of its own process group: end the group (it may fork workers).
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for handle in self._files:
            handle.close()


@pytest.fixture(scope="session")
def endpoint() -> str:
    return _local_endpoint()


@pytest.fixture(scope="session", autouse=True)
def built_app() -> None:
    if not NEXT_BIN.exists() or not (APP_DIR / ".next" / "BUILD_ID").exists():
        pytest.fail(f"{APP_DIR} is not built: run `make example-test` (npm ci, npm run build)", pytrace=False)
    # `next start` loads .env* files of the app directory; a value there would hide what a test leaves unset.
    for env_file in sorted(APP_DIR.glob(".env*")):
        defined = [
            name
            for line in env_file.read_text(errors="replace").splitlines()
            for name in ROUTE_VARIABLES
            if line.strip().startswith((f"{name}=", f"export {name}="))
        ]
        if defined:
            pytest.fail(f"{env_file} sets {', '.join(defined)}: remove it before running the tests", pytrace=False)


@pytest.fixture(scope="session")
def s3(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )


@pytest.fixture(scope="session")
def bucket(s3) -> str:
    """A private bucket of its own (a fresh name per run) holding the PNG at OBJECT_KEY."""
    name = f"nextjs-demo-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key=OBJECT_KEY, Body=IMAGE.read_bytes(), ContentType="image/png")
    yield name
    listed = s3.list_objects_v2(Bucket=name).get("Contents", [])
    if listed:
        s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": o["Key"]} for o in listed]})
    s3.delete_bucket(Bucket=name)


@pytest.fixture(scope="session")
def start_server(endpoint: str, tmp_path_factory):
    """Starts `next start` with the given route variables (None: unset) and waits until it answers."""
    servers: list[Server] = []

    def start(name: str, credentials: bool | dict[str, str] = True, **route_env: str | None) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ROUTE_VARIABLES}
        env.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_REGION=os.environ.get("AWS_REGION", "us-east-1"),
            NEXT_TELEMETRY_DISABLED="1",
        )
        if isinstance(credentials, dict):  # a compute role's session (AccessKeyId, SecretAccessKey, Token)
            env.update(AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
                       AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                       AWS_SESSION_TOKEN=credentials["Token"])
        elif credentials:
            env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY)
        else:
            # Nothing anywhere in the default chain, and no wait for an instance metadata service.
            env.update(
                AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                AWS_CONFIG_FILE=os.devnull,
                AWS_EC2_METADATA_DISABLED="true",
            )
        env.update({k: v for k, v in route_env.items() if v is not None})
        port = _free_port()
        logs = tmp_path_factory.mktemp(name)
        stdout, stderr = open(logs / "stdout.log", "wb"), open(logs / "stderr.log", "wb")
        process = subprocess.Popen(
            [str(NEXT_BIN), "start", "--port", str(port), "--hostname", "127.0.0.1"],
            cwd=APP_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        server = Server(name, process, f"http://127.0.0.1:{port}", logs / "stdout.log", logs / "stderr.log",
                        [stdout, stderr])
        servers.append(server)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"{name}: next start exited with {process.returncode}:\n{server.output()}")
            try:
                _get(f"{server.base_url}/", timeout=2)
                return server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{name}: no answer on {server.base_url} in {START_TIMEOUT:.0f}s:\n{server.output()}")
            time.sleep(0.1)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def app(start_server, bucket) -> Server:
    return start_server("app", BUCKET_NAME=bucket, OBJECT_KEY=OBJECT_KEY)


def _json_error(status: int, headers: dict[str, str], body: bytes) -> dict:
    assert status == 500, body
    assert headers["content-type"].startswith("application/json"), headers
    assert headers.get("cache-control") == "no-store"
    return json.loads(body)


def _assert_no_credentials(server: Server) -> None:
    output = server.output()
    assert ACCESS_KEY_ID not in output and SECRET_ACCESS_KEY not in output, "credentials in the server's output"


def test_api_image_returns_the_object(app: Server, bucket: str) -> None:
    status, headers, body = _get(f"{app.base_url}/api/image")
    assert status == 200, body[:500]
    assert body == IMAGE.read_bytes()
    assert headers["content-type"] == "image/png"
    assert headers["cache-control"] == "no-store"
    line = app.wait_for_line(app.stdout, f"s3://{bucket}/{OBJECT_KEY}")
    assert "[api/image]" in line and f"{len(body)} bytes" in line and "image/png" in line
    _assert_no_credentials(app)


def test_api_image_reads_the_object_on_every_request(app: Server, bucket: str, s3) -> None:
    """Not prerendered at build time, not cached: a new object version is served at once."""
    changed = IMAGE.read_bytes() + b"\0changed"
    s3.put_object(Bucket=bucket, Key=OBJECT_KEY, Body=changed, ContentType="image/png")
    try:
        status, _, body = _get(f"{app.base_url}/api/image")
        assert status == 200
        assert body == changed
    finally:
        s3.put_object(Bucket=bucket, Key=OBJECT_KEY, Body=IMAGE.read_bytes(), ContentType="image/png")


def test_page_renders_the_button(app: Server) -> None:
    status, headers, body = _get(f"{app.base_url}/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    page = body.decode()
    assert BUTTON_TEXT in page
    assert "Amplify Hosting compute role demo" in page
    assert "IAM compute role" in page


def test_missing_object_is_a_json_error_and_one_log_line(start_server, bucket: str) -> None:
    server = start_server("missing-key", BUCKET_NAME=bucket, OBJECT_KEY="images/not-there.png")
    error = _json_error(*_get(f"{server.base_url}/api/image"))
    assert error == {"error": f"Could not read s3://{bucket}/images/not-there.png", "code": "NoSuchKey"}
    line = server.wait_for_line(server.stderr, f"GetObject s3://{bucket}/images/not-there.png failed")
    assert "[api/image]" in line and "NoSuchKey" in line and "HTTP 404" in line
    assert len([ln for ln in server.stderr.read_text().splitlines() if "[api/image]" in ln]) == 1
    _assert_no_credentials(server)


def test_bucket_name_unset_is_a_json_error_naming_it(start_server) -> None:
    server = start_server("no-bucket", BUCKET_NAME=None, OBJECT_KEY=OBJECT_KEY)
    error = _json_error(*_get(f"{server.base_url}/api/image"))
    assert set(error) == {"error"}
    assert "BUCKET_NAME" in error["error"] and "OBJECT_KEY" not in error["error"]
    server.wait_for_line(server.stderr, "BUCKET_NAME")


def test_no_credentials_is_a_json_error_with_the_sdk_error_name(start_server, bucket: str) -> None:
    """What a branch without a compute role gets: no credentials in the default chain."""
    server = start_server("no-credentials", credentials=False, BUCKET_NAME=bucket, OBJECT_KEY=OBJECT_KEY)
    error = _json_error(*_get(f"{server.base_url}/api/image", timeout=30))
    assert error == {"error": f"Could not read s3://{bucket}/{OBJECT_KEY}", "code": "CredentialsProviderError"}
    line = server.wait_for_line(server.stderr, f"GetObject s3://{bucket}/{OBJECT_KEY} failed")
    assert "CredentialsProviderError" in line


# -- /api/config, /api/secret, /api/item through a compute role -------------------------------------------
# Each environment has a parameter, a secret and a table, and a compute role whose inline policy is what the
# collection's iam_compute_role role writes for them (plugins/module_utils/grants.py). The server runs with a
# session of the role, issued by the endpoint as its local compute issues them, so every call is authorized by
# the role's policy; the dev role reading prod's resources is refused.
ENVIRONMENTS = ("dev", "prod")
ITEM_ID = "item-1"


@dataclass
class Environment:
    name: str
    parameter: str
    parameter_value: str
    secret: str
    secret_value: str = field(repr=False)
    table: str
    role_name: str
    credentials: dict = field(repr=False)

    def route_env(self) -> dict[str, str]:
        return {"CONFIG_PARAMETER": self.parameter, "SECRET_ID": self.secret, "ITEMS_TABLE": self.table,
                "ITEM_ID": ITEM_ID}


def _operator_client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"),
                        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)


def _compute_session(endpoint: str, role_arn: str, session_name: str) -> dict[str, str]:
    """A session of the role, as the local compute hands its servers one (POST /_local/compute/sessions)."""
    request = urllib.request.Request(
        f"{endpoint}/_local/compute/sessions", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"roleArn": role_arn, "sessionName": session_name}).encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="session")
def grants_builder(tmp_path_factory):
    """The collection's policy builder, imported as ansible_collections.amplify_hosting.ssr (a link to the repository
    in a directory of this run's own; amazon.aws comes from the venv's ansible package)."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "amplify_hosting").mkdir(parents=True)
    (root / "ansible_collections" / "amplify_hosting" / "ssr").symlink_to(REPO_DIR)
    sys.path.append(str(root))
    return importlib.import_module("ansible_collections.amplify_hosting.ssr.plugins.module_utils.grants")


@pytest.fixture(scope="session")
def environments(endpoint: str, grants_builder) -> dict[str, Environment]:
    ssm, secretsmanager = _operator_client("ssm", endpoint), _operator_client("secretsmanager", endpoint)
    dynamodb, iam = _operator_client("dynamodb", endpoint), _operator_client("iam", endpoint)
    account = _operator_client("sts", endpoint).get_caller_identity()["Account"]
    region = os.environ.get("AWS_REGION", "us-east-1")
    run = uuid.uuid4().hex[:10]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    made: dict[str, Environment] = {}
    try:
        for name in ENVIRONMENTS:
            parameter, secret = f"/nextjs-demo-{run}/{name}/config", f"nextjs-demo-{run}/{name}/api-token"
            table, role = f"nextjs-demo-{run}-{name}-items", f"nextjs-demo-{run}-{name}-compute"
            parameter_value = json.dumps({"environment": name, "greeting": f"hello {name}"})
            secret_value = f"secret-{name}-{secrets.token_hex(16)}"
            ssm.put_parameter(Name=parameter, Value=parameter_value, Type="String")
            secretsmanager.create_secret(Name=secret, SecretString=secret_value)
            dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
            dynamodb.put_item(TableName=table, Item={"id": {"S": ITEM_ID}, "environment": {"S": name},
                                                     "count": {"N": "3"}, "tags": {"L": [{"S": "demo"}]}})
            role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
            policy = grants_builder.grants_policy([{"kind": "ssm_parameter", "name": parameter},
                                                   {"kind": "secret", "name": secret},
                                                   {"kind": "dynamodb_table", "table": table}],
                                                  "aws", region, account)
            iam.put_role_policy(RoleName=role, PolicyName=grants_builder.grants_policy_name(role),
                                PolicyDocument=json.dumps(policy))
            credentials = _compute_session(endpoint, role_arn, f"amplify-compute-{name}")
            made[name] = Environment(name, parameter, parameter_value, secret, secret_value, table, role,
                                     credentials)
        yield made
    finally:
        for environment in made.values():
            ssm.delete_parameter(Name=environment.parameter)
            secretsmanager.delete_secret(SecretId=environment.secret, ForceDeleteWithoutRecovery=True)
            dynamodb.delete_table(TableName=environment.table)
            iam.delete_role_policy(RoleName=environment.role_name,
                                   PolicyName=grants_builder.grants_policy_name(environment.role_name))
            iam.delete_role(RoleName=environment.role_name)


@pytest.fixture(scope="session")
def dev_app(start_server, environments) -> Server:
    """The dev role's session, with dev's resources."""
    dev = environments["dev"]
    return start_server("dev-role", credentials=dev.credentials, **dev.route_env())


@pytest.fixture(scope="session")
def dev_app_on_prod(start_server, environments) -> Server:
    """The dev role's session, pointed at prod's resources."""
    return start_server("dev-role-prod-resources", credentials=environments["dev"].credentials,
                        **environments["prod"].route_env())


def _ok_json(status: int, headers: dict[str, str], body: bytes) -> dict:
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("application/json"), headers
    assert headers.get("cache-control") == "no-store"
    return json.loads(body)


def _assert_no_session_credentials(server: Server, environment: Environment) -> None:
    output = server.output()
    for name in ("SecretAccessKey", "Token"):
        assert environment.credentials[name] not in output, f"the session's {name} in the server's output"


def _route_lines(server: Server, route: str) -> list[str]:
    return [line for line in server.output().splitlines() if f"[api/{route}]" in line]


def test_api_config_reads_the_parameter_through_the_role(dev_app: Server, environments) -> None:
    dev = environments["dev"]
    body = _ok_json(*_get(f"{dev_app.base_url}/api/config"))
    assert body == {"name": dev.parameter, "type": "String", "version": 1, "value": dev.parameter_value}
    line = dev_app.wait_for_line(dev_app.stdout, f"[api/config] ssm:{dev.parameter}: 200")
    assert "String" in line and f"{len(dev.parameter_value)} characters" in line
    _assert_no_session_credentials(dev_app, dev)


def test_api_secret_says_it_read_the_secret_and_never_shows_it(dev_app: Server, environments) -> None:
    dev = environments["dev"]
    status, headers, body = _get(f"{dev_app.base_url}/api/secret")
    prefix = hashlib.sha256(dev.secret_value.encode()).hexdigest()[:8]
    assert _ok_json(status, headers, body) == {"read": True, "sha256_prefix": prefix}
    assert dev.secret_value.encode() not in body
    line = dev_app.wait_for_line(dev_app.stdout, f"[api/secret] secret:{dev.secret}: 200")
    assert f"sha256 {prefix}" in line
    # Once the request's line is there, the whole output: the value nowhere, neither are the credentials.
    assert dev.secret_value not in dev_app.output()
    _assert_no_session_credentials(dev_app, dev)


def test_api_item_reads_the_item_through_the_role(dev_app: Server, environments) -> None:
    dev = environments["dev"]
    body = _ok_json(*_get(f"{dev_app.base_url}/api/item"))
    assert body == {"table": dev.table, "item": {"id": ITEM_ID, "environment": "dev", "count": 3, "tags": ["demo"]}}
    line = dev_app.wait_for_line(dev_app.stdout, f"[api/item] dynamodb:{dev.table}/{ITEM_ID}: 200")
    assert "4 attributes" in line


@pytest.mark.parametrize("route, operation, resource", [
    ("config", "GetParameter", "ssm:{parameter}"),
    ("secret", "GetSecretValue", "secret:{secret}"),
    ("item", "GetItem", "dynamodb:{table}/" + ITEM_ID),
])
def test_another_environments_resource_is_access_denied(dev_app_on_prod: Server, environments, route: str,
                                                        operation: str, resource: str) -> None:
    prod = environments["prod"]
    where = resource.format(parameter=prod.parameter, secret=prod.secret, table=prod.table)
    status, headers, body = _get(f"{dev_app_on_prod.base_url}/api/{route}")
    assert _json_error(status, headers, body) == {"error": f"Could not read {where}", "code": "AccessDeniedException"}
    line = dev_app_on_prod.wait_for_line(dev_app_on_prod.stderr, f"[api/{route}] {operation} {where} failed")
    assert "AccessDeniedException" in line and "HTTP 400" in line
    assert f"assumed-role/{environments['dev'].role_name}/amplify-compute-dev" in line
    assert len([ln for ln in _route_lines(dev_app_on_prod, route) if f"{operation} {where}" in ln]) == 1
    assert prod.secret_value not in dev_app_on_prod.output() and prod.secret_value.encode() not in body
    _assert_no_session_credentials(dev_app_on_prod, environments["dev"])


def test_the_new_routes_name_their_unset_variables(start_server) -> None:
    server = start_server("no-route-variables")
    for route, names in (("config", ["CONFIG_PARAMETER"]), ("secret", ["SECRET_ID"]),
                         ("item", ["ITEMS_TABLE", "ITEM_ID"])):
        error = _json_error(*_get(f"{server.base_url}/api/{route}"))
        assert error == {"error": "Environment variable(s) not set in the server runtime: " + ", ".join(names)}
        server.wait_for_line(server.stderr, f"[api/{route}] Environment variable(s) not set")
