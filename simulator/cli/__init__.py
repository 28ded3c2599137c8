"""The `toolsim` command line: flags, dispatch and terminal output for every subcommand — the
edge where errors become `file:line` messages and exit codes.
"""

from simulator.cli.main import main

__all__ = ["main"]
