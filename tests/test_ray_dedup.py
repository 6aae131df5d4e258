"""Dedup on Ray finds the local engine's clusters, kept members and similarities."""

import json
import random
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import ConfigError
from cleaner.cli import app
from cleaner.dedup import DedupConfig, deduplicate
from cleaner.document import Document

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from dedup_gold import gold_documents  # noqa: E402


def corpus() -> list[Document]:
    """The gold set (copies with edits, trims, respellings; hard negatives), chains of
    copies that each differ a little more, a bucket larger than the all-pairs limit (so its
    pairs are a star and a chain), and repeated ids, in a shuffled order."""
    docs = [Document(doc_id, text) for doc_id, _, text in gold_documents()]
    rng = random.Random(7)
    words = [f"word{number}" for number in range(400)]
    for story in range(6):
        text = [rng.choice(words) for _ in range(90)]
        for step in range(5):
            docs.append(Document(f"chain{story}-{step}", " ".join(text)))
            for _ in range(6):
                text[rng.randrange(len(text))] = rng.choice(words)
    wire = "Exactly the same wire story about the Odesa port, copied by many outlets. " * 4
    docs += [Document(f"wire{number:02d}", wire + "!" * (number % 3)) for number in range(40)]
    docs += [Document("same-id", wire + " Updated."), Document("same-id", wire)]
    rng.shuffle(docs)
    return docs


@pytest.mark.parametrize("keep", ["longest", "first"])
def test_ray_clusters_equal_local_clusters(ray_instance, keep):
    from cleaner.ray_dedup import deduplicate_on_ray

    docs = corpus()
    config = DedupConfig(keep=keep)
    local = deduplicate(docs, config)
    on_ray = deduplicate_on_ray(docs, config)
    assert len(local.clusters) >= 15
    assert max(len(group.members) for group in local.clusters) > 32
    assert on_ray.documents == local.documents
    assert [group.members for group in on_ray.clusters] == [g.members for g in local.clusters]
    assert [group.kept for group in on_ray.clusters] == [g.kept for g in local.clusters]
    assert [group.similarity for group in on_ray.clusters] == [g.similarity for g in local.clusters]


def test_dedup_command_on_ray_prints_the_local_json(ray_instance, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id, _, text in gold_documents()[:40]:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    printed = {}
    for engine in ("local", "ray"):
        result = CliRunner().invoke(app, ["dedup", str(folder), "--json", "--engine", engine])
        assert result.exit_code == 0, result.output
        printed[engine] = json.loads(result.stdout)
    assert printed["local"]["clusters"] and printed["ray"] == printed["local"]


def test_ray_dedup_refuses_what_only_the_local_engine_does():
    from cleaner.ray_dedup import check_ray_dedup

    pytest.importorskip("ray.data", reason="Ray is not installed (pip install 'cleaner[ray]')")
    with pytest.raises(ConfigError, match="--index is not supported with --engine ray"):
        check_ray_dedup(DedupConfig(index="dedup.sqlite"))
    with pytest.raises(ConfigError, match="--exact verification is not supported"):
        check_ray_dedup(DedupConfig(exact=True))
