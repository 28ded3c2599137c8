"""Local stand-ins for remote services. Stdlib only; they bind 127.0.0.1 and nothing else."""
