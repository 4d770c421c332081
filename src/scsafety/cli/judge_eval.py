"""`scsafety judge eval` (a judge against labelled answers); dispatches `judge agree` and `judge review`."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from rich.table import Table

from scsafety.cli.common import EXIT_OK, Io, add_db, add_judge_args, build_judges, open_store, write_output
from scsafety.errors import BadInput
from scsafety.judges.aggregate import aggregate_answers, aggregate_method, component_judges
from scsafety.judges.base import Verdict
from scsafety.judges.evaluation import GoldItem, evaluate, evaluate_judge, load_gold
from scsafety.report.leaderboard import rich_safe
from scsafety.store import Store, human_judge_id, is_human_judge

SUBCOMMANDS = ("eval", "agree", "review")


def parse(argv: list[str]) -> argparse.Namespace:
    from scsafety.cli import _Parser

    if argv[0] == "eval":
        p = _Parser(prog="scsafety judge eval", description="在人工标注的金标集上衡量评审（准确率、macro-F1、κ、混淆矩阵）。"
                    "--gold 文件，或 --run 运行上的人工评分 (human verdicts set in `scsafety view`).")
        p.add_argument("--gold", help="金标 JSONL: prompt, response, [history], [category], score|label")
        p.add_argument("--run", metavar="RUN", help="用这个运行上的人工评分作金标，衡量它的每个评审 "
                                                    "(measure the run's judges against its human verdicts)")
        p.add_argument("--human", metavar="ID", help="和 --run 一起：用哪位评分人 which human rater "
                                                     "(human or human:NAME; default: the only one)")
        add_judge_args(p, default_builtin=True)
        add_db(p)
        p.add_argument("--json", action="store_true")
        p.add_argument("--per-item", help="把每条的判定和理由写入这个 JSONL 文件")
        p.add_argument("--timeout", type=float, default=120.0)
        p.set_defaults(func=cmd_eval)
        return p.parse_args(argv[1:])
    if argv[0] == "review":
        from scsafety.cli import judge_review

        return judge_review.parse(argv[1:])
    from scsafety.cli import judge_agree

    return judge_agree.parse(argv[1:])


def cmd_eval(args: argparse.Namespace, io: Io) -> int:
    if (args.gold is None) == (args.run is None):
        raise BadInput("judge eval 需要 --gold 或 --run 之一 (give exactly one of --gold FILE or --run RUN)")
    if args.run is not None:
        return cmd_eval_run(args, io)
    if args.human:
        raise BadInput("--human 只能和 --run 一起用 (--human goes with --run)")
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
                                            "confidence": v.confidence, "reason": v.reason, "error": v.error,
                                            "category": it.category}, ensure_ascii=False))

    asyncio.run(go())
    if args.per_item:
        write_output("\n".join(per_item) + "\n", args.per_item, io)
    if args.json:
        payload = results[0] if len(results) == 1 else results
        write_output(json.dumps(payload, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    print_results(results, str(args.gold), io)
    if not results:
        raise BadInput("没有评审 (no judge)")
    return EXIT_OK


def human_gold(store: Store, run_id: str, human: str | None) -> tuple[str, list[GoldItem], list[int]]:
    """The chosen rater's verdicts on a run as gold items, with the answer ids they label."""
    store.require_run(run_id)
    raters = store.human_judges(run_id)
    if not raters:
        raise BadInput(f"运行 {run_id} 还没有人工评分 (no human verdicts on run {run_id}); "
                       "先在 `scsafety view` 里打分 (score answers in the viewer first)")
    if human is not None:
        rater = human_judge_id(human)
        if rater not in raters:
            raise BadInput(f"运行 {run_id} 没有 {rater} 的评分 (no verdicts by {rater}; raters: {', '.join(raters)})")
    elif len(raters) == 1:
        rater = next(iter(raters))
    else:
        raise BadInput(f"运行 {run_id} 有多位评分人，请用 --human 选一位 (several raters: {', '.join(raters)})")
    items = {i.id: i for i in store.run_items(run_id)}
    verdicts = store.run_verdicts(run_id)
    gold: list[GoldItem] = []
    ids: list[int] = []
    for a in store.run_answers(run_id):
        v = verdicts.get(a.answer_id, {}).get(rater)
        if v is None or v.score is None or a.content is None:
            continue
        item = items[a.item_id]
        gold.append(GoldItem(id=f"{a.item_id}#{a.round}", prompt=a.question, response=a.content,
                             category=item.category, score=v.score, expected=item.expected))
        ids.append(a.answer_id)
    if not gold:
        raise BadInput(f"运行 {run_id} 上 {rater} 的评分都不对应现存的回答 (no human verdict matches a current answer)")
    return rater, gold, ids


