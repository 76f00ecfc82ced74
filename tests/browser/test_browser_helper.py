# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The browser helper (browser.py) against the example app, without the local Amplify Hosting compute.

`make browser-test` installs Debian's chromium and chromedriver (browser-deps), builds the example app
(npm ci, npm run build), starts the local endpoint and exports AWS_ENDPOINT_URL with dummy credentials. Here a
bucket with the PNG is created through boto3 and `next start` serves the built app on a free loopback port,
which headless Chromium opens through a *.localhost host name, as it will open a branch of the compute
(http://<branch>.<appId>.localhost:<port>/). Screenshots are kept in tests/output/browser.

Without the build (.next/BUILD_ID) the module is skipped, unless BROWSER_TESTS_REQUIRED=1 (as
`make browser-test` sets): then it fails.
"""

import http.server
import ipaddress
import os
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest
from browser import TIMEOUT, chromium, reveal_image
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.selenium_manager import SeleniumManager

REPO_DIR = Path(__file__).resolve().parents[2]
APP_DIR = REPO_DIR / "examples" / "nextjs-compute-role-demo"
NEXT_BIN = APP_DIR / "node_modules" / ".bin" / "next"
IMAGE = REPO_DIR / "playbooks" / "files" / "amplify-logo.png"
OUTPUT = REPO_DIR / "tests" / "output" / "browser"
OBJECT_KEY = "images/amplify-logo.png"
TITLE = "Amplify Hosting compute role demo"
HOST = "dev.dbrowsertest01.localhost"  # the shape of a compute branch's host name: <branch>.<appId>.localhost
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START_TIMEOUT = 60.0  # seconds for `next start` to answer

NOT_BUILT = None
if not NEXT_BIN.exists() or not (APP_DIR / ".next" / "BUILD_ID").exists():
    NOT_BUILT = "%s is not built (no node_modules/.bin/next or .next/BUILD_ID): run `make browser-test`" % APP_DIR
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED") == "1"
pytestmark = pytest.mark.skipif(NOT_BUILT is not None and not REQUIRED, reason=NOT_BUILT or "built")


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", data[:16]
    return struct.unpack(">II", data[16:24])


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            response.read()
    except urllib.error.HTTPError:
        pass  # an answer all the same
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return True


@pytest.fixture(scope="module", autouse=True)
def built_app():
    if NOT_BUILT:
        pytest.fail(NOT_BUILT + " (BROWSER_TESTS_REQUIRED=1: no skipping)", pytrace=False)


@pytest.fixture(scope="module")
def endpoint():
    """AWS_ENDPOINT_URL, refusing anything but a loopback address (never a real account)."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    try:
        loopback = ipaddress.ip_address(urlparse(url).hostname or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        pytest.fail("AWS_ENDPOINT_URL=%r is not a loopback IP address such as http://127.0.0.1:4566: run this "
                    "test through `make browser-test`" % url, pytrace=False)
    return url


@pytest.fixture(scope="module")
def bucket(endpoint):
    """A bucket of its own (a fresh name per run) holding the PNG at OBJECT_KEY."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))
    name = "browser-test-%s" % uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key=OBJECT_KEY, Body=IMAGE.read_bytes(), ContentType="image/png")
    yield name
    listed = s3.list_objects_v2(Bucket=name).get("Contents", [])
    if listed:
        s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": o["Key"]} for o in listed]})
    s3.delete_bucket(Bucket=name)


@pytest.fixture(scope="module")
def next_start(endpoint, tmp_path_factory):
    """Starts `next start` on a free loopback port with BUCKET_NAME and OBJECT_KEY; returns the port."""
    processes = []

    def start(name, **route_env):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(route_env, AWS_ENDPOINT_URL=endpoint, AWS_REGION=os.environ.get("AWS_REGION", "us-east-1"),
                   AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "local-aws-access-key"),
                   AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "local-aws-secret-key"),
                   NEXT_TELEMETRY_DISABLED="1")
        port = free_port()
        log = tmp_path_factory.mktemp(name) / "next.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped after the module
                [str(NEXT_BIN), "start", "--port", str(port), "--hostname", "127.0.0.1"], cwd=APP_DIR, env=env,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while not answers("http://127.0.0.1:%d/" % port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("%s: next start did not answer on port %d (exit %s):\n%s"
                            % (name, port, process.poll(), log.read_text(errors="replace")))
            time.sleep(0.1)
        return port

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # `next start` leads its own process group
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def driver():
    with chromium() as browser:
        yield browser


@pytest.fixture
def screenshot(request):
    """tests/output/browser/<test>.png, removed first so that only this run's screenshot is found there."""
    path = OUTPUT / ("%s.png" % request.node.name)
    path.unlink(missing_ok=True)
    return path


def assert_png_screenshot(path):
    data = path.read_bytes()
    width, height = png_size(data)
    assert width > 0 and height > 0


def test_reveal_shows_the_private_image(next_start, bucket, driver, screenshot):
    port = next_start("app", BUCKET_NAME=bucket, OBJECT_KEY=OBJECT_KEY)
    url = "http://%s:%d/" % (HOST, port)
    result = reveal_image(driver, url, screenshot)
    assert set(result) == {"natural_width", "natural_height", "alert_text", "title"}
    assert result["natural_width"] > 0
    assert (result["natural_width"], result["natural_height"]) == png_size(IMAGE.read_bytes())
    assert result["alert_text"] is None
    assert result["title"] == TITLE
    assert driver.current_url == url
    assert_png_screenshot(screenshot)


def test_wrong_object_key_shows_the_alert(next_start, bucket, driver, screenshot):
    port = next_start("missing-key", BUCKET_NAME=bucket, OBJECT_KEY="images/not-there.png")
    result = reveal_image(driver, "http://%s:%d/" % (HOST, port), screenshot)
    assert result["alert_text"] == "Could not read s3://%s/images/not-there.png (NoSuchKey)" % bucket
    assert result["natural_width"] == 0 and result["natural_height"] == 0
    assert result["title"] == TITLE
    assert_png_screenshot(screenshot)


class Echo(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a page titled with the request's Host header, and records that header."""

    seen = []

    def do_GET(self):  # pylint: disable=invalid-name  # the name http.server calls
        host = self.headers.get("Host", "")
        self.seen.append(host)
        body = ("<!doctype html><title>%s</title><p>no button here</p>" % host).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def echo():
    """An Echo server on 127.0.0.1 only: its port and the Host headers it saw."""
    Echo.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], Echo.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_localhost_names_reach_loopback_with_their_host_header(driver, echo):
    """Chromium resolves *.localhost to loopback itself (the system resolver does not) and keeps the name."""
    port, seen = echo
    for host in ("localhost", HOST, "main.d0000000000000.localhost"):
        driver.get("http://%s:%d/" % (host, port))
        assert driver.title == "%s:%d" % (host, port)
    assert "%s:%d" % (HOST, port) in seen


def test_no_button_is_a_bounded_wait_with_a_screenshot(driver, echo, screenshot):
    port = echo[0]
    started = time.monotonic()
    with pytest.raises(TimeoutException, match="no hydrated 'Reveal the private image' button within 2s"):
        reveal_image(driver, "http://%s:%d/" % (HOST, port), screenshot, timeout=2)
    # The wait given (2 s) was used, not the default TIMEOUT (30 s): a bound that holds on a loaded machine too.
    assert time.monotonic() - started < TIMEOUT
    assert_png_screenshot(screenshot)


def test_selenium_manager_is_never_run(monkeypatch):
    """chromium() gives Selenium /usr/bin/chromedriver: Selenium Manager (which downloads) is not called."""
    def refuse(*args, **kwargs):
        raise AssertionError("Selenium Manager was called with %r %r" % (args, kwargs))

    monkeypatch.setattr(SeleniumManager, "binary_paths", refuse)
    with chromium() as browser:
        assert browser.capabilities["browserName"] in ("chrome", "chromium")
