"""Load the catalogue: datasets/portal.yaml and datasets/<agency>/<dataset>.yaml.

Every error is a :class:`SpecError` whose message names the file and the path of the bad
field (``datasets/so-y-te/co-so-kham-chua-benh.yaml: source.url: ...``) and whose hint says
what to do. All problems of a file are reported at once, not only the first.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dulieumo.errors import SpecError, SpecProblem

from .models import KNOWN_KEYS, DatasetSpec, PortalSpec
from .sources import SOURCE_TYPES, source_path_problem
from .yaml_safe import AliasRefused, parse_yaml

M = TypeVar("M", bound=BaseModel)
PORTAL_FILE = Path("datasets") / "portal.yaml"
LOADER_KEYS = ("agency", "spec_path")  # set by the loader; a spec file may not set them


#: one thing wrong in one file (the core's SpecProblem)
Problem = SpecProblem


class CatalogSpecError(SpecError):
    """A SpecError of the catalogue's spec files, with its problems one by one."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        first = problems[0] if len(problems) == 1 else None
        super().__init__(
            "\n".join(str(p) for p in problems),
            problems=problems,
            hint=hint,
            file=first.file if first else None,
            field=(first.path or None) if first else None,
        )


def _fix_hint(rel: str) -> str:
    return f"Fix {rel}, then run: dulieumo catalog check"


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic's ``loc`` → ``source.url``, ``groups[0]``, ``maintainer.email``.

    Union members that pydantic inserts into the path (the discriminator tag ``http``, a
    model name like ``Retention``, ``literal['all']``) are dropped: they are not keys.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = str(part)
        if (
            (text in SOURCE_TYPES and out.endswith("source"))
            or "[" in text
            or text[:1].isupper()
            or text.startswith("function-")
        ):
            continue
        out += ("." if out else "") + text
    return out or "(top level)"


# ------------------------------------------------------------------------------- YAML


def _nfc(value: Any) -> Any:
    """Vietnamese text typed on some systems arrives decomposed (NFD); store it as NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_yaml(path: Path, root: Path) -> dict[str, Any]:
    """Read a spec file as a mapping; SpecError names the file (and line) on failure."""
    rel = _rel(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError.of(
            [Problem(rel, "", "file not found.")], hint="Create it, or check the dataset name."
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError.of(
            [Problem(rel, "", f"not UTF-8 text (byte offset {exc.start}).")],
            hint="Save the file as UTF-8.",
        ) from None
    try:
        data = parse_yaml(text)
    except AliasRefused as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError.of(
            [Problem(rel, "", f"{where}{exc.problem}.")],
            hint="Write the value out in full instead of `&anchor` / `*alias` (and no `<<:`).",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError.of(
            [Problem(rel, "", f"{where}invalid YAML: {problem}")],
            hint="Fix the indentation or quoting at that line (values containing "
            "': ' or starting with '@', '*', '&' need quotes).",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError.of(
            [Problem(rel, "", f"invalid YAML: {exc}")], hint=_fix_hint(rel)
        ) from None
    if data is None:
        raise SpecError.of(
            [Problem(rel, "", "the file is empty.")],
            hint="Fill it in; see the other files in datasets/ for examples.",
        )
    if not isinstance(data, dict):
        raise SpecError.of(
            [
                Problem(
                    rel,
                    "",
                    f"expected a mapping of `key: value` fields, found a {type(data).__name__}.",
                )
            ],
            hint=_fix_hint(rel),
        )
    result: dict[str, Any] = _nfc(data)
    return result


# ------------------------------------------------------------------------------ models


def _describe(err: Any) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1]) if err["loc"] else ""
        close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.6)
        guess = f" Did you mean '{close[0]}'?" if close else ""
        return f"unknown field (a typo?).{guess} Remove or rename it"
    if kind == "union_tag_invalid":
        return (
            f"unknown source type {value!r}; use 'file' or 'http' for a file, 'api' for "
            "a JSON API, 'sql' for a database, 'ckan' for another CKAN portal"
        )
    if kind == "union_tag_not_found":
        return f"the source needs a `type:` ({', '.join(SOURCE_TYPES)})"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        return f"{value!r} does not have the expected form (pattern {pattern})"
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if isinstance(value, dict | list):
        return f"{msg}"
    return f"{msg} (got {shown})"


def validate_model(model: type[M], data: dict[str, Any], rel: str) -> M:
    """``model.model_validate(data)``, errors turned into file + field-path problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            path = field_path(tuple(err["loc"]))
            if err["type"] == "value_error" and ": " in str(err.get("ctx", {}).get("error", "")):
                path, _, message = str(err["ctx"]["error"]).partition(": ")
            else:
                message = _describe(err)
            problem = Problem(rel, path, message)
            if problem not in problems:
                problems.append(problem)
        raise CatalogSpecError(problems, hint=_fix_hint(rel)) from None


def load_portal(root: Path) -> PortalSpec:
    """Read and check ``root/datasets/portal.yaml``."""
    path = root / PORTAL_FILE
    return validate_model(PortalSpec, read_yaml(path, root), PORTAL_FILE.as_posix())


