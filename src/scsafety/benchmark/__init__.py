"""The benchmark: item schema, taxonomy, bundled data and loaders."""

from scsafety.benchmark.loader import Dataset, load_bundled, load_dataset, select
from scsafety.benchmark.schema import Item
from scsafety.benchmark.taxonomy import CATEGORIES, RISKS, SUBDIMENSIONS, SubDimension

__all__ = ["CATEGORIES", "RISKS", "SUBDIMENSIONS", "Dataset", "Item", "SubDimension", "load_bundled",
           "load_dataset", "select"]
