"""A copy of the customer-support pack in a temporary folder, so `toolsim expand` can write its
variants file next to the scenario file without touching the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def copy_pack(tmp: Path, name: str = "customer_support", tools: str = "tool_sims/customer_support.py") -> Path:
    (tmp / "scenarios").mkdir(exist_ok=True)
    for file in (ROOT / "scenarios").glob(f"{name}.*"):
        if not file.name.endswith(".variants.yaml"):
            shutil.copy(file, tmp / "scenarios" / file.name)
    shutil.copytree(ROOT / "personas", tmp / "personas", dirs_exist_ok=True)
    if tools.endswith(".py"):
        (tmp / "tool_sims").mkdir(exist_ok=True)
        shutil.copy(ROOT / tools, tmp / tools)
    return tmp / "scenarios" / f"{name}.yaml"


@pytest.fixture
def support_copy(tmp_path: Path) -> Path:
    """scenarios/customer_support.yaml (with its prompt, personas and sims) under tmp_path."""
    return copy_pack(tmp_path)
