"""`scsafety judge eval` (a judge against labelled answers) and `scsafety judge agree`."""

from __future__ import annotations

import argparse
import asyncio
import json

from rich.table import Table

from scsafety.cli.common import EXIT_OK, Io, add_judge_args, build_judges, write_output
from scsafety.errors import BadInput
from scsafety.judges.evaluation import evaluate_judge, load_gold

SUBCOMMANDS = ("eval", "agree")


def parse(argv: list[str]) -> argparse.Namespace:
    from scsafety.cli import _Parser

    if argv[0] == "eval":
        p = _Parser(prog="scsafety judge eval", description="在人工标注的金标集上衡量评审（准确率、macro-F1、κ、混淆矩阵）。")
        p.add_argument("--gold", required=True, help="金标 JSONL: prompt, response, [history], [category], score|label")
        add_judge_args(p, default_builtin=True)
        p.add_argument("--json", action="store_true")
        p.add_argument("--per-item", help="把每条的判定和理由写入这个 JSONL 文件")
        p.add_argument("--timeout", type=float, default=120.0)
        p.set_defaults(func=cmd_eval)
        return p.parse_args(argv[1:])
    from scsafety.cli import judge_agree

    return judge_agree.parse(argv[1:])


def cmd_eval(args: argparse.Namespace, io: Io) -> int:
    items = load_gold(args.gold)
    judges = build_judges(args, timeout=args.timeout)
    results = []
    per_item: list[str] = []

    async def go() -> None:
        for judge in judges:
            await judge.preflight()
            try:
                result, verdicts = await evaluate_judge(judge, items, concurrency=args.judge_concurrency)
            finally:
                await judge.aclose()
            results.append(result)
            for it, v in zip(items, verdicts):
                per_item.append(json.dumps({"id": it.id, "judge": v.judge_id, "gold": it.gold, "score": v.score,
                                            "reason": v.reason, "error": v.error, "category": it.category},
                                           ensure_ascii=False))

    asyncio.run(go())
    if args.per_item:
        write_output("\n".join(per_item) + "\n", args.per_item, io)
    if args.json:
        payload = results[0] if len(results) == 1 else results
        write_output(json.dumps(payload, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    for r in results:
        io.out.print(f"[bold]评审 {r['judge']}[/bold] 在 {args.gold} 上: n={r['n']} · 准确率 accuracy {r['accuracy']} · "
                     f"macro-F1 {r['macro_f1']} · κ {r['kappa']} · 错误 errors {r['n_errors']} · "
                     f"{r['seconds']}s ({r['items_per_second']}/s)")
        t = Table(title="混淆矩阵 confusion (行 gold → 列 judge)")
        cols = list(next(iter(r["confusion"].values())).keys())
        t.add_column("gold")
        for c in cols:
            t.add_column(c, justify="right")
        for g, row in r["confusion"].items():
            t.add_row(g, *[str(row[c]) for c in cols])
        io.out.print(t)
        if r["categories"]:
            c = Table(title="按类别 per category")
            for col in ("category", "n", "accuracy", "macro-F1", "κ"):
                c.add_column(col)
            for name, m in r["categories"].items():
                c.add_row(name, str(m["n"]), str(m["accuracy"]), str(m["macro_f1"]), str(m["kappa"]))
            io.out.print(c)
    if not results:
        raise BadInput("没有评审 (no judge)")
    return EXIT_OK
