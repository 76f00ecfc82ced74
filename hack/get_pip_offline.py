"""Stand-in for the get-pip.py that ansible-test downloads from a host outside this network.

ansible-test runs this in a fresh virtual environment as `python get_pip_X_Y.py [pip options] pip==X.Y`.
We install the pip wheel bundled with CPython (ensurepip, no network), then let that pip install the
requested packages from the package index, which is reachable. The Makefile copies this file to
~/.ansible/test/cache/get_pip_<version>.py, where ansible-test looks before it downloads.
"""

import subprocess
import sys


def main():
    # In a child process: ensurepip sets PIP_CONFIG_FILE=/dev/null in its own environment, which would
    # hide the machine's pip configuration (index, CA bundle) from the install below.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    return subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *args])


if __name__ == "__main__":
    sys.exit(main())
