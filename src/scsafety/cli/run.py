"""`scsafety run` and `scsafety demo`: evaluate a model on the benchmark."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from scsafety.benchmark import load_dataset, select
from scsafety.benchmark.schema import Item
from scsafety.cli.common import (EXIT_ERRORS, EXIT_OK, Io, add_db, add_judge_args, build_judges, default_run_id,
                                 open_store, positive_float, positive_int)
from scsafety.errors import BadInput
from scsafety.judges import Judge
from scsafety.judges.aggregate import aggregate_id
from scsafety.models import ChatModel, ModelOptions, create_model
from scsafety.report import render_table, run_report
from scsafety.retry import RetryPolicy
from scsafety.runner import RunConfig, Runner, RunSummary
from scsafety.store import Store


def add_dataset_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", help="自己的数据集 your own dataset: canonical JSONL, JSONL/CSV with --field, "
                                     "or conversations with messages")
    p.add_argument("--field", action="append", metavar="NAME=COLUMN",
                   help="列映射 column mapping, e.g. turns=prompt or turns=q1,q2 or id=qid (repeatable)")
    p.add_argument("--scripted-history", action="store_true",
                   help="把文件中的 assistant 消息当作固定历史，只问最后一轮 replay assistant turns as fixed history")
    p.add_argument("--default-category", default="traditional_safety",
                   help="没有 category 列时的领域 area for rows without one")


def add_model_args(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument("--model", required=required, metavar="SPEC",
                   help="被测模型 model under test: openai:NAME, deepseek:, qwen:, glm:, moonshot:, doubao:, "
                        "ollama:, vllm:, gguf:PATH, local:gemma-3-270m, builtin:refuse")
    p.add_argument("--base-url", help="OpenAI 兼容端点 base URL (e.g. http://127.0.0.1:8000/v1)")
    p.add_argument("--api-key-env", help="API key 所在的环境变量 env var holding the key (default per provider, "
                                         "OPENAI_API_KEY for openai:)")
    p.add_argument("--temperature", type=float, help="采样温度 sampling temperature")
    p.add_argument("--max-tokens", type=positive_int, help="每个回答的最大 token 数")
    p.add_argument("--system-prompt", help="系统提示词 system prompt sent before every conversation")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="评测一个模型 evaluate a model", description="在 SC-Safety 上评测一个模型。")
    add_model_args(p)
    add_judge_args(p, default_builtin=True, aggregate=True)
    add_dataset_args(p)
    p.add_argument("--limit", type=positive_int, help="只跑 N 个条目（按子维度均匀抽取）first N items, spread over "
                                                      "sub-dimensions")
    p.add_argument("--subdim", action="extend", nargs="+", metavar="NAME", help="只跑这些子维度 only these")
    p.add_argument("--concurrency", type=positive_int, default=16, help="并发对话数 concurrent conversations")
    p.add_argument("--timeout", type=positive_float, default=120.0, help="单次请求超时秒数 per-request timeout (s)")
    p.add_argument("--retries", type=positive_int, default=5, help="每次调用的最多尝试次数 attempts per call")
    p.add_argument("--run-id", help="运行 id；用同一 id 重跑即续跑 (re-use to resume)")
    p.add_argument("--no-cache", action="store_true", help="不复用其他运行缓存的回答 don't reuse cached answers")
    add_db(p)
    p.set_defaults(func=cmd_run)

    d = sub.add_parser("demo", help="离线演示 offline demo (local:gemma-3-270m, builtin judge)",
                       description="离线端到端演示：本地 270M 模型 + 内置评审，不需要网络。")
    add_model_args(d, required=False)
    add_judge_args(d, default_builtin=True, aggregate=True)
    d.add_argument("--limit", type=positive_int, default=6)
    d.add_argument("--concurrency", type=positive_int, default=2)
    d.add_argument("--timeout", type=positive_float, default=300.0)
    d.add_argument("--retries", type=positive_int, default=2)
    d.add_argument("--run-id")
    d.add_argument("--no-cache", action="store_true")
    add_db(d)
    d.set_defaults(func=cmd_demo, dataset=None, subdim=None, field=None, scripted_history=False,
                   default_category="traditional_safety")


def model_options(args: argparse.Namespace) -> ModelOptions:
    return ModelOptions(base_url=args.base_url, api_key_env=args.api_key_env, temperature=args.temperature,
                        max_tokens=args.max_tokens, timeout=args.timeout, concurrency=args.concurrency)


def cmd_demo(args: argparse.Namespace, io: Io) -> int:
    if not args.model:
        args.model = "local:gemma-3-270m"
        if args.max_tokens is None:
            args.max_tokens = 64
    if not args.db:
        args.db = os.environ.get("SCSAFETY_DB") or os.path.join("scsafety_runs", "demo.db")
    io.err.print(f"[bold]SC-Safety 离线演示 offline demo[/bold]: 模型 {args.model}, 评审 builtin, {args.limit} 个条目")
    return cmd_run(args, io)


async def preflight(model: ChatModel, judges: Sequence[Judge]) -> None:
    """Fail before anything is stored when a model or judge cannot be used at all."""
    try:
        await model.preflight()
        for j in judges:
            await j.preflight()
    finally:
        await model.aclose()
        for j in judges:
            await j.aclose()


async def execute(store: Store, model: ChatModel, judges: Sequence[Judge], items: Sequence[Item],
                  config: RunConfig, io: Io) -> RunSummary:
    total_answers = sum(len(i.turns) for i in items)
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=io.err, transient=False) as progress:
            conv = progress.add_task("对话 conversations", total=len(items))
            ans = progress.add_task("回答 answers", total=total_answers)

            def on_progress(event: str, n: int) -> None:
                progress.advance(conv if event == "conversation" else ans, n)

            runner = Runner(store, model, judges, config, progress=on_progress)
            return await runner.run(items)
    finally:
        await model.aclose()
        for j in judges:
            await j.aclose()


def cmd_run(args: argparse.Namespace, io: Io) -> int:
    model = create_model(args.model, model_options(args))
    judges = build_judges(args, timeout=args.timeout)
    dataset = load_dataset(args.dataset, fields=args.field, scripted_history=args.scripted_history,
                           default_category=args.default_category)
    items = select(dataset.items, subdims=args.subdim, limit=args.limit)
    if not items:
        raise BadInput("没有可运行的条目 (no items selected)")
    run_id = args.run_id or default_run_id(args.model)
    asyncio.run(preflight(model, judges))
    config = RunConfig(run_id=run_id, concurrency=args.concurrency, judge_concurrency=args.judge_concurrency,
                       use_cache=not args.no_cache, system_prompt=args.system_prompt,
                       retry=RetryPolicy(attempts=args.retries))
    with open_store(args) as store:
        resumed = store.start_run(
            run_id, model_spec=model.spec, model_identity={**model.identity(), "system_prompt": args.system_prompt},
            judges=[j.judge_id for j in judges], dataset=dataset.label, dataset_digest=dataset.digest,
            config={"limit": args.limit, "subdims": args.subdim, "concurrency": args.concurrency,
                    "timeout": args.timeout, "no_cache": args.no_cache, "dataset_source": dataset.source},
            items=items)
        if args.aggregate:
            store.set_primary_judge(run_id, aggregate_id(args.aggregate))
        io.err.print(f"{'续跑 resuming' if resumed else '开始 starting'} run [bold]{run_id}[/bold] · "
                     f"{len(items)} 个条目 items · 模型 {model.spec} · 评审 {', '.join(j.judge_id for j in judges)} · "
                     f"结果库 {store.path}")
        try:
            summary = asyncio.run(execute(store, model, judges, items, config, io))
        except KeyboardInterrupt:
            store.finish_run(run_id, "interrupted")
            io.err.print(f"已中断；用同一 --run-id {run_id} 重新运行即可续跑 (interrupted; re-run to resume)")
            return 130
        store.finish_run(run_id, "done" if summary.errors == 0 else "done_with_errors")
        render_table(run_report(store, run_id), io.out)
        io.err.print(f"模型调用 model calls {summary.model_calls} · 复用 reused (run {summary.resumed}, cache "
                     f"{summary.from_cache}) · 错误 errors {summary.errors} · {summary.seconds:.1f}s")
        if summary.errors:
            io.err.print(f"[yellow]有 {summary.errors} 个错误未计分 (errors are not scored); "
                         f"用同一 --run-id 重跑会重试它们[/yellow]")
            return EXIT_ERRORS
    return EXIT_OK
