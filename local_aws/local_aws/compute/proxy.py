"""Forward a branch URL's request to the branch's running server on loopback, and its answer back."""

from __future__ import annotations

import http.client

# Hop-by-hop headers (RFC 9110 section 7.6.1) are the proxy's own; they are not forwarded either way.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length"}


def forward(environ, start_response, port: int, body: bytes):
    path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in HOP_BY_HOP:
                headers[name] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    headers["X-Forwarded-Host"] = environ.get("HTTP_HOST", "")
    headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(environ["REQUEST_METHOD"], path, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    except OSError as exc:
        message = f"The branch's server on 127.0.0.1:{port} did not answer: {exc}\n".encode()
        start_response("502 Bad Gateway", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(message)))])
        return [message]
    finally:
        connection.close()
    out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
    out.append(("Content-Length", str(len(payload))))
    start_response(f"{response.status} {response.reason}", out)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [payload]
