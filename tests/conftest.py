"""Fixtures shared across test folders.

`tests.fakes.fixtures`: local fake OpenAI/Anthropic servers and an LLM client for the LLM layer.
"""

pytest_plugins = ["tests.fakes.fixtures"]
