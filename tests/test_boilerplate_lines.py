"""Residue lines and look-alike story lines, one at a time in a story of their language.

`tests/data/boilerplate_lines/` holds hand-written lines: `residue.txt` (widgets, credits,
notices, timestamps, embeds: each must go) and `content.txt` (story lines with a trigger word:
each must stay). A line is put between story paragraphs, as a scraped page has it, so that
language detection, the screen and the line rules all take part; the rule examples test the
rules alone, the gold texts whole pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Document, Pipeline

DATA = Path(__file__).parent / "data" / "boilerplate_lines"
PIPELINE = Pipeline(stages=["unicode", "langid", "boilerplate"])


def read_lines(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, _, text = line.partition("|")
            rows.append((lang, text))
    return rows


STORIES = dict(read_lines("stories.txt"))
RESIDUE = read_lines("residue.txt")
LOOK_ALIKES = read_lines("content.txt")
LANGUAGES = sorted(STORIES)


def cleaned_lines(lang: str, line: str) -> list[str]:
    story = STORIES[lang]
    text = "\n\n".join([story, story.replace(",", ";", 1), line, story[: len(story) // 2] + "."])
    return PIPELINE(Document(id=lang, text=text)).text.split("\n")


def test_every_language_has_lines_of_both_kinds():
    for rows in (RESIDUE, LOOK_ALIKES):
        assert {lang for lang, _ in rows} == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_residue_lines_are_removed(lang):
    lines = [line for line_lang, line in RESIDUE if line_lang == lang]
    kept = [line for line in lines if line in cleaned_lines(lang, line)]
    assert kept == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_look_alike_story_lines_are_kept(lang):
    lines = [line for line_lang, line in LOOK_ALIKES if line_lang == lang]
    removed = [line for line in lines if line not in cleaned_lines(lang, line)]
    assert removed == []
