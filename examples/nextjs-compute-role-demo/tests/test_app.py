"""End-to-end test of the example app: the built Next.js server against the local AWS endpoint.

Run by ``make example-test``, which starts the endpoint, runs ``npm ci`` and ``npm run build`` first and
exports AWS_ENDPOINT_URL with dummy credentials. A bucket with a PNG is created through boto3, then
``next start`` serves the built app with BUCKET_NAME/OBJECT_KEY in its environment, as Amplify Hosting's
compute does with the variables the build wrote into .env.production.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import socket
import subprocess
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
ROUTE_VARIABLES = ("BUCKET_NAME", "OBJECT_KEY")
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

    def start(name: str, credentials: bool = True, **route_env: str | None) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ROUTE_VARIABLES}
        env.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_REGION=os.environ.get("AWS_REGION", "us-east-1"),
            NEXT_TELEMETRY_DISABLED="1",
        )
        if credentials:
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
