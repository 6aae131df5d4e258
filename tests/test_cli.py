"""The `cleaner` command end to end (in process, through typer's runner): formats, bad input,
exit codes, resume, diff, report, stdin/stdout."""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import __version__
from cleaner.cli import app
from cleaner.document import Change

REPO = Path(__file__).resolve().parent.parent

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args, input=None):
    result = CliRunner().invoke(app, [str(arg) for arg in args], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def no_partial_files(folder: Path) -> bool:
    return not [path for path in folder.rglob("*.part")]


@pytest.fixture
def corpus(tmp_path):
    """A small input tree with each format, and an output folder next to it."""
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("Kyiv  said\u00a0on Monday.\n\n\n\nSecond paragraph.  \n")
    (source / "sub" / "b.md").write_text("# Title\n\nAlready clean text.\n")
    (source / "docs.jsonl").write_text(
        json.dumps({"id": "d1", "text": "caf\u00c3\u00a9  noir", "url": "u1", "n": 1})
        + "\n"
        + json.dumps({"url": "u2", "text": "fine text", "id": "d2"})
        + "\n"
    )
    with gzip.open(source / "sub" / "c.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.write(json.dumps({"text": "x \u200by", "id": 3}) + "\n")
    (source / "notes.csv").write_text("not an input format\n")
    return source, tmp_path / "out"


def test_clean_folder_mirrors_tree_and_formats(corpus):
    source, out = corpus
    before = tree_digest(source)
    result = run("clean", source, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".cleaner-run.json",
        "a.txt",
        "docs.jsonl",
        "sub/b.md",
        "sub/c.jsonl.gz",
    ]
    assert (out / "a.txt").read_text() == "Kyiv said on Monday.\n\nSecond paragraph.\n"
    lines = [json.loads(line) for line in (out / "docs.jsonl").read_text().splitlines()]
    assert lines == [
        {"id": "d1", "text": "café noir", "url": "u1", "n": 1},
        {"url": "u2", "text": "fine text", "id": "d2"},
    ]
    assert [list(line) for line in lines] == [["id", "text", "url", "n"], ["url", "text", "id"]]
    with gzip.open(out / "sub" / "c.jsonl.gz", "rt", encoding="utf-8") as stream:
        assert json.loads(stream.read()) == {"text": "x y", "id": 3}
    assert tree_digest(source) == before


def test_clean_file_round_trips_byte_for_byte(tmp_path):
    clean_text = "Already clean.\n\nTwo paragraphs, “curly” quotes — and dashes…\n"
    (tmp_path / "clean.txt").write_text(clean_text)
    (tmp_path / "no_newline.txt").write_text("no final newline")
    result = run("clean", tmp_path / "clean.txt", tmp_path / "no_newline.txt", "-o", tmp_path / "o")
    assert result.exit_code == 0
    assert (tmp_path / "o" / "clean.txt").read_text() == clean_text
    assert (tmp_path / "o" / "no_newline.txt").read_text() == "no final newline\n"


def test_empty_files_give_empty_outputs(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "empty.txt").write_bytes(b"")
    (source / "empty.jsonl").write_bytes(b"")
    (source / "blank.txt").write_bytes(b"\n\n  \n")
    result = run("clean", source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""
    assert (tmp_path / "out" / "empty.jsonl").read_bytes() == b""
    assert (tmp_path / "out" / "blank.txt").read_bytes() == b""


def test_non_utf8_file_is_decoded_with_a_warning(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "latin.txt").write_bytes("Café – “déjà vu”\n".encode("cp1252"))
    result = run("clean", source, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "latin.txt: not UTF-8 (byte 0xe9 at offset 3); read as cp1252" in result.stderr
    assert (tmp_path / "out" / "latin.txt").read_text(encoding="utf-8") == "Café – “déjà vu”\n"


def test_cyrillic_legacy_encoding_is_recognised(tmp_path):
    (tmp_path / "kyiv.txt").write_bytes("Київ заявив, що обстріл триває.\n".encode("cp1251"))
    (tmp_path / "moscow.txt").write_bytes("Москва сообщила о взрыве.\n".encode("cp1251"))
    (tmp_path / "paris.txt").write_bytes("Déjà vu à Paris, naïve idée.\n".encode("cp1252"))
    result = run("clean", *sorted(tmp_path.glob("*.txt")), "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "kyiv.txt: not UTF-8 (byte 0xca at offset 0); read as cp1251" in result.stderr
    assert (tmp_path / "out" / "kyiv.txt").read_text() == "Київ заявив, що обстріл триває.\n"
    assert (tmp_path / "out" / "moscow.txt").read_text() == "Москва сообщила о взрыве.\n"
    assert (tmp_path / "out" / "paris.txt").read_text() == "Déjà vu à Paris, naïve idée.\n"


def test_corrupt_gzip_is_reported_and_gets_no_output(tmp_path):
    (tmp_path / "feed.jsonl.gz").write_bytes(b"this is not gzip data\n")
    result = run("clean", tmp_path / "feed.jsonl.gz", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "feed.jsonl.gz: cannot read: Not a gzipped file" in result.stderr
    assert not (tmp_path / "out" / "feed.jsonl.gz").exists()
    assert no_partial_files(tmp_path / "out")


def test_non_utf8_jsonl_line_warns_with_its_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "na\xefve"}\n')
    result = run("clean", path, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert f"{path}:2: not UTF-8" in result.stderr
    assert json.loads((tmp_path / "out" / "in.jsonl").read_text().splitlines()[1]) == {
        "text": "naïve"
    }


def test_binary_file_is_skipped_with_a_message(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (source / "good.txt").write_text("good  text\n")
    result = run("clean", source, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "image.txt: binary file (NUL bytes), skipped" in result.stderr
    assert not (tmp_path / "out" / "image.txt").exists()
    assert (tmp_path / "out" / "good.txt").read_text() == "good text\n"


def test_utf16_file_with_bom_is_not_binary(tmp_path):
    (tmp_path / "wide.txt").write_bytes("Kyiv  text\n".encode("utf-16"))
    result = run("clean", tmp_path / "wide.txt", "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "wide.txt").read_text() == "Kyiv text\n"


def test_malformed_jsonl_line_is_reported_and_the_rest_processed(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "one  a"}\n{"text": "broken\n{"text": "three  c"}\n[1, 2]\n')
    result = run("clean", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{path}:2: invalid JSON" in result.stderr
    assert f"{path}:4: not a JSON object" in result.stderr
    assert (tmp_path / "out" / "in.jsonl").read_text().splitlines() == [
        '{"text": "one a"}',
        '{"text": "broken',
        '{"text": "three c"}',
        "[1, 2]",
    ]


def test_jsonl_line_without_text_field_is_kept_and_reported(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"body": "x  y", "id": 1}\n{"text": "a  b", "id": 2}\n{"text": null}\n')
    result = run("clean", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{path}:1: no field 'text' (see --text-field); line kept as is" in result.stderr
    assert f"{path}:3: not a string in field 'text'" in result.stderr
    assert (tmp_path / "out" / "in.jsonl").read_text().splitlines() == [
        '{"body": "x  y", "id": 1}',
        '{"text": "a b", "id": 2}',
        '{"text": null}',
    ]
    result = run("clean", path, "-o", tmp_path / "out2", "--text-field", "body")
    assert (tmp_path / "out2" / "in.jsonl").read_text().splitlines()[
        0
    ] == '{"body": "x y", "id": 1}'


def test_huge_single_line_file_is_refused_with_a_clear_error(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "huge.txt").write_text("word " * 50_000)
    (source / "small.txt").write_text("small  one\n")
    (source / "lines.jsonl").write_text(
        json.dumps({"text": "x" * 300_000}) + "\n" + json.dumps({"text": "after  it"}) + "\n"
    )
    result = run("clean", source, "-o", tmp_path / "out", "--max-doc-bytes", "100000")
    assert result.exit_code == 1
    assert "huge.txt: document is larger than --max-doc-bytes (100000 bytes)" in result.stderr
    assert "lines.jsonl:1: line is 300013 bytes, larger than --max-doc-bytes" in result.stderr
    assert not (tmp_path / "out" / "huge.txt").exists()
    assert (tmp_path / "out" / "small.txt").read_text() == "small one\n"
    assert (tmp_path / "out" / "lines.jsonl").read_text() == '{"text": "after it"}\n'


@pytest.mark.skipif(AS_ROOT, reason="root reads files whatever their mode; see test_batch.py")
def test_unreadable_file_is_reported_and_others_cleaned(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "locked.txt").write_text("secret\n")
    (source / "open.txt").write_text("open  text\n")
    os.chmod(source / "locked.txt", 0)
    try:
        result = run("clean", source, "-o", tmp_path / "out")
    finally:
        os.chmod(source / "locked.txt", 0o644)
    assert result.exit_code == 1
    assert "locked.txt: cannot read: Permission denied" in result.stderr
    assert (tmp_path / "out" / "open.txt").read_text() == "open text\n"


def test_symlink_loops_do_not_hang_or_duplicate(tmp_path):
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "doc.txt").write_text("text  here\n")
    (source / "sub" / "up").symlink_to("..")
    (source / "self.txt").symlink_to("self.txt")
    result = run("clean", source, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "folder already visited (symlink loop), skipped" in result.stderr
    assert "self.txt: cannot read: Too many levels of symbolic links" in result.stderr
    outputs = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt")
    )
    assert outputs == ["sub/doc.txt"]


def test_output_folder_not_writable_is_a_usage_error(tmp_path):
    (tmp_path / "doc.txt").write_text("text\n")
    (tmp_path / "a_file").write_text("in the way\n")
    result = run("clean", tmp_path / "doc.txt", "-o", tmp_path / "a_file" / "out")
    assert result.exit_code == 2
    assert "output folder is not writable" in result.stderr
    assert "a_file" in result.stderr


@pytest.mark.skipif(AS_ROOT, reason="root writes into read-only folders")
def test_read_only_output_folder_is_a_usage_error(tmp_path):
    (tmp_path / "doc.txt").write_text("text\n")
    (tmp_path / "out").mkdir()
    os.chmod(tmp_path / "out", 0o555)
    try:
        result = run("clean", tmp_path / "doc.txt", "-o", tmp_path / "out")
    finally:
        os.chmod(tmp_path / "out", 0o755)
    assert result.exit_code == 2
    assert "output folder is not writable (Permission denied)" in result.stderr


def test_output_inside_input_is_refused_and_input_untouched(corpus):
    source, _ = corpus
    before = tree_digest(source)
    result = run("clean", source, "-o", source / "cleaned")
    assert result.exit_code == 2
    assert "output folder is inside the input folder" in result.stderr
    assert tree_digest(source) == before and not (source / "cleaned").exists()
    empty = source.parent / "empty"
    empty.mkdir()
    result = run("clean", empty, "-o", empty / "out")
    assert result.exit_code == 2 and not (empty / "out").exists()
    result = run("clean", source, "-o", source.parent / "o", "--report", source / "r.jsonl")
    assert result.exit_code == 2
    assert "--report" in result.stderr and "is inside the input folder" in result.stderr
    result = run("clean", source / "a.txt", "-o", source)
    assert result.exit_code == 2
    assert "would overwrite an input" in result.stderr
    assert tree_digest(source) == before


def test_resume_skips_complete_outputs_and_redoes_missing_and_stale(corpus):
    source, out = corpus
    assert run("clean", source, "-o", out).exit_code == 0
    (out / "sub" / "b.md").write_text("SENTINEL: kept because already complete\n")
    (out / "a.txt").unlink()
    os.utime(source / "docs.jsonl", ns=(2**62, 2**62))  # the input changed after its output
    (out / "docs.jsonl").write_text("stale\n")
    result = run("clean", source, "-o", out, "--resume")
    assert result.exit_code == 0
    assert "2 already done (--resume)" in result.stderr
    assert (out / "sub" / "b.md").read_text().startswith("SENTINEL")
    assert (out / "a.txt").read_text() == "Kyiv said on Monday.\n\nSecond paragraph.\n"
    assert (out / "docs.jsonl").read_text().startswith('{"id": "d1", "text": "café noir"')


def test_resume_refuses_output_written_with_other_settings(corpus):
    source, out = corpus
    assert run("clean", source, "-o", out, "--skip", "langid").exit_code == 0
    result = run("clean", source, "-o", out, "--resume")
    assert result.exit_code == 2
    assert "written with other settings (stages differ)" in result.stderr


def test_output_is_the_same_for_any_worker_count(corpus):
    source, out = corpus
    for index in range(30):
        (source / f"many{index:02d}.txt").write_text(f"Doc {index}  with\u00a0spaces.\n")
    assert run("clean", source, "-o", out / "one", "--workers", "1").exit_code == 0
    assert run("clean", source, "-o", out / "two", "--workers", "2").exit_code == 0
    assert tree_digest(out / "one") == tree_digest(out / "two")


def test_stdin_to_stdout(tmp_path):
    result = run("clean", "-", input="caf\u00c3\u00a9  au\u00a0lait\r\n".encode())
    assert result.exit_code == 0
    assert result.stdout == "café au lait\n"
    jsonl = '{"text": "a  b", "k": 1}\n{"text": "c"}\n'
    result = run("clean", "-", "--stdin-format", "jsonl", input=jsonl.encode())
    assert result.stdout == '{"text": "a b", "k": 1}\n{"text": "c"}\n'
    result = run("clean", "-", "-o", tmp_path / "out", input=b"x  y\n")
    assert result.exit_code == 0 and result.stdout == ""
    assert (tmp_path / "out" / "stdin.txt").read_text() == "x y\n"


def test_diff_shows_changes_and_writes_nothing(corpus):
    source, out = corpus
    result = run("clean", source, "-o", out, "--diff")
    assert result.exit_code == 0
    assert not out.exists()
    assert "--- a/a.txt\n+++ b/a.txt\n" in result.stdout
    assert "-Kyiv  said\u00a0on Monday." in result.stdout
    assert "+Kyiv said on Monday." in result.stdout
    assert "--- a/docs.jsonl:1\n+++ b/docs.jsonl:1\n" in result.stdout
    assert "docs.jsonl:2" not in result.stdout and "sub/b.md" not in result.stdout  # unchanged


def test_report_lines_describe_each_document_and_replay_to_the_output(corpus):
    source, out = corpus
    report = out.parent / "report.jsonl"
    (source / "bad.jsonl").write_text("not json\n")
    result = run("clean", source, "-o", out, "--report", report)
    assert result.exit_code == 1
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    summary = entries.pop()["summary"]
    by_id = {entry["id"]: entry for entry in entries}
    assert list(by_id) == ["a.txt", f"{source / 'bad.jsonl'}:1", "d1", "d2", "sub/b.md", "3"]
    assert by_id[f"{source / 'bad.jsonl'}:1"]["error"].endswith("line kept as is")
    entry = by_id["a.txt"]
    assert entry["input"] == str(source / "a.txt") and entry["line"] is None
    assert entry["lang"] in {"en", "und"} and entry["flags"] == []
    assert {change["rule"] for change in entry["changes"]} >= {
        "unicode.space_run",
        "unicode.odd_space",
    }
    assert set(entry["changes"][0]) == {"stage", "rule", "span", "before", "after"}
    assert by_id["d1"]["line"] == 1 and by_id["d2"]["changes"] == []
    text = (source / "a.txt").read_text().removesuffix("\n")
    for change in entry["changes"]:
        start, end = change["span"]
        text = Change(
            change["stage"], change["rule"], start, end, change["before"], change["after"]
        ).apply_to(text)
    assert text + "\n" == (out / "a.txt").read_text()
    assert summary["documents"] == 5 and summary["failed"] == 1 and summary["files"] == 5
    assert summary["changes"]["unicode"] == sum(summary["rules"].values())
    assert summary["errors"] == [
        f"{source / 'bad.jsonl'}:1: invalid JSON (Expecting value at column 1); line kept as is"
    ]
    assert summary["bytes_in"] > 0 and summary["seconds"] >= 0


def test_explain_report_and_input_file(corpus):
    source, out = corpus
    report = out.parent / "report.jsonl"
    run("clean", source, "-o", out, "--report", report)
    result = run("explain", report, "--find", "\u00a0")
    assert result.exit_code == 0
    lang = json.loads(report.read_text().splitlines()[0])["lang"]
    assert result.stdout.splitlines() == [
        f"a.txt ({source / 'a.txt'}, lang {lang})",
        '  unicode.odd_space [10:11] "\\u00a0" -> " "',
        "      Tabs, non-breaking, narrow and other odd spaces become plain spaces.",
    ]
    on_the_fly = run("explain", source / "a.txt")
    assert on_the_fly.exit_code == 0
    assert "unicode.blank_lines" in on_the_fly.stdout and "Runs of blank lines" in on_the_fly.stdout
    assert run("explain", report, "--id", "d1").stdout.startswith("d1 (")
    jsonl = run("explain", source / "docs.jsonl")
    assert jsonl.stdout.startswith(f"d1 ({source / 'docs.jsonl'}:1, lang ")
    assert "unicode.mojibake" in jsonl.stdout and "d2" not in jsonl.stdout
    nothing = run("explain", report, "--find", "no such text")
    assert nothing.exit_code == 0 and "no change containing 'no such text'" in nothing.stderr


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--stages", "nope"], "unknown stage 'nope'"),
        (["--set", "langid.min_chars=0"], "min_chars must be >= 1"),
        (["--set", "garbage"], "--set expects STAGE.OPTION=VALUE"),
        (["--config", "missing.toml"], "missing.toml: cannot read config file"),
        (["--rules", "no-such-dir"], "no-such-dir: rules folder not found"),
        (["--stdin-format", "xml"], "--stdin-format must be text or jsonl"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, arguments, message):
    (tmp_path / "doc.txt").write_text("text\n")
    result = run("clean", tmp_path / "doc.txt", "-o", tmp_path / "out", *arguments)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_rule_file_exits_2_with_path_and_line(tmp_path):
    rules = tmp_path / "rules" / "langid"
    rules.mkdir(parents=True)
    (rules / "bad.yaml").write_text("- id: x\n  description: [unclosed\n")
    (tmp_path / "doc.txt").write_text("text\n")
    result = run(
        "clean", tmp_path / "doc.txt", "-o", tmp_path / "out", "--rules", tmp_path / "rules"
    )
    assert result.exit_code == 2
    assert f"{rules / 'bad.yaml'}:" in result.stderr


def test_missing_input_and_missing_output_are_usage_errors(tmp_path):
    assert (
        "no such file or folder" in run("clean", tmp_path / "nope.txt", "-o", tmp_path / "o").stderr
    )
    (tmp_path / "doc.txt").write_text("x\n")
    result = run("clean", tmp_path / "doc.txt")
    assert result.exit_code == 2 and "-o OUTDIR" in result.stderr


def test_version_and_module_entry_point():
    assert run("--version").stdout == f"cleaner {__version__}\n"
    completed = subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert completed.returncode == 0
    assert "--workers" in completed.stdout


def test_every_command_has_help():
    for command in [[], ["clean"], ["explain"]]:
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage: cleaner" in result.stdout


def test_progress_bar_updates_without_error():
    from cleaner.cli import _Console

    console = _Console(quiet=False)
    with console._progress_bar() as update:
        update(1, 2)
        console.problem("a.txt: warning shown above the bar", False)
        update(2, 2)
    assert console._rich is None


def test_stage_options_from_set_config_stages_and_rules(tmp_path):
    (tmp_path / "doc.txt").write_text("  indented  line\n")
    out = tmp_path / "out"
    run(
        "clean",
        tmp_path / "doc.txt",
        "-o",
        out / "a",
        "--set",
        "unicode.strip_leading_spaces=false",
    )
    assert (out / "a" / "doc.txt").read_text() == "  indented line\n"
    config = tmp_path / "cleaner.toml"
    config.write_text("[unicode]\nstrip_leading_spaces = false\n")
    run("clean", tmp_path / "doc.txt", "-o", out / "b", "--config", config)
    assert (out / "b" / "doc.txt").read_text() == "  indented line\n"
    run("clean", tmp_path / "doc.txt", "-o", out / "c", "--stages", "langid", "--report", out / "r")
    assert (out / "c" / "doc.txt").read_text() == "  indented  line\n"
    assert json.loads((out / "r").read_text().splitlines()[-1])["summary"]["changes"] == {}
    run("clean", tmp_path / "doc.txt", "-o", out / "d", "--skip", "unicode")
    assert (out / "d" / "doc.txt").read_text() == "  indented  line\n"
    rules = tmp_path / "my-rules"
    shutil.copytree(REPO / "rules", rules)
    result = run("clean", tmp_path / "doc.txt", "-o", out / "e", "--rules", rules)
    assert result.exit_code == 0 and (out / "e" / "doc.txt").read_text() == "indented line\n"
