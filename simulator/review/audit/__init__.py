"""`toolsim audit`: look at what the judge decided, and let a human have the last word.

- `query`: list verdicts joined with their episodes, filtered (decision, reason, scenario, …).
- `show`: one trace and its verdict, readably, in the terminal.
- `overrides`: append a human override to a verdict (atomic rewrite of verdicts.jsonl).
- `agreement`: how often rules, judge model and humans agree.
- `badcases`: rejected traces as scenario stubs a user can turn into new hard cases.
"""

from simulator.review.audit.agreement import compute_agreement
from simulator.review.audit.badcases import badcase_stubs, write_badcases
from simulator.review.audit.overrides import add_override
from simulator.review.audit.query import AuditFilters, AuditRow, load_rows

__all__ = [
    "AuditFilters", "AuditRow", "add_override", "badcase_stubs", "compute_agreement", "load_rows",
    "write_badcases",
]
