"""The environment of a running compute: what the SSR runtime of an Amplify Hosting branch sees.

- AWS_REGION and AWS_DEFAULT_REGION: the app's region, as Lambda-based runtimes set both.
- AWS_ENDPOINT_URL: this endpoint, so the unchanged SDK default chain talks to it (on AWS there is none).
- Credentials of the branch's effective compute role, through the container credentials provider that every
  AWS SDK's default chain reads (AWS_CONTAINER_CREDENTIALS_FULL_URI on loopback plus
  AWS_CONTAINER_AUTHORIZATION_TOKEN): the SDK fetches them and fetches new ones before they expire. With no
  compute role there are none at all, and nothing else the SDK could find: no shared files, no instance
  metadata, none of the endpoint's own keys.
- NODE_ENV=production, PORT and HOSTNAME for `next start`.

The branch's environment variables are NOT in it: Amplify gives them to the build only, and an SSR app reads
them at run time from the .env.production its build writes (Amplify Hosting user guide, "Making environment
variables accessible to server-side runtimes",
https://docs.aws.amazon.com/amplify/latest/userguide/ssr-environment-variables.html); the example's amplify.yml does exactly that.
"""

from __future__ import annotations

import os


def runtime(region: str, endpoint_url: str, port: int, credentials_url: str | None, token: str | None,
            home: str) -> dict[str, str]:
    os.makedirs(home, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": home,
        "NODE_ENV": "production",
        "NEXT_TELEMETRY_DISABLED": "1",
        "PORT": str(port),
        "HOSTNAME": "127.0.0.1",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if credentials_url and token:
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = credentials_url
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    return env
