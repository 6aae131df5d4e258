"""The wheel carries the rule files, so an installed `cleaner` finds them outside a checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_every_rule_file(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("cleaner-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "rules").rglob("*.yaml"))
    assert rule_files, "no rule files in the checkout"
    for rule_file in rule_files:
        assert f"cleaner/{rule_file}" in names
    assert {"cleaner/cli.py", "cleaner/io.py", "cleaner/batch.py", "cleaner/__main__.py"} <= names
