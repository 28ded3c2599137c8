"""Eval: how well does a model do what the data teaches? (after review; before author and cli)

Takes a finished run directory (turn level: every assistant turn of a split, the BFCL way) or a
scenario file (episode level: the model as the assistant, k seeded trials per task, pass^k, the
τ2-bench way) and a model; gives `eval.json` (every item's reference, output and per-metric
result, the metrics with Wilson 95 % intervals, per-group tables), a comparison of two
evaluations, and failed items as scenario stubs.

- `items` (the items of a split) · `replay` (asking the model, a bounded pool) · `shards` (the
  same over several processes) · `score` (one
  item, metric by metric) · `arguments` (the AST argument check) · `metrics` (rates, intervals,
  pass^k) · `turns` / `episodes` (the two evaluations) · `result` (eval.json) · `compare` ·
  `badcases`.
The answer keys (acceptable values from the pack's aliases and labels) live in
`simulator.export.answers`, shared with the BFCL export.
"""
