"""Why documents were grouped: the longest passages a cluster's members share with its kept
member, in the normalized words dedup compares.

>>> kept = "Drones hit Kyiv overnight, the mayor said. Two people were hurt in the attack."
>>> copy = "Source link. Drones hit Kyiv overnight, the mayor said. Nobody else commented."
>>> shared_passages(kept, [copy], limit=1)
['drones hit kyiv overnight the mayor said']
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from cleaner.dedup.shingles import words_of

MIN_WORDS = 4


def shared_passages(kept: str, others: Sequence[str], *, limit: int = 3) -> list[str]:
    """The `limit` longest word runs (of at least 4 words) shared by `kept` and any of `others`."""
    kept_words = words_of(kept)
    found: dict[str, int] = {}
    for other in others:
        other_words = words_of(other)
        matcher = SequenceMatcher(None, kept_words, other_words, autojunk=False)
        for block in matcher.get_matching_blocks():
            if block.size >= MIN_WORDS:
                passage = " ".join(kept_words[block.a : block.a + block.size])
                found[passage] = max(found.get(passage, 0), block.size)
    ranked = sorted(found, key=lambda passage: (-found[passage], passage))
    return ranked[:limit]
