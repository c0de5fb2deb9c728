"""Reading YAML data files: libyaml's C parser where installed (about 10x faster), else PyYAML's."""
from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_text(text: str) -> Any:
    """Parse YAML text safely (no arbitrary objects)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
