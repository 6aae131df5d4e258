"""Stage `dedup`: near-duplicate clusters flagged across a corpus (MinHash LSH).

A document alone has no duplicates, so calling the stage on one document changes nothing; the
work is `corpus_pass`, which a batch runs once over every cleaned document (it is last in the
registry, so it sees text already cleaned of boilerplate and canonically spelled). A batch that
streams its documents does the same in two steps: `sketch` where the documents are cleaned (the
signature rows, in the worker processes), then `judge` over the sketches of the whole corpus,
whose flags it attaches as it writes. It adds a
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

from collections.abc import Callable, Sequence
from pathlib import Path

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import (
    DedupFlags,
    DedupResult,
    Sketch,
    SketchCollector,
    deduplicate,
    flag_documents,
    sketches_of,
)
from cleaner.dedup.index import open_index
from cleaner.dedup.signatures import Signer
from cleaner.document import Document


class DedupStage:
    name = "dedup"
    Config = DedupConfig

    def __init__(self, config: DedupConfig, rules_dir: Path | None) -> None:
        self.config = config
        self.signer = Signer(num_perm=config.num_perm, seed=config.seed, ngram=config.ngram)

    def __call__(self, doc: Document) -> Document:
        return doc

    def corpus_pass(self, docs: Sequence[Document], *, workers: int = 1) -> None:
        """Flag the near-duplicates among `docs` (and against the index, if one is set)."""
        result = self._with_index(
            lambda index: deduplicate(docs, self.config, workers=workers, index=index)
        )
        flag_documents(docs, result)

    def sketch(self, docs: Sequence[Document]) -> list[Sketch]:
        """What `judge` needs of each of a batch of cleaned documents (a signature row and a few
        numbers), computed where they were cleaned."""
        return sketches_of(docs, self.signer, self.config)

    def collector(self) -> SketchCollector:
        """Where a batch adds the sketch of every document, in input order."""
        return SketchCollector(self.config)

    def judge(self, collector: SketchCollector, text_of: Callable[[int], str]) -> DedupFlags:
        """The flags of the collected corpus; `text_of(position)` reads one document's text back
        (needed only for ties of the canonical order and for `exact`)."""
        return DedupFlags(self._with_index(lambda index: collector.result(text_of, index=index)))

    def _with_index(self, run: Callable[..., DedupResult]) -> DedupResult:
        index = open_index(self.config.index, self.config) if self.config.index else None
        try:
            return run(index)
        finally:
            if index is not None:
                index.close()
