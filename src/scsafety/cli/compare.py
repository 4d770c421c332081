"""`scsafety compare RUN_A RUN_B` and `scsafety export RUN`."""

from __future__ import annotations

import argparse
import json

from rich.table import Table

from scsafety.benchmark import taxonomy
from scsafety.cli.common import EXIT_OK, Io, add_db, open_store, write_output
from scsafety.metrics import paired_difference
from scsafety.report.build import scored_answers
from scsafety.report.conversations import iter_conversations


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("compare", help="配对比较两个运行 paired comparison of two runs",
                       description="在两个运行共同的条目上比较得分：差值及其 95% 置信区间（配对 bootstrap）。")
    p.add_argument("run_a", metavar="RUN_A")
    p.add_argument("run_b", metavar="RUN_B")
    p.add_argument("--judge", help="两边都用这个评审 (default: each run's primary judge)")
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(func=cmd_compare)

    e = sub.add_parser("export", help="导出对话与评分 export conversations with verdicts (JSONL)")
    e.add_argument("run_id", metavar="RUN")
    e.add_argument("--out")
    add_db(e)
    e.set_defaults(func=cmd_export)


def cmd_compare(args: argparse.Namespace, io: Io) -> int:
    with open_store(args, create=False) as store:
        rows_a, judge_a = scored_answers(store, args.run_a, args.judge)
        rows_b, judge_b = scored_answers(store, args.run_b, args.judge)
        model_a, model_b = store.require_run(args.run_a).model_spec, store.require_run(args.run_b).model_spec
    result = {"run_a": args.run_a, "run_b": args.run_b, "model_a": model_a, "model_b": model_b,
              "judge_a": judge_a, "judge_b": judge_b, **paired_difference(rows_a, rows_b)}
    if args.json:
        write_output(json.dumps(result, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    t = Table(title=f"配对比较 paired comparison · A={args.run_a} ({model_a}) vs B={args.run_b} ({model_b}) · "
                    f"共同条目 {result['n_common_items']}")
    for col in ("范围 scope", "条目 items", "A", "B", "A − B", "95% CI", "显著 significant"):
        t.add_column(col, justify="left" if col.startswith("范围") else "right")

    def row(label: str, b: dict) -> None:
        ci = b.get("ci")
        t.add_row(label, str(b["n_items"]), "—" if b["a"] is None else f"{b['a']:.2f}",
                  "—" if b["b"] is None else f"{b['b']:.2f}",
                  "—" if b["difference"] is None else f"{b['difference']:+.2f}",
                  "" if ci is None else f"[{ci[0]:+.2f}, {ci[1]:+.2f}]", "是 yes" if b.get("significant") else "")

    row("总分 overall", result["overall"])
    for cat, b in result["categories"].items():
        row(taxonomy.CATEGORIES.get(cat, (cat,))[0], b)
    for sub, b in result["subdimensions"].items():
        s = taxonomy.SUBDIMENSION_BY_NAME.get(sub)
        row(f"  {s.zh if s else sub}", b)
    io.out.print(t)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, io: Io) -> int:
    with open_store(args, create=False) as store:
        lines = [json.dumps(c, ensure_ascii=False) for c in iter_conversations(store, args.run_id)]
    write_output("\n".join(lines) + "\n", args.out, io)
    return EXIT_OK
