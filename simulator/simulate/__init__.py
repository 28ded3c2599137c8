"""Simulate: play one planned episode — user agent ⇄ assistant agent ⇄ tool environment.

Takes a `Pack` and an `Episode`; gives a `Trace` (messages, facts, state diff, usage,
termination). `episode` seeds the state and the facts, `environment` dispatches tool calls to the
sims, `agents/` holds the offline and LLM users and assistants behind one protocol, and
`orchestrator` runs the turns.
"""
