"""The near-duplicate gold set: hand-written base articles, copies made from them by
deterministic edits, and hand-written re-translations (`tests/data/dedup/`).

Every base article is its own group; its generated variants and its hand-written
re-translations (`hand/<base>.<how>.txt`) belong to the group. Base articles written about the
same event by another outlet (`kyiv-drones-other`, `odesa-port-other`, `kharkiv-school-other`),
and a formulaic report of another night's attack that shares its boilerplate sentences with
`kyiv-drones` (`kyiv-drones-next-night`), are hard negatives: different groups, so any pair across them counts as a false positive.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "dedup"

HEADER = [
    "Home / News / Ukraine",
    "Subscribe to our Telegram channel for the latest news",
]
FOOTER = [
    "Also read: Ten photos that show the week in Ukraine",
    "Source link",
    "Share this article: Facebook Twitter Telegram",
    "Comments are closed.",
]
SPELLINGS = {
    "Kyiv": "Kiev",
    "Odesa": "Odessa",
    "Kharkiv": "Kharkov",
    "Zelenskyy": "Zelensky",
    "Dnipropetrovsk": "Dnepropetrovsk",
    "Mykolaiv": "Nikolaev",
}
EDITS = {
    "said": "stated",
    "about": "around",
    "several": "a number of",
    "people": "residents",
    "attack": "assault",
    "damaged": "hit",
    "announced": "declared",
    "expected": "likely",
    "dit": "a déclaré",
    "selon": "d'après",
}
INSERTS = [
    "The information could not be independently verified.",
    "This story has been updated with new details.",
    "Our correspondent reports from the scene.",
]


def _rng(name: str, variant: str) -> random.Random:
    return random.Random(zlib.crc32(f"{name}/{variant}".encode()))


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def with_boilerplate(text: str, rng: random.Random) -> str:
    header = rng.sample(HEADER, k=rng.randint(1, 2))
    footer = rng.sample(FOOTER, k=rng.randint(2, 4))
    return "\n".join([*header, *_paragraphs(text), *footer])


def trimmed(text: str, rng: random.Random) -> str:
    paragraphs = _paragraphs(text)
    keep = max(2, len(paragraphs) - 1)
    return "\n".join(paragraphs[:keep])


def lead(text: str, rng: random.Random) -> str:
    """Only the first 60% of the words: an outlet that ran the top of the story."""
    words = text.split(" ")
    return " ".join(words[: len(words) * 3 // 5])


def edited(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if word in EDITS and rng.random() < 0.5:
            words[i] = EDITS[word]
    paragraphs = " ".join(words).split("\n")
    paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(INSERTS))
    return "\n".join(paragraphs)


def respelled(text: str, rng: random.Random) -> str:
    for canonical, variant in SPELLINGS.items():
        text = text.replace(canonical, variant)
    return text.replace("Kiev ", "kiev ", 1)


def machine_translated(text: str, rng: random.Random) -> str:
    """Artifacts of machine translation and scraping: spaces before punctuation, a sentence
    split in the wrong place, curly quotes and doubled spaces."""
    text = text.replace(", ", " , ").replace(". The", ". the", 1)
    return text.replace("  ", " ").replace(" said ", "  said ")


VARIANTS = {
    "boilerplate": with_boilerplate,
    "trimmed": trimmed,
    "lead": lead,
    "edited": edited,
    "respelled": respelled,
    "mt": machine_translated,
    "combined": lambda text, rng: with_boilerplate(respelled(trimmed(text, rng), rng), rng),
}


def gold_documents(data: Path = DATA) -> list[tuple[str, str, str]]:
    """`(id, text, group)` for every document of the gold set, sorted by id."""
    documents = []
    for path in sorted((data / "base").glob("*.txt")):
        name = path.stem
        text = path.read_text(encoding="utf-8")
        documents.append((f"{name}.txt", text, name))
        for variant, make in VARIANTS.items():
            documents.append((f"{name}.{variant}.txt", make(text, _rng(name, variant)), name))
    for path in sorted((data / "hand").glob("*.txt")):
        group = path.name.split(".")[0]
        documents.append((path.name, path.read_text(encoding="utf-8"), group))
    return sorted(documents)
