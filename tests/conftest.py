"""Fixtures shared across test folders, and the network guard.

`tests.fakes.fixtures`: local fake OpenAI/Anthropic servers and an LLM client for the LLM layer.
The guard (`tests/netguard/`) makes any connection beyond 127.0.0.1 an error, here and in every
Python subprocess a test starts; a test session in which anything tried fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.netguard import toolsim_netguard

pytest_plugins = ["tests.fakes.fixtures"]

NETGUARD = Path(__file__).resolve().parent / "netguard"

toolsim_netguard.install()

# Property tests search new random examples on every local run; CI (`.ci/run` sets
# HYPOTHESIS_PROFILE=ci) replays a fixed set, so that a stop's verdict never hangs on a fresh draw.
# A failure found locally is fixed and pinned by a plain test, as in tests/values/test_schema_numbers.py.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(NETGUARD), os.environ.get("PYTHONPATH")) if p)
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# The tests' Ray (tests/run/conftest.py) is a single node on the loopback address, and reports
# no usage statistics: Ray would otherwise use the machine's own address and look up clouds.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture(autouse=True, scope="session")
def _no_network_was_tried():
    yield
    assert not toolsim_netguard.BLOCKED, "tests tried to reach the network: " + "; ".join(toolsim_netguard.BLOCKED[:5])

