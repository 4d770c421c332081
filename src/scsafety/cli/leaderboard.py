"""`scsafety leaderboard`: models ranked by overall score, the way SC-Safety's tables read."""

from __future__ import annotations

import argparse
from typing import Any

from scsafety.cli.common import EXIT_OK, Io, add_db, open_store, write_output
from scsafety.errors import BadInput
from scsafety.report.build import run_report
from scsafety.report.leaderboard import (
    comparability_notes,
    leaderboard,
    load_meta,
    render_leaderboard_csv,
    render_leaderboard_json,
    render_leaderboard_markdown,
    render_leaderboard_table,
)
from scsafety.store import Store

FORMATS = ["table", "markdown", "csv", "json", "html"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("leaderboard", help="排行榜 rank models by overall score",
                       description="按总分给模型排名：总分 ± 95% 置信区间、三大领域、第 1/2 轮及其差、机构与开源/闭源。"
                                   " Ranks models by overall score, with CI, areas, rounds, organisation and licence.")
    p.add_argument("run_ids", nargs="*", metavar="RUN",
                   help="运行 id（默认：每个模型最近一次运行）default: the latest run of each model")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--out", help="写入文件 write to this file")
    p.add_argument("--meta", metavar="PATH",
                   help="模型信息 models.yaml (name, organisation, licence, parameters; 默认 default ./models.yaml)")
    p.add_argument("--judge", help="用哪个评审的结果 which judge's verdicts (default: each run's primary)")
    add_db(p)
    p.set_defaults(func=cmd_leaderboard)


def latest_runs_per_model(store: Store, judge_id: str | None = None) -> list[str]:
    """The most recently started run of each model spec (with ``judge_id``'s verdicts, when given)."""
    latest: dict[str, Any] = {}
    for run in store.list_runs():
        if judge_id is not None and judge_id not in run.judges:
            continue
        if run.model_spec not in latest or run.created_at >= latest[run.model_spec].created_at:
            latest[run.model_spec] = run
    return [r.run_id for r in sorted(latest.values(), key=lambda r: r.created_at)]


def cmd_leaderboard(args: argparse.Namespace, io: Io) -> int:
    meta = load_meta(args.meta)
    if args.format == "table" and args.out:
        raise BadInput("--format table 不能写文件；请用 markdown/csv/json/html (table prints to the terminal)")
    with open_store(args, create=False) as store:
        run_ids = list(dict.fromkeys(args.run_ids)) or latest_runs_per_model(store, args.judge)
        if not run_ids:
            extra = f" 带评审 {args.judge} 的 (with judge {args.judge})" if args.judge else ""
            raise BadInput(f"结果库中还没有{extra}运行 (no runs in {store.path})")
        reports = [run_report(store, rid, args.judge) for rid in run_ids]
    rows = leaderboard(reports, meta)
    if args.format == "json":
        write_output(render_leaderboard_json(rows), args.out, io)
    elif args.format == "markdown":
        write_output(render_leaderboard_markdown(rows), args.out, io)
    elif args.format == "csv":
        write_output(render_leaderboard_csv(rows), args.out, io)
    elif args.format == "html":
        from scsafety.report.html import render_leaderboard_html

        write_output(render_leaderboard_html(reports, meta), args.out, io)
    else:
        render_leaderboard_table(rows, io.out)
    for note in comparability_notes(rows):
        io.err.print(f"注意 note: {note}", markup=False, highlight=False)
    return EXIT_OK
