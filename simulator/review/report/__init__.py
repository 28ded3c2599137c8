"""`toolsim report`: a single offline HTML page to browse a run (see `build`)."""

from simulator.review.report.build import BuiltReport, build_report, report_data

__all__ = ["BuiltReport", "build_report", "report_data"]