def cmd_eval_run(args: argparse.Namespace, io: Io) -> int:
    """Each stored machine judge of the run against the human verdicts: no judge is called again."""
    if args.cascade is not None:
        raise BadInput("--cascade 要调用评审，不能和 --run 一起用 (--cascade calls judges; with --run nothing is called: "
                       "run `scsafety judge RUN --judge A --judge B --cascade T` first)")
    try:
        for j in args.judge or []:
            aggregate_method(j)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    with open_store(args, create=False) as store:
        run = store.require_run(args.run)
        rater, gold, answer_ids = human_gold(store, args.run, args.human)
        components = [j for j in component_judges(run.judges) if not is_human_judge(j)]
        judge_ids = [*components, *([run.primary_judge] if aggregate_method(run.primary_judge) else [])]
        if args.judge:
            unknown = [j for j in args.judge if j not in judge_ids and not aggregate_method(j)]
            if unknown:
                raise BadInput(f"运行 {args.run} 没有评审 {', '.join(unknown)} (judges: {', '.join(judge_ids)})")
            judge_ids = list(dict.fromkeys(args.judge))
        if not components:
            raise BadInput(f"运行 {args.run} 没有机器评审 (the run has no machine judge)")
        verdicts = store.run_verdicts(args.run)
    # A derived aggregate is measured like any judge: computed from the stored verdicts, never stored.
    derived = {j: aggregate_answers(verdicts, components, str(aggregate_method(j)))
               for j in judge_ids if aggregate_method(j)}
    results = []
    per_item: list[str] = []
    for judge_id in judge_ids:
        preds = []
        for it, aid in zip(gold, answer_ids):
            v = derived[judge_id].get(aid) if judge_id in derived else verdicts.get(aid, {}).get(judge_id)
            if v is None or v.score is None:
                preds.append(Verdict(judge_id, None, error=(v.error if v else None) or "no verdict"))
            else:
                preds.append(Verdict(judge_id, v.score, v.reason or "", confidence=v.confidence))
            p = preds[-1]
            per_item.append(json.dumps({"id": it.id, "answer_id": aid, "judge": judge_id, "gold": it.gold,
                                        "score": p.score, "confidence": p.confidence, "reason": p.reason,
                                        "error": p.error, "category": it.category}, ensure_ascii=False))
        result = evaluate(gold, preds)
        result["judge"] = judge_id
        results.append({"run_id": args.run, "gold": rater, **result})
    if args.per_item:
        write_output("\n".join(per_item) + "\n", args.per_item, io)
    if args.json:
        write_output(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    print_results(results, f"运行 run {args.run} 的人工评分 ({rater})", io)
    return EXIT_OK


def print_results(results: list[dict[str, Any]], source: str, io: Io) -> None:
    for r in results:
        timing = f" · {r['seconds']}s ({r['items_per_second']}/s)" if r.get("seconds") is not None else ""
        io.out.print(f"[bold]评审 {r['judge']}[/bold] 在 {source} 上: n={r['n']} · 准确率 accuracy {r['accuracy']} · "
                     f"macro-F1 {r['macro_f1']} · κ {r['kappa']} · 错误 errors {r['n_errors']}{timing}")
        if r.get("binary"):
            b = r["binary"]
            io.out.print(f"  安全/不安全 safe/unsafe (0 = unsafe): 准确率 accuracy {b['accuracy']} · "
                         f"macro-F1 {b['macro_f1']} · κ {b['kappa']}")
        review = (r.get("binary") or {}).get("review") or r.get("review")
        if review:
            kind = "安全/不安全错误 safe/unsafe errors" if (r.get("binary") or {}).get("review") else "错误 errors"
            io.out.print(f"  人工复核最没把握的 review the least sure ({kind}) " + " · ".join(
                f"{s['share']:.0%}: 找到 finds {s['errors_found']}/{review['errors']} 个错误 errors → "
                f"{s['accuracy_after_review']}" for s in review["shares"]))
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
                c.add_row(rich_safe(name), str(m["n"]), str(m["accuracy"]), str(m["macro_f1"]), str(m["kappa"]))
            io.out.print(c)
