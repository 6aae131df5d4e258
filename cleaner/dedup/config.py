"""The dedup options: one frozen, eagerly validated object shared by the stage, the command and
the library.

>>> DedupConfig(threshold=1.5)
Traceback (most recent call last):
...
cleaner.errors.ConfigError: dedup.threshold must be in (0.0, 1.0], got 1.5
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from cleaner.config import StageConfig
from cleaner.errors import ConfigError

KEEP_POLICIES = ("longest", "earliest", "first", "cleanest")
NUM_PERM_RANGE = (16, 1024)
NGRAM_RANGE = (1, 10)


@dataclasses.dataclass(frozen=True)
class DedupConfig(StageConfig):
    """Near-duplicate detection.

    `threshold`: Jaccard similarity of the shingle sets above which two documents are copies.
    `num_perm`: MinHash permutations (more: finer estimates, slower, bigger index).
    `seed`: seed of the permutations (signatures of different seeds cannot be compared).
    `ngram`: words per shingle. 3 measured best on the gold set (`benchmarks/dedup_quality.py`).
    `keep`: which member of a cluster is kept: `longest` text, `earliest` by `date_field`,
    `first` in input order, `cleanest` (fewest changes made by the cleaner).
    `date_field`: metadata field with an ISO 8601 date, for `keep = "earliest"`.
    `exact`: verify candidate pairs on the exact shingle sets instead of the signatures.
    `index`: a persistent index (SQLite path or `redis://HOST:PORT/DB`) to check against and add to.
    """

    threshold: float = 0.5
    num_perm: int = 128
    seed: int = 1
    ngram: int = 3
    keep: Literal["longest", "earliest", "first", "cleanest"] = "longest"
    date_field: str = "published"
    exact: bool = False
    index: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"dedup.threshold must be in (0.0, 1.0], got {self.threshold}")
        low, high = NUM_PERM_RANGE
        if not low <= self.num_perm <= high:
            raise ConfigError(f"dedup.num_perm must be in [{low}, {high}], got {self.num_perm}")
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"dedup.seed must be in [0, 2**32 - 1], got {self.seed}")
        low, high = NGRAM_RANGE
        if not low <= self.ngram <= high:
            raise ConfigError(f"dedup.ngram must be in [{low}, {high}], got {self.ngram}")
        if self.keep not in KEEP_POLICIES:
            raise ConfigError(
                f"dedup.keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}"
            )
        if not self.date_field:
            raise ConfigError("dedup.date_field must be a non-empty field name")
