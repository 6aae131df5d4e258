"""Quality of the mt stage on its gold texts (tests/data/mt/*.txt, marks explained in the
README there): per artifact kind, how many are fixed; how many must-not-change cases were
altered (must be 0); how many expected flags were raised.

    python benchmarks/mt_quality.py

Each artifact is checked on its own (the gold text with only that artifact wrong must come
out as the gold text), then the whole input with every artifact at once; the must-not-change
cases are checked in both runs and on the gold text itself (which must come out unchanged).
The langid stage runs first, as in the pipeline.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner.document import Document  # noqa: E402
from cleaner.rules import shipped_rules_dir  # noqa: E402
from cleaner.stages.langid import LangidConfig, LangidStage  # noqa: E402
from cleaner.stages.mt import MtConfig, MtStage  # noqa: E402

GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "mt"
MARK = re.compile(r"⟦([^|⟧]+)\|([^|⟧]*)(?:\|([^⟧]*))?⟧")


@dataclass(frozen=True)
class Mark:
    kind: str  # an artifact kind, "keep", or "flag:RULE"
    wrong: str
    right: str


@dataclass(frozen=True)
class Gold:
    name: str
    pieces: tuple[str | Mark, ...]

    def text(self, wrong: set[int] | None = None) -> str:
        """The text with the artifacts whose index is in `wrong` in their wrong form."""
        wrong = wrong or set()
        return "".join(
            piece if isinstance(piece, str) else (piece.wrong if i in wrong else piece.right)
            for i, piece in enumerate(self.pieces)
        )

    def span(self, index: int, wrong: set[int]) -> tuple[int, int]:
        start = len(Gold(self.name, self.pieces[:index]).text(wrong))
        mark = self.pieces[index]
        return start, start + len(mark.wrong if index in wrong else mark.right)

    @property
    def artifacts(self) -> list[int]:
        return [
            i
            for i, p in enumerate(self.pieces)
            if isinstance(p, Mark) and p.kind != "keep" and not p.kind.startswith("flag:")
        ]

    def marks(self, prefix: str) -> list[int]:
        return [
            i
            for i, p in enumerate(self.pieces)
            if isinstance(p, Mark) and p.kind.startswith(prefix)
        ]


def read_gold(path: Path) -> Gold:
    source = path.read_text(encoding="utf-8")
    pieces: list[str | Mark] = []
    cursor = 0
    for match in MARK.finditer(source):
        pieces.append(source[cursor : match.start()])
        kind, first, second = match.groups()
        pieces.append(Mark(kind, first, first if second is None else second))
        cursor = match.end()
    pieces.append(source[cursor:])
    return Gold(path.stem, tuple(pieces))


class Cleaner:
    def __init__(self) -> None:
        rules = shipped_rules_dir()
        self.langid = LangidStage(LangidConfig(), rules)
        self.mt = MtStage(MtConfig(), rules)

    def __call__(self, text: str) -> Document:
        return self.mt(self.langid(Document(id="gold", text=text)))


def _overlaps(change_spans: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    start, end = span
    return any(a < end and b > start or a == b and start <= a <= end for a, b in change_spans)


def _input_spans(doc: Document) -> list[tuple[int, int]]:
    """Spans of the changes in the coordinates of the input text (changes are replayed in
    order, each in the text as it was, so later ones are mapped back)."""
    spans: list[tuple[int, int]] = []
    for change in reversed(doc.changes):
        delta = len(change.after) - len(change.before)
        spans = [
            (
                a - delta if a >= change.start + len(change.after) else a,
                b - delta if b >= change.start + len(change.after) else b,
            )
            for a, b in spans
        ]
        spans.append((change.start, change.end))
    return spans


def evaluate(paths: list[Path] | None = None) -> dict:
    clean = Cleaner()
    fixed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    keep_total = keep_altered = flags_total = flags_raised = 0
    whole_ok = 0
    failures: list[str] = []
    golds = [read_gold(p) for p in sorted(paths or GOLD_DIR.glob("*.txt"))]
    for gold in golds:
        expected = gold.text()
        for index in gold.artifacts:
            kind = gold.pieces[index].kind
            total[kind] += 1
            out = clean(gold.text({index})).text
            if out == expected:
                fixed[kind] += 1
            else:
                failures.append(f"{gold.name}: {kind} {gold.pieces[index].wrong!r} not fixed")
        all_wrong = set(gold.artifacts)
        full = clean(gold.text(all_wrong))
        whole_ok += full.text == expected
        if full.text != expected:
            failures.append(f"{gold.name}: the whole text does not come out as the gold")
        untouched = clean(expected)
        if untouched.text != expected:
            failures.append(f"{gold.name}: the gold text itself was changed")
        full_spans, gold_spans = _input_spans(full), _input_spans(untouched)
        for index in gold.marks("keep"):
            keep_total += 1
            if _overlaps(full_spans, gold.span(index, all_wrong)) or _overlaps(
                gold_spans, gold.span(index, set())
            ):
                keep_altered += 1
                failures.append(
                    f"{gold.name}: must-not-change {gold.pieces[index].wrong!r} altered"
                )
        for index in gold.marks("flag:"):
            flags_total += 1
            rule = gold.pieces[index].kind.removeprefix("flag:")
            start, end = gold.span(index, all_wrong)
            raised = any(
                f.rule == rule and f.start is not None and f.start < end and f.end > start
                for f in full.flags
            )
            flags_raised += raised
            if not raised:
                failures.append(f"{gold.name}: expected flag {rule} missing")
    return {
        "documents": len(golds),
        "whole_documents_right": whole_ok,
        "fixed": dict(fixed),
        "total": dict(total),
        "keep_total": keep_total,
        "keep_altered": keep_altered,
        "flags_total": flags_total,
        "flags_raised": flags_raised,
        "failures": failures,
    }


def main() -> int:
    result = evaluate()
    print(
        f"gold documents: {result['documents']}, right as a whole: {result['whole_documents_right']}"
    )
    print("artifacts fixed / total per kind:")
    for kind in sorted(result["total"]):
        print(f"  {kind:18} {result['fixed'].get(kind, 0)} / {result['total'][kind]}")
    fixed, total = sum(result["fixed"].values()), sum(result["total"].values())
    print(f"  {'all':18} {fixed} / {total}")
    print(f"must-not-change cases altered: {result['keep_altered']} / {result['keep_total']}")
    print(f"expected flags raised: {result['flags_raised']} / {result['flags_total']}")
    for failure in result["failures"]:
        print(f"  ! {failure}")
    return 0 if not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
