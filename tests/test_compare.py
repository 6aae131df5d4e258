"""benchmarks/compare.py on a small corpus: the working tree against its own HEAD."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import compare  # noqa: E402
from corpus import write_corpus  # noqa: E402


def in_git_checkout() -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD"], cwd=REPO, capture_output=True, check=False
    )
    return done.returncode == 0


@pytest.mark.skipif(not in_git_checkout(), reason="needs a git checkout to export HEAD from")
def test_compare_prints_each_stage_of_both_trees_and_their_ratios(tmp_path, capsys):
    write_corpus(tmp_path, mb=None, docs=30, seed=3)
    assert compare.main(["HEAD", "--docs", "30", "--rounds", "1", "--corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("round 1 ") == 2
    table = out.split("new/base")[1].splitlines()[1:]
    stages = [line.split()[0] for line in table if line.strip()]
    assert stages == ["unicode", "langid", "boilerplate", "mt", "spelling", "dedup", "pipeline"]
    reference = next(line.split() for line in table if line.startswith("langid"))
    assert reference[4] == "1.000"  # the reference over itself
    for line in table:
        base, new, raw, relative = map(float, line.split()[1:])
        assert base > 0 and new > 0 and raw > 0 and relative > 0


@pytest.mark.parametrize(
    "arguments",
    [["--reference", "nonesuch"], ["--rounds", "0"], ["--corpus", "no-such-folder"]],
)
def test_bad_arguments_stop_before_measuring(arguments, capsys):
    with pytest.raises(SystemExit) as stopped:
        compare.main(["HEAD", *arguments])
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err
