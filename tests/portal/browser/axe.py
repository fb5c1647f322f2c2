"""axe-core, pinned, fetched from the npm registry once and kept in ``.artefacts/``.

``npm pack`` (npm checks the registry's integrity hash) when npm is installed; otherwise the
same tarball over HTTPS, checked against the pinned sha512 integrity below.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5"
    "qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _tarball(folder: Path) -> Path:
    target = folder / f"axe-core-{VERSION}.tgz"
    if target.exists() and _integrity(target.read_bytes()) == INTEGRITY:
        return target
    npm = shutil.which("npm")
    if npm:
        subprocess.run(
            [npm, "pack", f"axe-core@{VERSION}", "--pack-destination", str(folder), "--silent"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    else:
        with urllib.request.urlopen(TARBALL, timeout=120) as resp:
            target.write_bytes(resp.read())
    if _integrity(target.read_bytes()) != INTEGRITY:
        target.unlink()
        raise RuntimeError(f"axe-core {VERSION}: the tarball's sha512 is not the pinned one")
    return target


def axe_source(folder: Path) -> str:
    """The text of axe.min.js of the pinned version (downloaded on first use)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"axe-core-{VERSION}.min.js"
    if not script.exists():
        with tarfile.open(_tarball(folder)) as tar:
            member = tar.extractfile("package/axe.min.js")
            if member is None:
                raise RuntimeError(f"axe-core {VERSION}: no axe.min.js in the package")
            script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")
