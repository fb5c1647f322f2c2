"""No name starting with ``_`` is imported across packages (`make lint`).

import-linter checks which package may import which; this checks *what* is imported: a module
may use its own package's private names (``from .organizations import _ensure`` inside
``publish``), never another package's (``from publish.releases import _download`` in
``validate``). Relative imports stay inside their package by construction.

    python tools/check_private_imports.py [ROOT]      # exit 1 and one line per violation
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

#: the product's top-level packages (tests may reach into a module they test)
PACKAGES = (
    "app",
    "dulieumo",
    "flows",
    "pull",
    "validate",
    "publish",
    "notify",
    "portal",
    "samples",
)
EXTENSION = Path("portal/ckanext-dulieumo/ckanext")

#: known violations, each with the change that removes it
ALLOWED: dict[tuple[str, str], str] = {}


def private(name: str) -> bool:
    """``_name`` is private; ``__version__`` and ``__init__`` are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def top_package(module: str) -> str:
    return module.split(".", 1)[0]


def private_imports(path: Path, own: str) -> Iterator[tuple[int, str]]:
    """(line, "module.name") for every private name imported from another package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if top_package(node.module) == own:
                continue
            parts = node.module.split(".")
            for alias in node.names:
                if private(alias.name) or any(private(p) for p in parts[1:]):
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if top_package(alias.name) != own and any(private(p) for p in parts[1:]):
                    yield node.lineno, alias.name


def check(root: Path) -> list[str]:
    problems = []
    sources = [(p, pkg) for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))]
    sources += [(p, "ckanext") for p in sorted((root / EXTENSION).rglob("*.py"))]
    for path, own in sources:
        rel = path.relative_to(root).as_posix()
        if "ckanext-dulieumo" in rel and own != "ckanext":
            continue  # the extension is its own package
        for line, name in private_imports(path, own):
            if (rel, name) in ALLOWED:
                continue
            problems.append(f"{rel}:{line}: imports the private name {name} of another package")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} private import(s) across packages: import a public name.")
        return 1
    print("No private names imported across packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
