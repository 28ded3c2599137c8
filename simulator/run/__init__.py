"""Run: the whole pipeline for one pack, resumably — plan, simulate, judge, curate, publish.

Takes a `Pack` and `RunOptions`; writes the run directory (`manifest.json`, `pack.json`,
`traces.jsonl`, `verdicts.jsonl`, `selection.json`, `dataset/`) and gives a `RunResult`.
`publish` is the last step, also used on its own by `toolsim export` to rebuild `dataset/`
from the run directory alone.
"""
