"""One publish of a dataset in a process of its own (for kill -9 and concurrency tests).

    python -m tests.security.publish_once ROOT DATASET PORTAL_URL   (token: DULIEUMO_TEST_TOKEN)

Prints one JSON line: {"ok": true, "action", "version"} or {"ok": false, "code", "message"};
exit 0 or 2. No flow run: the lock owner is this process's own id.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from dulieumo.errors import DulieumoError
from publish.client import PortalClient
from publish.releases import Releaser
from pull import pull_source
from validate import validate_table


def main(root: Path, dataset: str, url: str) -> int:
    catalog = load_catalog(root)
    spec = catalog.get(dataset)
    work = root / "work" / str(os.getpid())
    work.mkdir(parents=True)
    table = pull_source(spec, root=root, workdir=work)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    client = PortalClient(PortalTarget(url, os.environ["DULIEUMO_TEST_TOKEN"]))
    print(json.dumps({"ready": True}), flush=True)
    try:
        result = Releaser(client, spec, catalog.portal, workdir=work).publish(table, report, schema)
    except DulieumoError as exc:
        print(json.dumps({"ok": False, "code": exc.code, "message": str(exc)}, ensure_ascii=False))
        return 2
    print(json.dumps({"ok": True, "action": result.action, "version": result.version}))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
