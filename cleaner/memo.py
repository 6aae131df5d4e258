"""A bounded memory of computed answers, for the per-line and per-token lookups of the stages."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class BoundedMemo(dict):
    """`compute(key)` for each key looked up, computed on the first lookup and remembered.
    Past `limit` keys it starts afresh, so memory stays bounded on an endless vocabulary;
    answers never depend on what it holds. A `compute` that raises remembers nothing.

    >>> squares = BoundedMemo(lambda n: n * n, limit=2)
    >>> squares[3], squares[4], squares[5], len(squares)
    (9, 16, 25, 1)
    """

    def __init__(self, compute: Callable[[Any], Any], limit: int) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: Hashable) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value
