"""`scsafety report` and `scsafety runs`."""

from __future__ import annotations

import argparse
import time

from rich.table import Table

from scsafety.cli.common import EXIT_OK, Io, add_db, open_store, write_output
from scsafety.errors import BadInput
from scsafety.report import render_csv, render_json, render_markdown, render_runs_table, render_table, run_report
from scsafety.report.formats import render_tc260_markdown, render_tc260_table


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="查看评测报告 show a report", description="显示一个或多个运行的得分。")
    p.add_argument("run_ids", nargs="*", metavar="RUN_ID", help="运行 id（默认最近一次）default: the latest run")
    p.add_argument("--format", choices=["table", "json", "markdown", "csv", "html"], default="table",
                   help="html: 单个自包含离线网页 one self-contained offline page (排行榜、图表、TC260、最差对话)")
    p.add_argument("--out", help="写入文件 write to this file")
    p.add_argument("--meta", metavar="PATH", help="html 排行榜的模型信息 models.yaml (默认 default ./models.yaml)")
    p.add_argument("--worst", type=int, default=20, metavar="N",
                   help="html 中显示的最低分对话数 lowest-scoring conversations shown per run (default 20)")
    p.add_argument("--judge", help="用哪个评审的结果 which judge's verdicts (default: the run's primary)")
    p.add_argument("--tc260", action="store_true",
                   help="TC260-003 / GB/T 45654-2025 合规检查：按风险代码的安全率、拒答率与阈值")
    add_db(p)
    p.set_defaults(func=cmd_report)

    r = sub.add_parser("runs", help="列出运行 list runs")
    r.add_argument("--json", action="store_true")
    add_db(r)
    r.set_defaults(func=cmd_runs)


def cmd_report(args: argparse.Namespace, io: Io) -> int:
    with open_store(args, create=False) as store:
        run_ids = args.run_ids or ([store.latest_run_id()] if store.latest_run_id() else [])
        if not run_ids:
            raise BadInput(f"结果库中还没有运行 (no runs in {store.path})")
        if args.format == "html":
            from scsafety.report.html import html_report
            from scsafety.report.leaderboard import load_meta

            if args.worst < 0:
                raise BadInput(f"--worst 不能为负 (must be ≥ 0): {args.worst}")
            page = html_report(store, list(dict.fromkeys(run_ids)), args.judge, load_meta(args.meta),
                               worst=args.worst)
            write_output(page, args.out, io)
            return EXIT_OK
        reports = [run_report(store, rid, args.judge, tc260=args.tc260) for rid in run_ids]
    if args.tc260 and args.format in ("table", "markdown"):
        if args.format == "markdown":
            write_output("".join(render_tc260_markdown(r) for r in reports), args.out, io)
        else:
            for r in reports:
                render_tc260_table(r, io.out)
        return EXIT_OK
    if args.format == "json":
        write_output(render_json(reports), args.out, io)
    elif args.format == "markdown":
        write_output(render_markdown(reports), args.out, io)
    elif args.format == "csv":
        write_output(render_csv(reports), args.out, io)
    else:
        if args.out:
            raise BadInput("--format table 不能写文件；请用 json/markdown/csv (table prints to the terminal)")
        if len(reports) == 1:
            render_table(reports[0], io.out)
        else:
            render_runs_table(reports, io.out)
    return EXIT_OK


def cmd_runs(args: argparse.Namespace, io: Io) -> int:
    import json

    with open_store(args, create=False) as store:
        rows = []
        for run in store.list_runs():
            rep = run_report(store, run.run_id)
            rows.append({"run_id": run.run_id, "model": run.model_spec, "judge": run.primary_judge,
                         "judges": run.judges, "dataset": run.dataset, "status": run.status,
                         "n_items": rep["n_items"], "n_answers": rep["n_answers"], "n_errors": rep["n_errors"],
                         "overall": rep["overall"], "created_at": run.created_at})
    if args.json:
        write_output(json.dumps(rows, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    table = Table(title="运行 runs")
    for col in ("run", "模型 model", "评审 judge", "状态 status", "条目 items", "错误 errors", "总分 overall", "时间 created"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["run_id"], r["model"], str(r["judge"]), r["status"], str(r["n_items"]), str(r["n_errors"]),
                      "—" if r["overall"] is None else f"{r['overall']:.2f}",
                      time.strftime("%Y-%m-%d %H:%M", time.localtime(r["created_at"])))
    io.out.print(table)
    return EXIT_OK
