"""Issue 17 point 5: what a small publish loads before it knows the run is unchanged.

A fresh interpreter (the CLI's situation) imports the `dulieumo` command, its publish
command and the flow module, and computes an unchanged run's input hash (which loads the
dataset's Table Schema): no Great Expectations, pandas, numpy or pyarrow; and frictionless
only the first time a schema is checked (its "valid" is remembered in the work folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("great_expectations", "pandas", "numpy", "pyarrow", "frictionless")

PROBE = """
import json, sys
from pathlib import Path

import app.cli
import app.cli.publish
import flows.publish_dataset
from dulieumo.catalog import load_catalog
from flows.inputs import input_fingerprint

root = Path(sys.argv[1])
catalog = load_catalog(root)
spec = catalog.get("co-so-luu-tru")
fingerprint = input_fingerprint(spec, root, "0" * 64, catalog)
heavy = sys.argv[2].split(",")
print(json.dumps({"fingerprint": fingerprint, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def probe(work: Path) -> dict[str, object]:
    env = {**os.environ, "DULIEUMO_ROOT": str(REPO), "DULIEUMO_WORK_DIR": str(work)}
    env.pop("DULIEUMO_SETTINGS_FROM", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO), ",".join(HEAVY)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_an_unchanged_run_loads_no_data_library(tmp_path):
    first = probe(tmp_path)
    assert first["fingerprint"]  # the file dataset is hashed, not read
    assert set(first["loaded"]) <= {"frictionless"}  # type: ignore[arg-type]
    again = probe(tmp_path)
    assert again["fingerprint"] == first["fingerprint"]
    assert again["loaded"] == []  # the schema's verdict was remembered


def test_the_cli_module_alone_loads_neither_prefect_nor_data_libraries():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, app.cli; "
            f"print(json.dumps([m for m in {(*HEAVY, 'prefect')!r} if m in sys.modules]))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == []
