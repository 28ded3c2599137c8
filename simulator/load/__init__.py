"""Load: a scenario file (and the tools, personas and variants it references) into a `Pack`.

Takes a path; gives a fully cross-checked `simulator.spec.Pack`, or raises `InputError` with
every problem as `file:line: message`. After loading nothing re-reads YAML. Chain and
parallel-call scenarios are generated here from the tool graph (`tool_graph`, `chains`).
"""

from simulator.load.loader import load_pack

__all__ = ["load_pack"]
