"""toolsim's own data files read through libyaml give what PyYAML's pure-Python loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import simulator
from simulator.core import data_files
from simulator.core.data_files import read_data_yaml

PACKAGE = Path(simulator.__file__).parent
DATA_FILES = sorted(PACKAGE.rglob("*.yaml"))


def test_the_package_ships_data_files_to_compare() -> None:
    assert len(DATA_FILES) >= 10


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_data_file_reads_as_safe_load_reads_it(path: Path) -> None:
    assert read_data_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_libyaml_is_used_where_pyyaml_has_it() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml")
    assert data_files.Loader is yaml.CSafeLoader


def test_values_are_typed_as_safe_load_types_them(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("on: yes\nday: 2026-03-14\nn: 0x1F\nf: 1e3\nnull_: ~\nlist: [a, 'b']\n", encoding="utf-8")
    assert read_data_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert read_data_yaml(path)[True] is True  # YAML 1.1: "on" and "yes" are booleans, as safe_load reads them