def load_dataset(path: Path, root: Path, portal: PortalSpec) -> DatasetSpec:
    """Read and check one dataset spec against the portal file."""
    rel = _rel(path, root)
    data = read_yaml(path, root)
    problems = [
        Problem(rel, key, "unknown field (set by the loader, not the spec file); remove it")
        for key in LOADER_KEYS
        if key in data
    ]
    if problems:
        raise CatalogSpecError(problems, hint=_fix_hint(rel))
    data.setdefault("name", path.stem)
    spec = validate_model(DatasetSpec, data, rel)
    portal_rel = PORTAL_FILE.as_posix()
    if spec.name != path.stem:
        problems.append(
            Problem(
                rel,
                "name",
                f"'{spec.name}' must equal the file name "
                f"'{path.stem}' (rename the file or fix the name)",
            )
        )
    orgs = [o.name for o in portal.organizations]
    if spec.organization not in orgs:
        close = difflib.get_close_matches(spec.organization, orgs, n=1)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        problems.append(
            Problem(
                rel,
                "organization",
                f"'{spec.organization}' is not declared in {portal_rel} "
                f"as an organisation (known: {', '.join(sorted(orgs))}){guess}",
            )
        )
    groups = [g.name for g in portal.groups]
    for i, group in enumerate(spec.groups):
        if group not in groups:
            close = difflib.get_close_matches(group, groups, n=1)
            guess = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    rel,
                    f"groups[{i}]",
                    f"'{group}' is not declared in {portal_rel} as a group "
                    f"(known: {', '.join(sorted(groups)) or 'none'}){guess}",
                )
            )
    if spec.source.type == "file":
        outside = source_path_problem(root, spec.source.path)
        if outside:
            problems.append(Problem(rel, "source.path", outside))
    for key, ref in (("schema", spec.schema_path), ("suite", spec.suite_path)):
        if ref is not None and not (root / ref).is_file():
            problems.append(
                Problem(
                    rel,
                    key,
                    f"file '{ref.as_posix()}' does not exist "
                    "(paths are relative to the catalogue root)",
                )
            )
    if problems:
        raise CatalogSpecError(problems, hint=_fix_hint(rel))
    return spec.model_copy(update={"agency": path.parent.name, "spec_path": Path(rel)})


# ----------------------------------------------------------------------------- catalog


@dataclass
class Catalog:
    """The portal file and the dataset specs. Specs are checked when first read."""

    root: Path
    portal: PortalSpec
    files: dict[str, Path] = field(default_factory=dict)  # dataset name → spec file
    _cache: dict[str, DatasetSpec] = field(default_factory=dict, repr=False)

    def names(self) -> list[str]:
        return sorted(self.files)

    def refs(self) -> list[str]:
        """``agency/name`` of every dataset."""
        return sorted(f"{p.parent.name}/{n}" for n, p in self.files.items())

    def get(self, ref: str) -> DatasetSpec:
        """A dataset by ``name`` or ``agency/name``; SpecError listing the known names."""
        cleaned = ref.strip().removeprefix("datasets/").removesuffix(".yaml")
        agency, _, name = cleaned.rpartition("/")
        path = self.files.get(name)
        if path is None or (agency and path.parent.name != agency):
            known = ", ".join(self.names()) or "none"
            close = difflib.get_close_matches(name, self.names(), n=1)
            guess = f" Did you mean '{close[0]}'?" if close else ""
            raise SpecError(
                f"Unknown dataset '{ref}'.{guess} Known datasets: {known}.",
                hint="List them with: dulieumo catalog list",
            )
        if name not in self._cache:
            self._cache[name] = load_dataset(path, self.root, self.portal)
        return self._cache[name]

    @property
    def datasets(self) -> dict[str, DatasetSpec]:
        """Every dataset, keyed by name. Raises one SpecError listing every bad spec."""
        out: dict[str, DatasetSpec] = {}
        problems: list[Problem] = []
        other: list[str] = []
        for name in self.names():
            try:
                out[name] = self.get(name)
            except CatalogSpecError as exc:
                problems += exc.problems
            except SpecError as exc:
                other.append(exc.message)
        if other:
            raise SpecError(
                "\n".join(other + [str(p) for p in problems]),
                hint="Fix the files named, then run: dulieumo catalog check",
            )
        if problems:
            raise CatalogSpecError(
                problems, hint="Fix the files named, then run: dulieumo catalog check"
            )
        return out


def load_catalog(root: Path) -> Catalog:
    """Read ``root/datasets/portal.yaml`` and find ``root/datasets/*/*.yaml``."""
    root = Path(root)
    portal = load_portal(root)
    files: dict[str, Path] = {}
    for path in sorted((root / "datasets").glob("*/*.yaml")):
        if path.stem in files:
            raise SpecError(
                f"{_rel(path, root)}: name: the dataset '{path.stem}' is also declared in "
                f"{_rel(files[path.stem], root)}.",
                hint="Dataset names are unique across the catalogue; rename one file.",
            )
        files[path.stem] = path
    for path in sorted((root / "datasets").glob("*/*.yml")):
        raise SpecError(
            f"{_rel(path, root)}: dataset specs end in .yaml, not .yml.",
            hint=f"Rename it to {path.with_suffix('.yaml').name}.",
        )
    return Catalog(root, portal, files)
