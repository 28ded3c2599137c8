"""One local Ray for the whole test session (starting one takes seconds): 2 CPUs on 127.0.0.1
(tests/conftest.py keeps it on the loopback address); and the toy model's fake server that model-run
tests share."""

from __future__ import annotations

import os
import random

import pytest

from tests.fakes import toy_model
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture(scope="session")
def ray_cluster():
    """`ray.init(num_cpus=2)` once per test run; the executor uses the Ray it finds initialised.
    Skipped where Ray is not installed (`pip install -e ".[ray]"`), except under CI, which
    installs it and sets TOOLSIM_REQUIRE_RAY=1: there a missing Ray fails the tests, never skips them."""
    if os.environ.get("TOOLSIM_REQUIRE_RAY") == "1":
        import ray
    else:
        ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install -e ".[ray]"')
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


@pytest.fixture
def server(fake_keys):
    """The toy model on a local fake OpenAI server, replying after a random few milliseconds so
    answers come back in no particular order (what the same-bytes tests must survive)."""
    jitter = random.Random()

    def respond(request):
        reply = toy_model.respond(request)
        reply.delay = jitter.uniform(0, 0.01)
        return reply

    with FakeOpenAIServer() as s:
        s.responder = respond
        yield s
