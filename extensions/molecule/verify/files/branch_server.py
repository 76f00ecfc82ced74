# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stand-in for branches served on loopback, for the verify role's tests: fast, and able to answer each way
the example app's route can (the local endpoint's compute builds and runs the real app, in minutes).

Listens on 127.0.0.1 (a free port, written to --port-file) and answers by Host header, as the endpoint serves
http://<branch display name>.<app id>.localhost:<port>: GET [/<behaviour>]/api/image answers as the
example app's route does, and puts the route's line into CloudWatch Logs /aws/amplify/<app id>, stream
<branch name>/<YYYY>/<MM>/<DD>/<32 hex> (one per branch for this process; the display name is the branch name
unless --branch-name says otherwise), timestamped when the request came in. Delivery is asynchronous, as on
Amplify, and decided by counts, not by time: the line is put only once the endpoint's request log shows a
FilterLogEvents read made after the request, so the first read of the log after a GET never finds its line
and a reader must read again (what verify's re-reads are for), whatever the machine's load.

  /api/image             200, the bytes of --image; "[api/image] <location>: 200, N bytes, image/png, 1 ms"
  /denied/api/image      500 {"error": "Could not read <location>", "code": "AccessDenied"};
                         "[api/image] GetObject <location> failed: AccessDenied: ..."
  /unset/api/image       500 {"error": "Environment variable(s) not set ..."}; that line, without the location
  /silent/api/image      200, the bytes of --image; no line
  /misdirected/api/image 421 Misdirected Request (nothing serves that host here); no line
  /_seen                 [[Host header, path], ...] of every request so far (JSON)
  /_stop                 stop

The endpoint (--endpoint-url, default AWS_ENDPOINT_URL), region (--region, default AWS_REGION) and the
credentials come from the environment. The process stops by itself after --lifetime seconds.
"""

import argparse
import json
import os
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--location", required=True)
    parser.add_argument("--lifetime", type=float, default=600)
    parser.add_argument("--branch-name", action="append", default=[], metavar="DISPLAY=NAME",
                        help="the branch a display name stands for, when they differ (feature-x=feature/x)")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    args = parser.parse_args()

    with open(args.image, "rb") as f:
        image = f.read()
    logs = boto3.client("logs", endpoint_url=args.endpoint_url, region_name=args.region)
    branch_names = dict(item.split("=", 1) for item in args.branch_name)
    process = uuid.uuid4().hex
    seen = []
    lock = threading.Lock()

    def put_line(app_id, branch, timestamp, message):
        group = "/aws/amplify/%s" % app_id
        stream = "%s/%s/%s" % (branch, time.strftime("%Y/%m/%d", time.gmtime(timestamp / 1000)), process)
        with lock:
            try:
                logs.create_log_group(logGroupName=group)
            except logs.exceptions.ResourceAlreadyExistsException:
                pass
            try:
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
            except logs.exceptions.ResourceAlreadyExistsException:
                pass
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": timestamp, "message": message}])

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request_log(since):
        url = "%s/_local/requests?since=%d" % (args.endpoint_url.rstrip("/"), since)
        with opener.open(url, timeout=10) as response:
            return json.load(response)

    def put_after_a_read(mark, app_id, branch, timestamp, message):
        """Put the line once a FilterLogEvents read after `mark` is in the request log (bounded: 6000 looks)."""
        for dummy in range(6000):
            if any(r["service"] == "logs" and r["operation"] == "FilterLogEvents" for r in request_log(mark)["requests"]):
                return put_line(app_id, branch, timestamp, message)
            time.sleep(0.05)
        return None

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            started = int(time.time() * 1000)
            mark = request_log(999999999)["last"]
            host = self.headers.get("Host") or ""
            seen.append([host, self.path])
            if self.path == "/_seen":
                return self.answer(200, json.dumps(seen).encode(), "application/json")
            if self.path == "/_stop":
                self.answer(200, b"{}", "application/json")
                return threading.Thread(target=server.shutdown).start()
            labels = host.split(":")[0].split(".")
            if len(labels) < 3 or labels[-1] != "localhost" or not self.path.endswith("/api/image"):
                return self.answer(404, b"not found", "text/plain")
            branch, app_id = branch_names.get(labels[0], labels[0]), labels[1]
            behaviour = self.path[: -len("/api/image")].strip("/")
            line = None
            if behaviour in ("", "silent"):
                self.answer(200, image, "image/png")
                if not behaviour:
                    line = "[api/image] %s: 200, %d bytes, image/png, 1 ms" % (args.location, len(image))
            elif behaviour == "denied":
                body = {"error": "Could not read %s" % args.location, "code": "AccessDenied"}
                self.answer(500, json.dumps(body).encode(), "application/json")
                line = "[api/image] GetObject %s failed: AccessDenied: User is not authorized to perform: s3:GetObject (HTTP 403)" % args.location
            elif behaviour == "unset":
                error = "Environment variable(s) not set in the server runtime: OBJECT_KEY"
                self.answer(500, json.dumps({"error": error}).encode(), "application/json")
                line = "[api/image] %s" % error
            elif behaviour == "misdirected":
                self.answer(421, b"Misdirected Request", "text/plain")
            else:
                self.answer(404, b"not found", "text/plain")
            if line:
                threading.Thread(target=put_after_a_read, args=(mark, app_id, branch, started, line), daemon=True).start()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stopper = threading.Timer(args.lifetime, server.shutdown)
    stopper.daemon = True
    stopper.start()
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
