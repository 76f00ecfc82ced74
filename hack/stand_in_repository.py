#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy a collection tarball with a stand-in `repository` URL in its MANIFEST.json, for galaxy-importer only.

galaxy-importer refuses a collection without `repository` ("'repository' is required"): Galaxy shows it. This
collection is not published yet and galaxy.yml names no URL rather than a made-up one, so `make
collection-checks` runs the importer's other checks on this copy; the tarball users get is not changed.

    stand_in_repository.py <tarball> <copy>
"""

import io
import json
import sys
import tarfile

STAND_IN = "https://repository.invalid/amplify_hosting/ssr"


def main(source, target):
    with tarfile.open(source, "r:gz") as original, tarfile.open(target, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read() if member.isfile() else None
            if member.name == "MANIFEST.json":
                manifest = json.loads(data)
                if manifest["collection_info"].get("repository"):
                    raise SystemExit("%s already names a repository: use it as it is" % source)
                manifest["collection_info"]["repository"] = STAND_IN
                data = json.dumps(manifest, indent=4).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data) if data is not None else None)


if __name__ == "__main__":
    main(*sys.argv[1:3])
