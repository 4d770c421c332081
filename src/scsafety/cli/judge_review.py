"""`scsafety judge review RUN`: the answers a person should check first, least sure verdict first.

A judge that says how sure it is (``Verdict.confidence``: the builtin judge, and any judge
under ``--judge-samples N``) lets a small amount of human time go where the judge is most
likely wrong. The list skips answers that already have a human verdict, so working through
it in ``scsafety view`` and running it again shows what is left.
"""

from __future__ import annotations

import argparse
import json

DEFAULT_SHARE = 0.1


def parse(argv: list[str]) -> argparse.Namespace:
    from scsafety.cli import _Parser
    from scsafety.cli.common import add_db

    p = _Parser(prog="scsafety judge review",
                description="列出评审最没把握的回答，供人工复核（在 scsafety view 里打分）。"
                            "The answers whose verdicts the judge is least sure of, for a person to check.")
    p.add_argument("run_id", metavar="RUN")
    p.add_argument("--judge", help="哪个评审的把握度 whose confidence (default: the run's primary judge)")
    p.add_argument("--share", type=float,
                   help="列出全部回答中的多大比例 share of the run's answers to list (default 0.1, or --limit alone)")
    p.add_argument("--limit", type=int, help="最多列出多少条 at most this many (alone: exactly this many)")
    p.add_argument("--include-reviewed", action="store_true",
                   help="也列出已有人工评分的回答 also list answers a person has already scored")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", help="把 JSON 写入这个文件 write the JSON here")
    add_db(p)
    p.set_defaults(func=cmd_review)
    return p.parse_args(argv)


def cmd_review(args: argparse.Namespace, io):  # type: ignore[no-untyped-def]
    from rich.table import Table

    from scsafety.cli.common import EXIT_OK, open_store, write_output
    from scsafety.errors import BadInput
    from scsafety.judges.aggregate import aggregate_method
    from scsafety.report.leaderboard import rich_safe
    from scsafety.store import review_queue

    if args.share is not None and not 0 < args.share <= 1:
        raise BadInput(f"--share 必须在 0 和 1 之间 (must be within 0 and 1), got {args.share}")
    if args.limit is not None and args.limit < 1:
        raise BadInput(f"--limit 必须是正整数 (must be positive), got {args.limit}")
    with open_store(args, create=False) as store:
        run = store.require_run(args.run_id)
        judge_id = args.judge or run.primary_judge
        if judge_id is None or aggregate_method(judge_id):
            raise BadInput(f"请用 --judge 选一个评审；聚合没有把握度 (pick a --judge: an aggregate has no confidence; "
                           f"judges: {', '.join(run.judges)})")
        if judge_id not in run.judges:
            raise BadInput(f"运行 {args.run_id} 没有评审 {judge_id!r} 的结果 (judges: {', '.join(run.judges)})")
        verdicts = store.run_verdicts(args.run_id)
        answers = {a.answer_id: a for a in store.run_answers(args.run_id)}
    judged = [by[judge_id] for by in verdicts.values() if judge_id in by]
    if not judged:
        raise BadInput(f"评审 {judge_id} 在运行 {args.run_id} 上还没有结论 (no verdicts of {judge_id} on this run yet: "
                       "run `scsafety run` again with the same --run-id to resume it)")
    if not any(v.confidence is not None for v in judged):
        raise BadInput(f"评审 {judge_id} 没有给出把握度 (judge {judge_id} gives no confidence: the builtin judge does, "
                       "and any judge under --judge-samples N)")
    queue = review_queue(verdicts, judge_id, include_reviewed=args.include_reviewed)
    share = args.share if args.share is not None else (None if args.limit is not None else DEFAULT_SHARE)
    count = args.limit if share is None else max(1, round(len(judged) * share))
    if args.limit is not None:
        count = min(count, args.limit)
    picked = queue[:count]
    rows = [{"answer_id": aid, "item_id": answers[aid].item_id, "round": answers[aid].round,
             "score": v.score, "confidence": v.confidence, "error": v.error, "reason": v.reason,
             "question": answers[aid].question, "answer": answers[aid].content} for aid, v in picked]
    result = {"run_id": args.run_id, "judge": judge_id, "judged": len(judged), "awaiting_review": len(queue),
              "listed": len(rows), "answers": rows}
    if args.json or args.out:
        write_output(json.dumps(result, ensure_ascii=False, indent=2), args.out, io)
        if args.json:
            return EXIT_OK
    t = Table(title=f"最没把握的回答 least sure verdicts · {rich_safe(judge_id)} · {len(rows)} / {len(queue)}")
    for col in ("item", "round", "score", "confidence", "answer"):
        t.add_column(col)
    for r in rows:
        conf = "—" if r["confidence"] is None else f"{r['confidence']:.2f}"
        score = "error" if r["score"] is None else str(r["score"])
        t.add_row(rich_safe(str(r["item_id"])), str(r["round"]), score, conf,
                  rich_safe((r["answer"] or "").replace("\n", " ")[:60]))
    io.out.print(t)
    io.out.print(f"在 `scsafety view` 里按题目 id 搜索并打分，再用 `scsafety judge eval --run {rich_safe(args.run_id)}` "
                 "衡量评审 (score them in the viewer, then measure the judge against your verdicts)")
    return EXIT_OK
