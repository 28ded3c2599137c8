"""User and assistant agents: offline (deterministic) and LLM implementations behind one interface."""
