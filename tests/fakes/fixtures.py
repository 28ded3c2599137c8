"""pytest fixtures for the LLM layer's tests: fake provider servers, a client, an episode.

Registered for every test by `tests/conftest.py` (`pytest_plugins`); the names are specific
(`llm_client`, `support_pack`, ...) so they do not shadow other tests' fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from simulator.core.records import Episode
from simulator.llm.client import LLMClient
from simulator.llm.limits import CallLimits
from simulator.llm.retry import Backoff
from simulator.load.loader import load_pack
from simulator.simulate.episode import EpisodeContext, prepare_episode
from simulator.spec.models import ModelSettings
from simulator.spec.pack import Pack
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.fakes.openai_server import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[2]
FAKE_OPENAI_KEY = "sk-fake-test-key-0123456789abcdef"
FAKE_ANTHROPIC_KEY = "sk-ant-fake-test-key-0123456789"
QUICK = Backoff(base=0.01, cap=0.05)  # tests retry in milliseconds, not seconds


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Provider keys in the environment, as a user would set them (fakes, never real)."""
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_ANTHROPIC_KEY)
    return {"openai": FAKE_OPENAI_KEY, "anthropic": FAKE_ANTHROPIC_KEY}


@pytest.fixture
def openai_fake(fake_keys: dict[str, str]) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def anthropic_fake(fake_keys: dict[str, str]) -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as server:
        yield server


@pytest.fixture
def openai_settings(openai_fake: FakeOpenAIServer) -> ModelSettings:
    return ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url, retries=2, timeout=10)


@pytest.fixture(params=["direct", "litellm"])
def llm_client(request: pytest.FixtureRequest) -> Iterator[LLMClient]:
    """No cache, quick backoff, modest concurrency; each test runs over both transports: direct
    HTTP to OpenAI-compatible servers (`openai_http`) and litellm for every call."""
    client = LLMClient(cache=None, limits=CallLimits(concurrency=8), backoff=QUICK, direct=request.param == "direct")
    yield client
    client.close()


@pytest.fixture(scope="session")
def support_pack() -> Pack:
    """The shipped customer-support scenario file, loaded once."""
    return load_pack(ROOT / "scenarios" / "customer_support.yaml")


def episode_context(pack: Pack, scenario_id: str, persona_id: str = "formal_polite", seed: int = 7) -> EpisodeContext:
    scenario = pack.scenarios[scenario_id]
    persona = pack.personas[persona_id]
    episode = Episode(
        id=f"{scenario_id}-{persona_id}-{seed}",
        scenario_id=scenario_id,
        persona_id=persona_id,
        seed=seed,
        category=scenario.category,
        tool=scenario.primary_tool,
        language=persona.language,
    )
    return prepare_episode(pack, episode)
