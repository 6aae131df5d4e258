"""The README documents every command and option, and its library examples run."""

import doctest
import importlib.util
import re
from pathlib import Path

import pytest
import typer.main

from cleaner.cli import app

REPO = Path(__file__).resolve().parent.parent

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def _commands():
    for name, command in sorted(COMMAND.commands.items()):
        yield name, command
        for sub_name, sub_command in sorted(getattr(command, "commands", {}).items()):
            yield f"{name} {sub_name}", sub_command


COMMANDS = list(_commands())
OPTIONS = sorted(
    {
        (name, option)
        for name, command in COMMANDS
        for parameter in command.params
        for option in parameter.opts
        if option.startswith("--") and option != "--help"
    }
)


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_is_in_the_readme(name):
    assert f"`cleaner {name}" in README


@pytest.mark.parametrize("name, option", OPTIONS)
def test_every_option_is_in_the_readme(name, option):
    assert re.search(rf"`{re.escape(option)}[` ]", README), f"{option} of `cleaner {name}`"


def test_version_option_is_in_the_readme():
    assert "`cleaner --version`" in README


def test_readme_has_library_examples():
    assert len(PYTHON_BLOCKS) >= 5


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda block: block.split("\n")[0][:40])
def test_readme_library_examples_run(block, tmp_path, monkeypatch):
    for module in re.findall(r"^>>> (?:from|import) (\w+)", block, flags=re.MULTILINE):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (optional, only for this example)")
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
