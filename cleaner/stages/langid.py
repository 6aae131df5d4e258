"""Stage `langid`: the language of each paragraph (non-empty line) and of the document.

langdetect costs about 2.5 ms per paragraph, so it is the fallback, not the first resort:
a paragraph whose function words clearly belong to one language (the stopword profiles in
`rules/langid/profiles.yaml`) is decided by counting them; only the ambiguous rest goes to
langdetect, on at most `max_chars` characters. langdetect is seeded, so the same text always
gets the same answer. Later stages pick their rules with `Document.lang_at`.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Paragraph
from cleaner.errors import ConfigError
from cleaner.rules import RuleEntry, load_stage_rules

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
LETTER = re.compile(r"[^\W\d_]")


@dataclasses.dataclass(frozen=True)
class LangidConfig(StageConfig):
    """Options of the langid stage.

    `min_chars`: paragraphs shorter than this are `und` (they take the document's language in
    later stages). `max_chars`: how much of an ambiguous paragraph langdetect reads.
    `min_stopwords` and `dominance`: how clear the stopword evidence must be to skip langdetect.
    `reliable_chars`: langdetect is unreliable on headlines and widget lines (it calls "Ukraine
    says Odessa grain terminal hit" French), so a paragraph shorter than this without stopword
    evidence is `und` and takes the document's language.
    """

    min_chars: int = 25
    max_chars: int = 400
    reliable_chars: int = 100
    min_stopwords: int = 3
    dominance: float = 3.0

    def __post_init__(self) -> None:
        if self.min_chars < 1:
            raise ConfigError(f"langid.min_chars must be >= 1, got {self.min_chars}")
        if self.max_chars < self.min_chars:
            raise ConfigError("langid.max_chars must be >= langid.min_chars")
        if self.reliable_chars < 0:
            raise ConfigError(f"langid.reliable_chars must be >= 0, got {self.reliable_chars}")
        if self.min_stopwords < 1:
            raise ConfigError(f"langid.min_stopwords must be >= 1, got {self.min_stopwords}")
        if self.dominance < 1.0:
            raise ConfigError(f"langid.dominance must be >= 1.0, got {self.dominance}")


class _Detector:
    """One langdetect factory per process, loaded on first use and seeded."""

    _factory: DetectorFactory | None = None
    _lock = threading.Lock()

    @classmethod
    def detect(cls, text: str) -> tuple[str, float]:
        with cls._lock:
            if cls._factory is None:
                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.set_seed(0)
                cls._factory = factory
            detector = cls._factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        return best.lang, float(best.prob)


class StopwordProfiles:
    """Which languages each common function word belongs to, read from the profile rules."""

    def __init__(self, entries: list[RuleEntry]) -> None:
        self.languages: dict[str, set[str]] = {}
        for entry in entries:
            lang = entry.require("lang")
            words = entry.require("stopwords", list)
            for word in words:
                self.languages.setdefault(str(word).lower(), set()).add(lang)

    def vote(self, words: list[str]) -> Counter[str]:
        votes: Counter[str] = Counter()
        for word in words:
            for lang in self.languages.get(word.lower(), ()):
                votes[lang] += 1
        return votes


class LangidStage:
    name = "langid"
    Config = LangidConfig

    def __init__(self, config: LangidConfig, rules_dir: Path) -> None:
        self.config = config
        self.profiles = StopwordProfiles(list(load_stage_rules(rules_dir, self.name)))

    def __call__(self, doc: Document) -> Document:
        paragraphs = []
        weights: Counter[str] = Counter()
        for start, end, line in doc.lines():
            if not line.strip():
                continue
            lang, confidence = self.paragraph_language(line)
            paragraphs.append(Paragraph(start, end, lang, confidence))
            if lang != UNDETERMINED:
                weights[lang] += end - start
        doc.paragraphs = paragraphs
        if weights:
            (lang, weight), total = weights.most_common(1)[0], sum(weights.values())
            doc.lang, doc.lang_confidence = lang, weight / total
        elif len(LETTER.findall(doc.text[: self.config.max_chars])) >= self.config.min_chars:
            doc.lang, doc.lang_confidence = _Detector.detect(doc.text[: self.config.max_chars])
        else:
            doc.lang, doc.lang_confidence = UNDETERMINED, 0.0
        return doc

    def paragraph_language(self, text: str) -> tuple[str, float]:
        """Language and confidence of one paragraph.

        >>> from cleaner.rules import shipped_rules_dir
        >>> stage = LangidStage(LangidConfig(), shipped_rules_dir())
        >>> stage.paragraph_language("Le gouverneur a annoncé que les écoles sont fermées.")[0]
        'fr'
        >>> stage.paragraph_language("Breaking")
        ('und', 0.0)
        """
        if len(text) < self.config.min_chars:
            return UNDETERMINED, 0.0
        sample = text[: self.config.max_chars]
        votes = self.profiles.vote(WORD.findall(sample))
        ranked = votes.most_common(2)
        if ranked:
            best, hits = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0
            if hits >= self.config.min_stopwords and hits >= self.config.dominance * runner_up:
                return best, hits / (hits + runner_up)
        if len(text) < self.config.reliable_chars:
            return UNDETERMINED, 0.0
        if len(LETTER.findall(sample)) < self.config.min_chars:
            return UNDETERMINED, 0.0
        return _Detector.detect(sample)
