"""toolsim's own YAML data files (phrase books, reply words, prompt tables), read with libyaml.

Why a reader of their own: these files ship with the package, so they are trusted and known to be
well-formed, and none needs the line numbers or input limits a user's scenario gets
(`simulator.core.yaml_lines`). PyYAML's pure-Python parser read the ones an offline run loads on
first use (the user's and the assistant's phrase books, the judge's reply words and units) in
~50 ms, paid inside the first episodes of every run; libyaml's C parser reads them in ~7 ms.

The values are the same: `CSafeLoader` is libyaml's parser under PyYAML's own `SafeConstructor`
and resolver, so tags, booleans, numbers and dates come out exactly as `yaml.safe_load`'s
(`tests/core/test_data_files.py` compares every data file both ways). A PyYAML built without
libyaml falls back to the pure-Python `SafeLoader`.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data_yaml(path: Path | Traversable) -> Any:
    """The document in one of toolsim's own YAML files."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506 - a safe loader
