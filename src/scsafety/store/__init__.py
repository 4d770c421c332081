"""The results store: runs, items, conversations, answers, verdicts, the answer cache."""

from scsafety.store.cache import answer_cache_key
from scsafety.store.sqlite import (
                                   AnswerRecord,
                                   RunRecord,
                                   Store,
                                   VerdictRecord,
                                   default_db_path,
                                   human_judge_id,
                                   is_human_judge,
                                   review_queue,
)

__all__ = ["AnswerRecord", "RunRecord", "Store", "VerdictRecord", "answer_cache_key", "default_db_path",
           "human_judge_id", "is_human_judge", "review_queue"]
