"""scsafety — SC-Safety, multi-round adversarial safety evaluation of Chinese LLMs.

The library does everything the CLI does::

    from scsafety import load_dataset, create_model, create_judge, Store, Runner, RunConfig
"""

__version__ = "0.1.0"

from scsafety.benchmark import Dataset, Item, load_dataset, select  # noqa: E402
from scsafety.judges import Judge, JudgeInput, Verdict, create_judge  # noqa: E402
from scsafety.models import ChatModel, ModelOptions, create_model  # noqa: E402
from scsafety.report import run_report  # noqa: E402
from scsafety.runner import RunConfig, Runner, rejudge  # noqa: E402
from scsafety.store import Store  # noqa: E402

__all__ = ["ChatModel", "Dataset", "Item", "Judge", "JudgeInput", "ModelOptions", "RunConfig", "Runner", "Store",
           "Verdict", "__version__", "create_judge", "create_model", "load_dataset", "rejudge", "run_report", "select"]
