"""The core every stage stands on: the message model, the run's records, input errors, the run
directory and its crash-safe files, YAML with line numbers, and the names all stages share.

Nothing here imports another part of toolsim, so any stage may import it.
"""
