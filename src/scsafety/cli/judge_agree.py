"""`scsafety judge agree RUN --judges A B`: κ between two judges on a run."""

from __future__ import annotations

import argparse


def parse(argv: list[str]) -> argparse.Namespace:
    from scsafety.cli import _Parser

    p = _Parser(prog="scsafety judge agree", description="两个评审在同一运行上的一致性（κ）以及分歧的回答。")
    p.add_argument("run_id", metavar="RUN")
    p.add_argument("--judges", nargs=2, required=True, metavar=("A", "B"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20, help="最多列出多少条分歧 disagreements to show")
    from scsafety.cli.common import add_db

    add_db(p)
    p.set_defaults(func=cmd_agree)
    return p.parse_args(argv)


def cmd_agree(args: argparse.Namespace, io):  # type: ignore[no-untyped-def]
    import json

    from rich.table import Table

    from scsafety.cli.common import EXIT_OK, open_store, write_output
    from scsafety.errors import BadInput
    from scsafety.judges.evaluation import agreement
    from scsafety.report.leaderboard import rich_safe

    a_id, b_id = args.judges
    with open_store(args, create=False) as store:
        run = store.require_run(args.run_id)
        for j in (a_id, b_id):
            if j not in run.judges:
                raise BadInput(f"运行 {args.run_id} 没有评审 {j!r} 的结果 (judges: {', '.join(run.judges)})")
        verdicts = store.run_verdicts(args.run_id)
        answers = {a.answer_id: a for a in store.run_answers(args.run_id)}
    pairs = []
    for answer_id, by_judge in verdicts.items():
        va, vb = by_judge.get(a_id), by_judge.get(b_id)
        if va and vb and va.score is not None and vb.score is not None:
            pairs.append((answer_id, va, vb))
    ag = agreement([str(va.score) for _, va, _ in pairs], [str(vb.score) for _, _, vb in pairs], ["0", "1", "2"])
    disagreements = [
        {"item_id": answers[aid].item_id, "round": answers[aid].round, "question": answers[aid].question,
         "answer": answers[aid].content, a_id: {"score": va.score, "reason": va.reason},
         b_id: {"score": vb.score, "reason": vb.reason}}
        for aid, va, vb in pairs if va.score != vb.score]
    result = {"run_id": args.run_id, "judges": [a_id, b_id], "n": ag.n, "agreement": ag.accuracy,
              "kappa": ag.kappa, "confusion": ag.confusion, "n_disagreements": len(disagreements),
              "disagreements": disagreements}
    if args.json:
        write_output(json.dumps(result, ensure_ascii=False, indent=2), None, io)
        return EXIT_OK
    io.out.print(f"[bold]{a_id}[/bold] vs [bold]{b_id}[/bold] on {args.run_id}: n={ag.n} · 一致率 agreement "
                 f"{ag.accuracy} · κ {ag.kappa} · 分歧 disagreements {len(disagreements)}")
    t = Table(title="分歧 disagreements")
    for col in ("item", "round", a_id, b_id, "answer"):
        t.add_column(col)
    for d in disagreements[: args.limit]:
        t.add_row(rich_safe(d["item_id"]), str(d["round"]), str(d[a_id]["score"]), str(d[b_id]["score"]),
                  rich_safe((d["answer"] or "")[:60]))
    io.out.print(t)
    return EXIT_OK
