"""Persona library tools: diversity axes, an offline sampler and an LLM proposer with near-copy rejection (`toolsim personas expand`)."""
