"""The one YAML loader for specs and portal.yaml: safe, no key written twice, no aliases.

An alias (``*name``) lets a few hundred bytes expand into gigabytes ("billion laughs"); specs
have no need for them, so the first alias is refused with the file's line and column.
"""

from __future__ import annotations

from typing import Any

import yaml


class AliasRefused(yaml.composer.ComposerError):
    """A YAML alias (``*name``) or merge key in a spec file."""


class SpecLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and a key written twice in one mapping."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise AliasRefused(
                None,
                None,
                f"YAML aliases (*{event.anchor}) are not allowed in spec files",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is written twice", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


SpecLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    """The YAML document in `text` (yaml.YAMLError on bad YAML, an alias, a repeated key)."""
    return yaml.load(text, Loader=SpecLoader)
