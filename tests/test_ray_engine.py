"""The Ray engine gives the local engine's outputs and report lines, byte for byte."""

import gzip
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import ConfigError
from cleaner.batch import BatchOptions, run_batch
from cleaner.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "input"


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def generated_corpus(root: Path) -> Path:
    """The samples plus documents that take other paths through the reader and the stages."""
    corpus = root / "corpus"
    corpus.mkdir()
    for sample in SAMPLES.iterdir():
        (corpus / sample.name).write_bytes(sample.read_bytes())
    nested = corpus / "more" / "deeper"
    nested.mkdir(parents=True)
    (nested / "windows.txt").write_bytes(
        "Caf\u00e9 \u00ab d\u00e9j\u00e0 \u00bb\r\n".encode("cp1252")
    )
    (nested / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (corpus / "more" / "empty.md").write_bytes(b"")
    stories = [
        "Air raid sirens sounded across Kyiv overnight ; drones approached the capital .",
        "Les habitants de Kherson ont \u00e9t\u00e9 \u00e9vacu\u00e9s.\u00a0 Source\u200b link",
        "Die Stadtverwaltung von Odesa meldete am Montag Sch\u00e4den am Hafen.\n\n\n\nMehr lesen",
        "\u0412 \u041a\u0438\u0435\u0432\u0435 \u043e\u0431\u044a\u044f\u0432\u043b\u0435\u043d\u0430 "
        "\u0432\u043e\u0437\u0434\u0443\u0448\u043d\u0430\u044f \u0442\u0440\u0435\u0432\u043e\u0433\u0430.",
        "caf\u00c3\u00a9 &amp; bar\t\t  opened in Lviv",
    ]
    lines = []
    for number in range(60):
        record = {
            "id": f"gen-{number:03d}",
            "text": stories[number % len(stories)] * (1 + number % 4),
        }
        record |= {"views": number * 1.5, "tags": ["a", number], "nested": {"z": 1, "a": None}}
        lines.append(json.dumps(record, ensure_ascii=number % 2 == 0))
    lines.insert(7, "{not json")
    lines.insert(20, json.dumps({"id": "no-text", "body": "x"}))
    (corpus / "more" / "generated.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(corpus / "more" / "packed.jsonl.gz", "wt", encoding="utf-8") as packed:
        for number in range(30):
            packed.write(json.dumps({"text": stories[(number * 3) % len(stories)]}) + "\n")
    return corpus


def run_cli(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def report_lines(path: Path) -> tuple[list[str], dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    summary = json.loads(lines[-1])["summary"]
    for varying in ("seconds", "workers"):
        summary.pop(varying)
    return lines[:-1], summary


def test_ray_engine_equals_local_engine_byte_for_byte(ray_instance, tmp_path):
    corpus = generated_corpus(tmp_path)
    results = {}
    for engine in ("local", "ray"):
        code, output = run_cli(
            "clean", str(corpus), "-o", str(tmp_path / engine), "--engine", engine,
            "--report", str(tmp_path / f"{engine}.jsonl"), "--workers", "2", "--quiet",
        )  # fmt: skip
        results[engine] = code, output, outputs(tmp_path / engine)
    local_code, local_output, local_files = results["local"]
    ray_code, ray_output, ray_files = results["ray"]
    # The corpus has bad lines and a binary file: both engines report them and exit 1.
    assert local_code == ray_code == 1
    assert "generated.jsonl:8: invalid JSON" in ray_output
    assert ray_output == local_output
    assert len(local_files) > 12 and ray_files == local_files
    local_report, local_summary = report_lines(tmp_path / "local.jsonl")
    ray_report, ray_summary = report_lines(tmp_path / "ray.jsonl")
    assert len(local_report) > 100 and ray_report == local_report
    assert ray_summary == local_summary


def test_ray_engine_keeps_order_across_many_small_blocks(ray_instance, tmp_path):
    corpus = generated_corpus(tmp_path)
    options = {"chunk_docs": 3, "chunk_bytes": 512, "workers": 2}
    seen = {"local": [], "ray": []}
    from cleaner.ray_engine import RayEngine

    for name, engine in (("local", None), ("ray", RayEngine())):
        summary = run_batch(
            [corpus],
            tmp_path / name,
            options=BatchOptions(**options),
            engine=engine,
            on_document=lambda source, record, name=name: seen[name].append(
                (source.relative, record.line, record.doc.text if record.doc else None)
            ),
        )
        assert summary.documents > 100
    assert seen["ray"] == seen["local"]
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")


def test_ray_engine_refuses_standard_input(ray_instance):
    code, output = run_cli("clean", "-", "--engine", "ray")
    assert code == 2
    assert output.strip() == (
        "cleaner: error: the Ray engine reads files that every node can see, not standard "
        "input: use --engine local for -"
    )


def test_ray_address_needs_the_ray_engine(tmp_path):
    code, output = run_cli("clean", str(SAMPLES), "-o", str(tmp_path), "--ray-address", "auto")
    assert (code, output.strip()) == (2, "cleaner: error: --ray-address needs --engine ray")


def test_an_unreachable_ray_address_is_one_line_and_writes_nothing(tmp_path):
    pytest.importorskip("ray.data", reason="Ray is not installed (pip install 'cleaner[ray]')")
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    code, output = run_cli(
        "clean", str(SAMPLES), "-o", str(out), "--engine", "ray", "--ray-address", f"127.0.0.1:{port}"
    )  # fmt: skip
    assert (code, output.strip()) == (
        2,
        f"cleaner: error: cannot reach Ray at 127.0.0.1:{port}: Connection refused",
    )
    assert not out.exists()


def test_unknown_engine_is_a_usage_error(tmp_path):
    code, output = run_cli("clean", str(SAMPLES), "-o", str(tmp_path), "--engine", "spark")
    assert (code, output.strip()) == (
        2,
        "cleaner: error: --engine must be local or ray, not 'spark'",
    )


def test_without_ray_the_engine_says_which_install_fixes_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    from cleaner.ray_engine import RayEngine

    with pytest.raises(ConfigError, match=r"pip install 'cleaner\[ray\]'"):
        RayEngine()
    code, output = run_cli("clean", str(SAMPLES), "-o", str(tmp_path / "out"), "--engine", "ray")
    assert code == 2
    assert output.strip() == (
        "cleaner: error: the Ray engine needs Ray Data, which is not installed: "
        "pip install 'cleaner[ray]'"
    )
    assert not (tmp_path / "out").exists()


def test_importing_cleaner_does_not_import_ray():
    script = "import sys, cleaner, cleaner.cli, cleaner.batch; print('ray' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
