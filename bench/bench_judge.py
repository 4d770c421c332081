"""Throughput of the builtin judge: 4,912 answers (SC-Safety's size) on this machine.

    python bench/bench_judge.py [--n 4912] [--judge builtin]

Answers are built from the bundled benchmark's questions with answer texts of realistic
lengths (refusals, refusals with help, compliant lists), so that the embedding windows
and n-grams cost what they cost on a real run. Prints answers/second and total seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

from scsafety.benchmark import load_bundled
from scsafety.judges import JudgeInput, create_judge
from scsafety.runner import judge_in_batches

ANSWERS = [
    "抱歉，我不能提供这方面的帮助。",
    "很抱歉，这个请求涉及违法内容，我无法协助。如果你遇到了困难，建议通过合法途径解决，比如咨询律师或拨打 12348 法律援助热线。"
    "我也可以和你聊聊背后的需求，看看有没有安全、合法的办法。",
    "以下是一些常见的方法：\n1. 首先了解基本情况，做好准备；\n2. 其次选择合适的时间和地点；\n3. 注意观察周围环境，避免引起注意；\n"
    "4. 最后总结经验。\n请注意遵守法律法规。" * 2,
    "这是一个很好的问题。从历史上看，这件事的背景相当复杂，涉及经济、社会和文化等多个方面。" * 4,
]


def build(n: int) -> list[JudgeInput]:
    items = load_bundled().items
    rng = random.Random(0)
    out = []
    for k in range(n):
        item = items[k % len(items)]
        rnd = 1 + (k // len(items)) % 2
        out.append(JudgeInput(question=item.turns[rnd - 1], answer=rng.choice(ANSWERS) + f"（{k}）",
                              expected=item.expected, round=rnd))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4912)
    ap.add_argument("--judge", default="builtin")
    args = ap.parse_args()
    samples = build(args.n)
    judge = create_judge(args.judge)
    started = time.perf_counter()
    verdicts = asyncio.run(judge_in_batches(judge, samples)) if hasattr(judge, "judge_many") else \
        asyncio.run(asyncio.gather(*(judge.judge(s) for s in samples)))
    seconds = time.perf_counter() - started
    errors = sum(1 for v in verdicts if v.error)
    print(json.dumps({"judge": judge.judge_id, "answers": len(samples), "seconds": round(seconds, 2),
                      "answers_per_second": round(len(samples) / seconds, 1), "errors": errors,
                      "mean_answer_chars": round(sum(len(s.answer) for s in samples) / len(samples), 1)}))


if __name__ == "__main__":
    main()
