"""Line precision and recall of the boilerplate stage on the gold sets.

    python benchmarks/boilerplate_quality.py

Gold: the hand-written samples (`samples/input` and `samples/expected`, the output of the whole
pipeline) and the boilerplate gold of `tests/data/boilerplate/` (`<lang>-<name>.txt` and its
`.expected.txt`, written by hand for languages the samples do not cover). Each input is cleaned
by `unicode`, `langid` and `boilerplate`; its lines are labelled by aligning them with the gold
(`samples/gold_lines.py`: a line with no counterpart in the gold is boilerplate), and the
output is aligned the same way to see which lines the stage removed. Printed per language and
in total:

- content kept: of the content lines, the share kept (must be >= 0.995);
- precision: of the lines removed, the share that are boilerplate;
- recall: of the boilerplate lines, the share removed (must be >= 0.97).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner import Document, Pipeline  # noqa: E402

OWN_GOLD = ROOT / "tests" / "data" / "boilerplate"
MIN_CONTENT_KEPT = 0.995
MIN_RECALL = 0.97


def _gold_lines():
    spec = importlib.util.spec_from_file_location("gold_lines", ROOT / "samples" / "gold_lines.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gold_lines", module)
    spec.loader.exec_module(module)
    return module


gold_lines = _gold_lines()


def own_gold() -> list:
    """The boilerplate gold of tests/data/boilerplate as `gold_lines.Sample`s."""
    samples = []
    for path in sorted(OWN_GOLD.glob("*.txt")):
        if path.name.endswith(".expected.txt"):
            continue
        expected = path.with_name(path.stem + ".expected.txt").read_text(encoding="utf-8")
        samples.append(
            gold_lines.Sample(
                id=f"tests/data/boilerplate/{path.name}",
                path=path.name,
                text=path.read_text(encoding="utf-8"),
                expected=expected.rstrip("\n"),
            )
        )
    return samples


def measure() -> tuple[dict[str, list], list]:
    """Line scores (`gold_lines.LineScore`) per detected document language, and all of them."""
    pipeline = Pipeline(stages=["unicode", "langid", "boilerplate"])
    by_lang: dict[str, list] = defaultdict(list)
    every = []
    for sample in [*gold_lines.load_samples(), *own_gold()]:
        doc = pipeline(Document(id=sample.id, text=sample.text))
        score = gold_lines.score_removal(sample, doc.text)
        by_lang[doc.lang].append(score)
        every.append(score)
    return dict(by_lang), every


def total(scores: list):
    return sum(scores, start=gold_lines.LineScore(0, 0, 0, 0))


def main() -> int:
    by_lang, every = measure()
    print(
        f"{'lang':6} {'docs':>4} {'bp lines':>8} {'content':>8} {'kept':>7} {'prec':>7} {'recall':>7}"
    )
    for lang, scores in sorted(by_lang.items()) + [("all", every)]:
        counts = total(scores)
        boilerplate = counts.removed_boilerplate + counts.kept_boilerplate
        content = counts.kept_content + counts.removed_content
        print(
            f"{lang:6} {len(scores):4d} {boilerplate:8d} {content:8d} "
            f"{counts.content_kept:7.3f} {counts.precision:7.3f} {counts.recall:7.3f}"
        )
    overall = total(every)
    ok = overall.content_kept >= MIN_CONTENT_KEPT and overall.recall >= MIN_RECALL
    print(
        f"content lines kept {overall.content_kept:.4f} (>= {MIN_CONTENT_KEPT}), "
        f"boilerplate recall {overall.recall:.4f} (>= {MIN_RECALL}): {'ok' if ok else 'BELOW TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
