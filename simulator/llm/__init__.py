"""The LLM layer: any litellm model as user, assistant, judge or tool simulator.

- `settings.ModelSettings`: how to reach one model (no secrets: keys come from the environment).
- `client.LLMClient`: the only place our messages become provider requests and back; it owns the
  response cache (`cache.ResponseCache`), the concurrency and start-rate limits
  (`limits.CallLimits`) and retries (`retry`, raising `LLMCallError` on a final failure).
- `prompt_tools`: the `<tool_call>` format for models without native tool calling.
- `tool_model.LLMToolModel`: results for schema-only tools, validated against `returns`.

The agents built on it live in `simulator.simulate.agents.llm_user` / `llm_assistant`, the judge model in
`simulator.judge.model`. Importing this package does not import litellm (that happens on the
first call).
"""

from simulator.llm.cache import ResponseCache
from simulator.llm.client import Completion, LLMClient
from simulator.llm.limits import CallLimits
from simulator.llm.retry import Backoff, LLMCallError
from simulator.spec.models import ModelSettings

__all__ = ["Backoff", "CallLimits", "Completion", "LLMCallError", "LLMClient", "ModelSettings", "ResponseCache"]
