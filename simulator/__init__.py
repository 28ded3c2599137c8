"""toolsim: simulate multi-turn tool-calling conversations and curate them into fine-tuning data."""

__version__ = "0.1.0"
