"""prefect.yaml, read: the project-wide deployments and the pull step of every deployment.

``prefect deploy --all`` and ``dulieumo schedule --work-pool`` register the project-wide
deployments from this one file, so their names, entry points, tags and pull steps cannot
drift apart. The dataset deployments come from the specs (named after the dataset).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from dulieumo.errors import SpecError
from dulieumo.settings import REPO_ROOT, settings

PROJECT_FILE = REPO_ROOT / "prefect.yaml"


@dataclass(frozen=True)
class ProjectDeployment:
    name: str
    entrypoint: str  # path/to/file.py:flow_function, relative to the checkout
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def flow(self) -> Any:
        """The flow object the entry point names (imported as a module of the package)."""
        path, _, attr = self.entrypoint.partition(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        return getattr(module, attr)


def _project() -> dict[str, Any]:
    try:
        data = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(
            f"{PROJECT_FILE.name}: cannot be read: {exc}", file=str(PROJECT_FILE)
        ) from None
    if not isinstance(data, dict):
        raise SpecError(f"{PROJECT_FILE.name}: not a mapping", file=str(PROJECT_FILE))
    return data


def project_deployments() -> list[ProjectDeployment]:
    return [
        ProjectDeployment(
            name=str(d["name"]),
            entrypoint=str(d["entrypoint"]),
            description=" ".join(str(d.get("description") or "").split()),
            tags=tuple(d.get("tags") or ()),
            parameters=dict(d.get("parameters") or {}),
        )
        for d in _project().get("deployments") or []
    ]


def home() -> str:
    """Where the checkout is on every worker machine: DULIEUMO_HOME, else this checkout."""
    return settings().home or str(REPO_ROOT)


def pull_steps() -> list[dict[str, Any]]:
    """prefect.yaml's pull steps with ``{{ $VAR }}`` resolved as `prefect deploy` does."""
    from prefect.utilities.templating import apply_values

    steps = _project().get("pull") or []
    env = {**os.environ, "DULIEUMO_HOME": home()}
    resolved = apply_values(steps, env, remove_notset=False)
    return list(resolved) if isinstance(resolved, list) else []
