"""Reports: building them from the store, and rendering (table, JSON, Markdown, CSV)."""

from scsafety.report.build import run_report, scored_answers
from scsafety.report.formats import render_csv, render_json, render_markdown, render_runs_table, render_table

__all__ = ["render_csv", "render_json", "render_markdown", "render_runs_table", "render_table", "run_report",
           "scored_answers"]
