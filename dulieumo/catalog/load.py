"""Load the catalogue: datasets/portal.yaml and datasets/<agency>/<dataset>.yaml.

Every error names the file and the path of the bad field, and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dulieumo.errors import SpecError

from .models import DatasetSpec, PortalSpec

M = TypeVar("M", bound=BaseModel)
PORTAL_FILE = Path("datasets") / "portal.yaml"


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic's loc → `source.url`, `groups[0]` (discriminator tags dropped)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("file", "http") and out.endswith("source"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _read_yaml(path: Path, root: Path) -> dict[str, Any]:
    rel = _rel(path, root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{rel}: file not found.",
                        hint="Create it, or check the dataset name.") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{rel}: not UTF-8 text (byte {exc.start}).",
                        hint="Save the file as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{rel}:{where}: invalid YAML: {problem}",
                        hint="Fix the indentation or quoting at that line.") from None
    if not isinstance(data, dict):
        raise SpecError(f"{rel}: expected a mapping of fields, found {type(data).__name__}.")
    return data


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _validate(model: type[M], data: dict[str, Any], rel: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"]
            if err["type"] == "missing":
                msg = "required field is missing"
            elif err["type"] == "extra_forbidden":
                msg = "unknown field (a typo?)"
            lines.append(f"{rel}: {field_path(tuple(err['loc']))}: {msg}")
        raise SpecError("\n".join(lines),
                        hint=f"Fix {rel}, then check it: dulieumo catalog check") from None


@dataclass
class Catalog:
    root: Path
    portal: PortalSpec
    files: dict[str, Path] = field(default_factory=dict)  # dataset name → spec file
    _cache: dict[str, DatasetSpec] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.files)

    def get(self, ref: str) -> DatasetSpec:
        name = ref.rsplit("/", 1)[-1].removesuffix(".yaml")
        if name not in self.files:
            known = ", ".join(self.names()) or "none"
            raise SpecError(f"Unknown dataset '{ref}'. Known datasets: {known}.",
                            hint="List them with: dulieumo catalog list")
        if name not in self._cache:
            self._cache[name] = load_dataset(self.files[name], self.root, self.portal)
        return self._cache[name]

    @property
    def datasets(self) -> dict[str, DatasetSpec]:
        return {name: self.get(name) for name in self.names()}


def load_portal(root: Path) -> PortalSpec:
    path = root / PORTAL_FILE
    return _validate(PortalSpec, _read_yaml(path, root), PORTAL_FILE.as_posix())


def load_dataset(path: Path, root: Path, portal: PortalSpec) -> DatasetSpec:
    rel = _rel(path, root)
    data = _read_yaml(path, root)
    data.setdefault("name", path.stem)
    spec = _validate(DatasetSpec, data, rel)
    problems = []
    if spec.name != path.stem:
        problems.append(f"{rel}: name: '{spec.name}' must equal the file name '{path.stem}'")
    orgs = {o.name for o in portal.organizations}
    if spec.organization not in orgs:
        problems.append(f"{rel}: organization: '{spec.organization}' is not declared in "
                        f"{PORTAL_FILE.as_posix()} (known: {', '.join(sorted(orgs))})")
    groups = {g.name for g in portal.groups}
    for i, group in enumerate(spec.groups):
        if group not in groups:
            problems.append(f"{rel}: groups[{i}]: '{group}' is not declared in "
                            f"{PORTAL_FILE.as_posix()} (known: {', '.join(sorted(groups))})")
    for key, ref in (("schema", spec.schema_path), ("suite", spec.suite_path)):
        if ref is not None and not (root / ref).is_file():
            problems.append(f"{rel}: {key}: file '{ref}' does not exist")
    if problems:
        raise SpecError("\n".join(problems),
                        hint=f"Fix {rel}, then check it: dulieumo catalog check")
    return spec.model_copy(update={"agency": path.parent.name, "spec_path": Path(rel)})


def load_catalog(root: Path) -> Catalog:
    portal = load_portal(root)
    files: dict[str, Path] = {}
    for path in sorted((root / "datasets").glob("*/*.yaml")):
        if path.stem in files:
            raise SpecError(
                f"Two specs declare the dataset '{path.stem}': "
                f"{_rel(files[path.stem], root)} and {_rel(path, root)}.",
                hint="Dataset names are unique across the catalogue; rename one file.")
        files[path.stem] = path
    return Catalog(root, portal, files)
