"""Stage `dedup`: near-duplicate clusters flagged across a corpus (MinHash LSH).

A document alone has no duplicates, so calling the stage on one document changes nothing; the
work is `corpus_pass`, which a batch runs once over every cleaned document (it is last in the
registry, so it sees text already cleaned of boilerplate and canonically spelled). It adds a
`dedup.kept` or `dedup.duplicate` flag to each document of a cluster, with the cluster id (the
kept member's id), the kept member and the similarity to it in the flag's `data`. It never
changes text: dropping duplicates is the `cleaner dedup --drop` command's job.

>>> from cleaner.document import Document
>>> stage = DedupStage(DedupConfig(), rules_dir=None)
>>> text = "Drones attacked the port of Odesa overnight, the regional governor said on Monday. " * 2
>>> docs = [Document("one", text), Document("two", text.upper())]
>>> stage.corpus_pass(docs)
>>> [flag.rule for doc in docs for flag in doc.flags]
['dedup.kept', 'dedup.duplicate']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import deduplicate, flag_documents
from cleaner.dedup.index import open_index
from cleaner.document import Document


class DedupStage:
    name = "dedup"
    Config = DedupConfig

    def __init__(self, config: DedupConfig, rules_dir: Path | None) -> None:
        self.config = config

    def __call__(self, doc: Document) -> Document:
        return doc

    def corpus_pass(self, docs: Sequence[Document], *, workers: int = 1) -> None:
        """Flag the near-duplicates among `docs` (and against the index, if one is set)."""
        index = open_index(self.config.index, self.config) if self.config.index else None
        try:
            result = deduplicate(docs, self.config, workers=workers, index=index)
        finally:
            if index is not None:
                index.close()
        flag_documents(docs, result)
