"""`scsafety judge RUN --judge SPEC`: re-judge a finished run without asking the model."""

from __future__ import annotations

import argparse
import asyncio

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scsafety.cli.common import EXIT_ERRORS, EXIT_OK, Io, add_db, add_judge_args, build_judges, open_store
from scsafety.errors import BadInput
from scsafety.judges.aggregate import aggregate_id
from scsafety.report import render_table, run_report
from scsafety.runner import rejudge


def build_rejudge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scsafety judge", description="用另一个评审重新评分一个运行（不再调用被测模型）。"
                                "Also: `scsafety judge eval`, `scsafety judge agree`, `scsafety judge review`.")
    p.add_argument("run_id", metavar="RUN", help="运行 id")
    add_judge_args(p, default_builtin=False, aggregate=True)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--force", action="store_true", help="已有的评分也重新评 re-judge answers already judged")
    add_db(p)
    p.set_defaults(func=cmd_rejudge)
    return p


def cmd_rejudge(args: argparse.Namespace, io: Io) -> int:
    if not args.judge and not args.aggregate:
        raise BadInput("请用 --judge 指定评审，或用 --aggregate 聚合已有的评审 (give a --judge, or --aggregate)")
    judges = build_judges(args, timeout=args.timeout) if args.judge else []
    errors = 0
    with open_store(args, create=False) as store:
        store.require_run(args.run_id)
        n = len([a for a in store.run_answers(args.run_id) if a.error is None])

        async def go() -> int:
            errs = 0
            for judge in judges:
                await judge.preflight()
                try:
                    with Progress(TextColumn(f"[bold]评审 {judge.judge_id}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=io.err) as progress:
                        task = progress.add_task("", total=n)
                        _, e = await rejudge(store, args.run_id, judge, concurrency=args.judge_concurrency,
                                             force=args.force, progress=lambda ev, k: progress.advance(task, k))
                        errs += e
                finally:
                    await judge.aclose()
            return errs

        errors = asyncio.run(go())
        if args.aggregate:  # derived from the stored verdicts: no model is asked anything
            store.set_primary_judge(args.run_id, aggregate_id(args.aggregate))
        render_table(run_report(store, args.run_id, None if args.aggregate else judges[-1].judge_id), io.out)
    if errors:
        io.err.print(f"[yellow]{errors} 个回答评审失败，未计分 (verdict errors are not scored)[/yellow]")
        return EXIT_ERRORS
    return EXIT_OK
