"""Review: read a run directory back — statistics, coverage, the audit (filters, agreement,
human overrides, bad cases) and the HTML report.

Takes a run directory (and nothing else: the run holds its own pack snapshot); gives figures,
tables' data and files. Terminal rendering lives in `simulator.cli`.
"""
