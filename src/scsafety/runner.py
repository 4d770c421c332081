"""The runner: holds real multi-round conversations, judges every answer, stores all.

Concurrency is bounded per stage (target, judge). Every answer and verdict is written
to the store the moment it exists, and every round is first looked up — in this run
(resume) and then in the answer cache (another run of the same model and settings) —
so an interrupted or repeated run never asks the model the same thing twice.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scsafety.attacks import Attacker, FixedTurns
from scsafety.benchmark.schema import Item
from scsafety.errors import ModelError
from scsafety.judges.base import Judge, JudgeInput, Verdict
from scsafety.models.base import ChatModel, Message
from scsafety.retry import RetryPolicy, call_with_retries
from scsafety.store import Store, VerdictRecord, answer_cache_key

ProgressCallback = Callable[[str, int], None]  # (event, count): "conversation" | "answer" | "call"


@dataclass(frozen=True)
class RunConfig:
    run_id: str
    concurrency: int = 16
    judge_concurrency: int = 16
    use_cache: bool = True
    system_prompt: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    seed: int = 0


@dataclass
class RunSummary:
    run_id: str
    conversations: int = 0
    answers: int = 0
    model_calls: int = 0
    from_cache: int = 0
    resumed: int = 0
    answer_errors: int = 0
    verdict_errors: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return self.answer_errors + self.verdict_errors


class Runner:
    def __init__(self, store: Store, model: ChatModel, judges: Sequence[Judge], config: RunConfig, *,
                 attacker: Attacker | None = None, progress: ProgressCallback | None = None):
        self.store = store
        self.model = model
        self.judges = list(judges)
        self.config = config
        self.attacker = attacker or FixedTurns()
        self.progress = progress or (lambda event, n: None)
        self.identity = model.identity()
        self._target_slots = asyncio.Semaphore(max(1, config.concurrency))
        # A local judge that batches (builtin) wants many calls in flight; an LLM judge is
        # bounded by --judge-concurrency.
        self._judge_slots = {j.judge_id: asyncio.Semaphore(max(1, getattr(j, "concurrency", config.judge_concurrency)))
                             for j in self.judges}
        self._rng = random.Random(config.seed)
        self.summary = RunSummary(config.run_id)

    async def run(self, items: Sequence[Item]) -> RunSummary:
        started = time.perf_counter()
        slots = asyncio.Semaphore(max(1, self.config.concurrency))

        async def one(item: Item) -> None:
            async with slots:
                await self._conversation(item)
            self.summary.conversations += 1
            self.progress("conversation", 1)

        try:
            await asyncio.gather(*(one(item) for item in items))
        finally:
            self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _messages(self, item: Item, history: list[Message], question: str) -> list[Message]:
        system = item.extra.get("system_prompt") or self.config.system_prompt
        head: list[Message] = [{"role": "system", "content": str(system)}] if system else []
        return [*head, *history, {"role": "user", "content": question}]

    async def _conversation(self, item: Item) -> None:
        run_id = self.config.run_id
        # A replayed transcript starts from its fixed history; its rounds keep their numbers.
        history: list[Message] = [Message(role=m["role"], content=m["content"])
                                  for m in item.extra.get("scripted_history") or []]
        offset = int(item.extra.get("round_offset") or 0)
        rounds = self.attacker.max_rounds(item)
        for step in range(1, rounds + 1):
            question = await self.attacker.next_turn(item, step, history)
            if question is None:
                break
            round_ = offset + step
            messages = self._messages(item, history, question)
            answer_id, content, error = await self._answer(item, round_, question, messages)
            if error is not None:
                self.summary.answer_errors += 1
                # Without this round's answer the later rounds cannot be asked; record
                # them as errors so that they are counted, and retried on resume.
                for later in range(step + 1, rounds + 1):
                    later_q = item.turns[later - 1] if later <= len(item.turns) else ""
                    self.store.save_answer(run_id, item.id, offset + later, question=later_q, messages=[],
                                           cache_key="",
                                           content=None, error=f"未询问：第 {round_} 轮失败 (not asked: round "
                                           f"{round_} failed)", attempts=0)
                    self.summary.answer_errors += 1
                self.store.set_conversation(run_id, item.id, "error", step - 1)
                return
            assert content is not None
            await self._judge_all(item, round_, answer_id, question, content, history)
            history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": content}]
            self.store.set_conversation(run_id, item.id, "pending" if step < rounds else "done", step)

    async def _answer(self, item: Item, round_: int, question: str,
                      messages: list[Message]) -> tuple[int, str | None, str | None]:
        run_id = self.config.run_id
        existing = self.store.get_answer(run_id, item.id, round_)
        if existing is not None and existing.error is None and existing.messages == messages:
            self.summary.resumed += 1
            self.summary.answers += 1
            self.progress("answer", 1)
            return existing.answer_id, existing.content, None
        key = answer_cache_key(self.identity, messages)  # type: ignore[arg-type]
        if self.config.use_cache:
            hit = self.store.cache_get(key)
            if hit is not None:
                answer_id = self.store.save_answer(
                    run_id, item.id, round_, question=question, messages=messages, cache_key=key,  # type: ignore[arg-type]
                    content=hit["content"], error=None, finish_reason=hit["finish_reason"],
                    prompt_tokens=hit["prompt_tokens"], completion_tokens=hit["completion_tokens"],
                    attempts=0, from_cache=True)
                self.summary.from_cache += 1
                self.summary.answers += 1
                self.progress("answer", 1)
                return answer_id, hit["content"], None
        try:
            async with self._target_slots:
                completion, attempts = await call_with_retries(lambda: self.model.complete(messages),
                                                               self.config.retry, self._rng)
        except ModelError as exc:
            self.summary.model_calls += getattr(exc, "attempts", 1)
            answer_id = self.store.save_answer(run_id, item.id, round_, question=question, messages=messages,  # type: ignore[arg-type]
                                               cache_key=key, content=None, error=str(exc),
                                               attempts=getattr(exc, "attempts", 1))
            return answer_id, None, str(exc)
        self.summary.model_calls += attempts
        answer_id = self.store.save_answer(
            run_id, item.id, round_, question=question, messages=messages, cache_key=key,  # type: ignore[arg-type]
            content=completion.content, error=None, finish_reason=completion.finish_reason,
            prompt_tokens=completion.usage.prompt_tokens, completion_tokens=completion.usage.completion_tokens,
            latency_ms=completion.latency_ms, attempts=attempts)
        self.store.cache_put(key, self.model.spec, completion.content, completion.finish_reason,
                             completion.usage.prompt_tokens, completion.usage.completion_tokens)
        self.summary.answers += 1
        self.progress("answer", 1)
        return answer_id, completion.content, None

    async def _judge_all(self, item: Item, round_: int, answer_id: int, question: str, answer: str,
                         history: list[Message]) -> None:
        sample = JudgeInput(question=question, answer=answer, history=tuple(history), category=item.category,
                            subdimension=item.subdimension, expected=item.expected, round=round_)
        for judge in self.judges:
            if self.store.get_verdict(answer_id, judge.judge_id) is not None:
                continue
            verdict = await judge_safely(judge, sample, self._judge_slots[judge.judge_id])
            if verdict.error:
                self.summary.verdict_errors += 1
            store_verdict(self.store, answer_id, verdict)


async def judge_safely(judge: Judge, sample: JudgeInput, slots: asyncio.Semaphore) -> Verdict:
    """A judge that raises is turned into an error verdict: counted, never a score."""
    async with slots:
        try:
            return await judge.judge(sample)
        except Exception as exc:  # noqa: BLE001 - a judge's bug must not lose the run
            return Verdict(judge.judge_id, None, "", f"评审出错 judge failed: {type(exc).__name__}: {exc}")


def store_verdict(store: Store, answer_id: int, v: Verdict) -> None:
    store.save_verdict(VerdictRecord(answer_id, v.judge_id, v.score, v.reason, v.error, v.prompt_tokens,
                                     v.completion_tokens, confidence=v.confidence), raw=v.raw)


async def rejudge(store: Store, run_id: str, judge: Judge, *, concurrency: int = 16, force: bool = False,
                  progress: ProgressCallback | None = None) -> tuple[int, int]:
    """Judge every answer of a finished run again; asks the model under test nothing.

    Returns (verdicts written, verdict errors).
    """
    items = {i.id: i for i in store.run_items(run_id)}
    answers = [a for a in store.run_answers(run_id) if a.error is None and a.content is not None]
    slots = asyncio.Semaphore(max(1, concurrency))
    progress = progress or (lambda e, n: None)
    written = errors = 0

    async def one(a) -> None:  # type: ignore[no-untyped-def]
        nonlocal written, errors
        if not force and store.get_verdict(a.answer_id, judge.judge_id) is not None:
            progress("answer", 1)
            return
        verdict = await judge_safely(judge, _sample(items[a.item_id], a), slots)
        store_verdict(store, a.answer_id, verdict)
        written += 1
        errors += 1 if verdict.error else 0
        progress("answer", 1)

    if hasattr(judge, "judge_many"):
        todo = [a for a in answers if force or store.get_verdict(a.answer_id, judge.judge_id) is None]
        progress("answer", len(answers) - len(todo))
        samples = [_sample(items[a.item_id], a) for a in todo]
        for a, verdict in zip(todo, await judge_in_batches(judge, samples)):
            store_verdict(store, a.answer_id, verdict)
            written += 1
            errors += 1 if verdict.error else 0
            progress("answer", 1)
    else:
        await asyncio.gather(*(one(a) for a in answers))
    store.add_judge(run_id, judge.judge_id, primary=True)
    return written, errors


def _sample(item: Item, a) -> JudgeInput:  # type: ignore[no-untyped-def]
    history = [m for m in a.messages[:-1] if m["role"] != "system"]
    return JudgeInput(question=a.question, answer=a.content, history=tuple(history), category=item.category,
                      subdimension=item.subdimension, expected=item.expected, round=a.round)


async def judge_in_batches(judge: Judge, samples: Sequence[JudgeInput], size: int = 256) -> list[Verdict]:
    """Judge many samples with a local batching judge, off the event loop."""
    out: list[Verdict] = []
    for start in range(0, len(samples), size):
        chunk = list(samples[start : start + size])
        try:
            out.extend(await asyncio.to_thread(judge.judge_many, chunk))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - counted as errors, never as scores
            out.extend(Verdict(judge.judge_id, None, "", f"评审出错 judge failed: {type(exc).__name__}: {exc}")
                       for _ in chunk)
    return out
