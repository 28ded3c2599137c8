"""Curate: from accepted traces to a dataset — exact and near-duplicate removal, quota selection
and leak-free, stratified train / validation / test splits.

Takes compact per-trace `summaries` (never whole traces, so memory stays flat) and the plan's
`Targets`; gives the chosen trace ids, what is still short, and each chosen id's split.
"""
