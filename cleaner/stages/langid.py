"""Stage `langid`: the language of each paragraph (non-empty line) and of the document.

langdetect costs about 2.5 ms per paragraph, so it is the fallback, not the first resort:
a paragraph whose function words clearly belong to one language (the stopword profiles in
`rules/langid/profiles.yaml`) is decided by counting them; only the ambiguous rest goes to
langdetect, on at most `max_chars` characters. langdetect is seeded, so the same text always
gets the same answer. Later stages pick their rules with `Document.lang_at`.

Bounded cost per document: the paragraphs decided by their stopwords give the document's
language (failing those, the language the stopwords of all undecided paragraphs together
single out); an undecided paragraph takes that language when its own stopwords do not argue
for another one (the language has as many hits as any other, or no other language has
`min_stopwords` hits), or the language its distinctive stopwords (and, between Russian and
Ukrainian, letters) point to. Only the rest goes to langdetect, at most `max_detections`
paragraphs per document (plus one call on the whole text when no paragraph is long enough);
past that bound a paragraph takes its leading stopword language. So a document costs at most
`max_detections + 1` langdetect calls whatever its length. Once three paragraphs agree and
none disagrees, later long paragraphs are first checked on their first words only.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Paragraph
from cleaner.errors import ConfigError
from cleaner.memo import BoundedMemo
from cleaner.rules import RuleEntry, load_stage_rules

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
LETTER = re.compile(r"[^\W\d_]")
# Stripped from the ends of a token before it is looked up; none of them is part of a `WORD`.
_NOT_LETTERS = ".,;:!?\"'()[]{}«»“”„‘’…-–—/*•#%&+=<>|0123456789"
QUICK_CHARS = 150
# Once this many paragraphs are clearly in one language and none in another, the document's
# language is settled and later paragraphs are first checked on their first SETTLED_CHARS.
SETTLE_AFTER = 3
# How many distinct tokens `StopwordProfiles.hits` remembers the stopword hits of.
MAX_TOKENS = 2**16
SETTLED_CHARS = 60


@dataclasses.dataclass(frozen=True)
class LangidConfig(StageConfig):
    """Options of the langid stage.

    `min_chars`: paragraphs shorter than this are `und` (they take the document's language in
    later stages). `max_chars`: how much of an ambiguous paragraph langdetect reads.
    `min_stopwords` and `dominance`: how clear the stopword evidence must be to skip langdetect.
    `reliable_chars`: langdetect is unreliable on headlines and widget lines (it calls "Ukraine
    says Odessa grain terminal hit" French), so a paragraph shorter than this without stopword
    evidence is `und` and takes the document's language.
    `max_detections`: at most this many paragraphs of one document go to langdetect.
    """

    min_chars: int = 25
    max_chars: int = 400
    reliable_chars: int = 100
    min_stopwords: int = 3
    dominance: float = 3.0
    max_detections: int = 2

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
        if self.max_detections < 0:
            raise ConfigError(f"langid.max_detections must be >= 0, got {self.max_detections}")


class _NgramProbabilities(dict):
    """langdetect's table of n-gram -> probability in each language, each row built the first
    time langdetect looks the n-gram up.

    `DetectorFactory.load_profile` builds all 87,000 rows of 55 floats up front (0.3 s, most of
    it allocating the rows), for a detector that reads a few hundred n-grams per call and is
    called about once per 1,000 documents. Rows are computed as `add_profile` computes them:
    the same profiles in the same order (`os.listdir`), the same row length (the number of
    files) and the same division, so a row is equal to the eager table's
    (tests/test_langid_cost.py compares every row). langdetect only asks `word in table` and
    `table[word]`.
    """

    def __init__(self, directory: str) -> None:
        super().__init__()
        names = os.listdir(directory)
        self.row_length = len(names)
        self.languages: list[str] = []
        self.profiles: list[tuple[dict[str, int], list[int]]] = []
        for name in names:
            path = os.path.join(directory, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as file:
                profile = json.load(file)
            self.languages.append(profile["name"])
            self.profiles.append((profile["freq"], profile["n_words"]))
        self.known = set().union(*(freq for freq, _ in self.profiles))

    def __contains__(self, word: object) -> bool:
        return word in self.known

    def __missing__(self, word: str) -> list[float]:
        if word not in self.known:
            raise KeyError(word)
        row = [0.0] * self.row_length
        if 1 <= len(word) <= 3:
            for index, (freq, n_words) in enumerate(self.profiles):
                if word in freq:
                    row[index] = freq[word] / n_words[len(word) - 1]
        self[word] = row
        return row


class _Detector:
    """One langdetect factory per process, loaded on first use and seeded."""

    _factory: DetectorFactory | None = None
    _lock = threading.Lock()

    @classmethod
    def load(cls) -> DetectorFactory:
        with cls._lock:
            if cls._factory is None:
                cls._factory = _lazy_factory()
            return cls._factory

    @classmethod
    @functools.lru_cache(maxsize=4096)  # headlines and teasers recur across a news corpus
    def detect(cls, text: str) -> tuple[str, float]:
        detector = cls.load().create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        return best.lang, float(best.prob)


def _lazy_factory() -> DetectorFactory:
    """A seeded langdetect factory over langdetect's own profiles, with an `_NgramProbabilities`
    table in place of the one `load_profile` builds."""
    factory = DetectorFactory()
    table = _NgramProbabilities(PROFILES_DIRECTORY)
    factory.word_lang_prob_map = table
    factory.langlist = table.languages
    factory.set_seed(0)
    return factory


class StopwordProfiles:
    """Which languages each common function word belongs to, read from the profile rules."""

    def __init__(self, entries: list[RuleEntry]) -> None:
        languages: dict[str, set[str]] = {}
        for entry in entries:
            lang = entry.require("lang")
            words = entry.require("stopwords", list)
            for word in words:
                languages.setdefault(str(word).lower(), set()).add(lang)
        self.languages = {word: tuple(sorted(langs)) for word, langs in languages.items()}

    @property
    def languages(self) -> dict[str, tuple[str, ...]]:
        return self._languages

    @languages.setter
    def languages(self, languages: dict[str, tuple[str, ...]]) -> None:
        self._languages = languages
        self._token_hits = BoundedMemo(self._token_hits_of, MAX_TOKENS)

    def hits(self, text: str) -> list[tuple[str, ...]]:
        """The languages of each stopword occurrence among `WORD.findall(text)`, lowercased.

        A word never spans whitespace, so the words of a text are the words of its
        whitespace-separated tokens in turn; a token's hits are worked out once (by
        `_hits_lowering_each_word`) and remembered, as the same tokens ("the", "said,", "de")
        make up most of any text. A text then costs one split and one lookup per token, in C.

        >>> profiles = StopwordProfiles([])
        >>> profiles.languages = {"il": ("fr", "it"), "le": ("fr",)}
        >>> profiles.hits("Le 12, dit-il. L'armée")
        [('fr',), ('fr', 'it')]
        """
        per_token = map(self._token_hits.__getitem__, text.split())
        # Most tokens have no hits: dropping their empty tuples first spares chaining them.
        return list(itertools.chain.from_iterable(filter(None, per_token)))

    def _token_hits_of(self, token: str) -> tuple[tuple[str, ...], ...]:
        return tuple(self._hits_lowering_each_word(token))

    def _hits_lowering_each_word(self, text: str) -> list[tuple[str, ...]]:
        get = self.languages.get
        lower = str.lower
        tokens = text.split()
        hits = list(filter(None, map(get, map(lower, filter(str.isalpha, tokens)))))
        others = itertools.filterfalse(str.isalpha, tokens)
        stripped = list(map(str.strip, others, itertools.repeat(_NOT_LETTERS)))
        hits += filter(None, map(get, map(lower, filter(str.isalpha, stripped))))
        if rest := [token for token in itertools.filterfalse(str.isalpha, stripped) if token]:
            hits += filter(None, map(get, map(lower, WORD.findall(" ".join(rest)))))
        return hits


class LangidStage:
    name = "langid"
    Config = LangidConfig

    def __init__(self, config: LangidConfig, rules_dir: Path) -> None:
        self.config = config
        self.profiles = StopwordProfiles(list(load_stage_rules(rules_dir, self.name)))
        self._enough_letters = _at_least_letters(config.min_chars)

    def warm_up(self) -> None:
        """Load langdetect's profiles now rather than on the first paragraph that needs them."""
        _Detector.load()

    def __call__(self, doc: Document) -> Document:
        config = self.config
        # Paragraphs decided on their own are final at once; the undecided ones (position in
        # `paragraphs`, span, text, stopword hits) are resolved once the document is read.
        paragraphs: list[Paragraph | None] = []
        undecided: list[tuple[int, int, int, str, list[tuple[str, ...]]]] = []
        weights: Counter[str] = Counter()
        clear_paragraphs = 0
        settled = ""
        end = -1
        assess, settled_check, add = self._assess, self._settled, paragraphs.append
        for line in doc.text.split("\n"):
            start = end + 1
            end = start + len(line)
            if not line or line.isspace():
                continue
            outcome = settled_check(line, settled) if settled else assess(line)
            if isinstance(outcome, list):
                undecided.append((len(paragraphs), start, end, line, outcome))
                add(None)
                continue
            lang, confidence = outcome
            add(Paragraph(start, end, lang, confidence))
            if lang != UNDETERMINED:
                weights[lang] += end - start
                if not settled:
                    clear_paragraphs += 1
                    if clear_paragraphs >= SETTLE_AFTER and len(weights) == 1:
                        settled = lang
        # The stopwords of the undecided paragraphs together may single out one language where
        # each paragraph alone does not (Spanish paragraphs share many words with French,
        # Portuguese or Dutch; a whole article does not).
        pooled = _distinctive_winner([hit for *_, hits in undecided for hit in hits], config)
        pooled_lang = pooled[0] if pooled else None
        doc_lang = _heaviest(weights) or pooled_lang
        detections_left = config.max_detections
        for index, start, end, line, hits in undecided:
            lang, confidence, detected = self._resolve(
                line, hits, doc_lang, pooled_lang, detections_left > 0
            )
            detections_left -= detected
            if lang != UNDETERMINED:
                weights[lang] += end - start
                doc_lang = doc_lang or lang
            paragraphs[index] = Paragraph(start, end, lang, confidence)
        doc.paragraphs = paragraphs  # type: ignore[assignment]  # every None was replaced
        if weights:
            lang = _heaviest(weights)
            doc.lang, doc.lang_confidence = lang, weights[lang] / sum(weights.values())
        elif len(LETTER.findall(doc.text[: config.max_chars])) >= config.min_chars:
            doc.lang, doc.lang_confidence = _Detector.detect(doc.text[: config.max_chars])
        else:
            doc.lang, doc.lang_confidence = UNDETERMINED, 0.0
        return doc

    def paragraph_language(self, text: str) -> tuple[str, float]:
        """Language and confidence of one paragraph, on its own.

        >>> from cleaner.rules import shipped_rules_dir
        >>> stage = LangidStage(LangidConfig(), shipped_rules_dir())
        >>> stage.paragraph_language("Le gouverneur a annoncé que les écoles sont fermées.")[0]
        'fr'
        >>> stage.paragraph_language("Breaking")
        ('und', 0.0)
        """
        outcome = self._assess(text)
        if isinstance(outcome, tuple):
            return outcome
        return _Detector.detect(text[: self.config.max_chars])

    def _settled(self, text: str, lang: str) -> tuple[str, float] | list[tuple[str, ...]]:
        """In a document whose language is settled, a paragraph long enough for langdetect whose
        first words include stopwords of that language, at least as many as of any other, takes
        it (as it would after a full assessment, unless its later words say otherwise); the
        others are assessed in full."""
        if len(text) >= self.config.reliable_chars and (
            hits := self.profiles.hits(text[:SETTLED_CHARS])
        ):
            (best, count), runner_up = _leader(tuple(hits))
            if best == lang:
                return lang, count / (count + runner_up)
        return self._assess(text)

    def _assess(self, text: str) -> tuple[str, float] | list[tuple[str, ...]]:
        """The paragraph's language when it is decided without langdetect, else its stopword
        hits."""
        config = self.config
        if len(text) < config.min_chars:
            return UNDETERMINED, 0.0
        sample = text[: config.max_chars]
        # Most paragraphs are decided by their first words; only the rest pay for the window.
        for window in (sample[:QUICK_CHARS], sample) if len(sample) > QUICK_CHARS else (sample,):
            hits = self.profiles.hits(window)
            if hits:
                (best, count), runner_up = _leader(tuple(hits))
                if count >= config.min_stopwords and count >= config.dominance * runner_up:
                    return best, count / (count + runner_up)
        # Shared words ("la", "que", "il") blur the plain count between Romance languages; the
        # words the languages do not share still decide most paragraphs.
        if hits and (distinct := _distinctive_winner(hits, config)):
            return distinct
        if len(text) < config.reliable_chars or not self._enough_letters.match(sample):
            return UNDETERMINED, 0.0
        return hits

    def _resolve(
        self,
        text: str,
        hits: list[tuple[str, ...]],
        doc_lang: str | None,
        pooled_lang: str | None,
        may_detect: bool,
    ) -> tuple[str, float, bool]:
        """Decide an ambiguous paragraph within its document (see the module docstring); the
        flag says whether langdetect was called."""
        votes = _count(hits)
        total = sum(votes.values())
        for lang in (doc_lang, pooled_lang):
            if lang and _consistent(votes, lang, self.config):
                return lang, (votes[lang] + 1) / (total + 2), False
        sample = text[: self.config.max_chars]
        distinct = _distinctive_winner(hits + _cyrillic_letter_hits(sample), self.config)
        if distinct:
            return *distinct, False
        if may_detect:
            return *_Detector.detect(text[: self.config.max_chars]), True
        if votes:
            (best, hits), _ = _top_two(votes)
            return best, hits / (total + 1), False
        return (doc_lang, 0.5, False) if doc_lang else (UNDETERMINED, 0.0, False)


def _at_least_letters(count: int) -> re.Pattern[str]:
    """A pattern that matches a text in which `LETTER` finds at least `count` letters, without
    listing them: any non-letters then a letter, `count` times (possessive, so a text with too
    few letters fails in one pass).

    >>> bool(_at_least_letters(3).match("1 a-b_2 c")), bool(_at_least_letters(4).match("1 a-b_2 c"))
    (True, False)
    """
    return re.compile(rf"(?:[\W\d_]*+[^\W\d_]){{{count}}}")


@functools.lru_cache(maxsize=2**16)
def _leader(hits: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, int], int]:
    """`_top_two` of the hits' votes; cached, as the same few sequences of stopwords recur."""
    return _top_two(_count(hits))


def _count(hits: Iterable[tuple[str, ...]]) -> Counter[str]:
    """Stopword hits per language (a word shared by several languages counts for each)."""
    return Counter(itertools.chain.from_iterable(hits))


def _distinctive_winner(
    hits: Iterable[tuple[str, ...]], config: LangidConfig
) -> tuple[str, float] | None:
    """The language whose stopwords clearly outnumber every other language's when only the
    words the two do not share are counted ("los", "las", "según" against "la", "en", "que"
    shared with French), with the same `min_stopwords` and `dominance` as the plain count. The
    confidence is the winner's share of the distinctive words against its closest rival.

    >>> _distinctive_winner([("es",), ("es", "fr"), ("es",), ("es",), ("fr",)], LangidConfig())
    ('es', 0.75)
    """
    return _distinctive_winner_of(tuple(hits), config.min_stopwords, config.dominance)


@functools.lru_cache(maxsize=2**12)
def _distinctive_winner_of(
    hits: tuple[tuple[str, ...], ...], min_stopwords: int, dominance: float
) -> tuple[str, float] | None:
    """`_distinctive_winner`, cached (the same few sequences of stopwords recur) on the two
    options it reads rather than the whole config, whose hash is computed in Python."""
    votes = _count(hits)
    languages = sorted(votes)
    leads = [lang for lang in languages if votes[lang] >= min_stopwords]
    if not leads:
        return None
    # How many hits each pair of languages shares (a hit's languages are distinct and sorted,
    # so a pair is in name order).
    several = [langs for langs in hits if len(langs) > 1]
    shared = Counter(
        itertools.chain.from_iterable(map(itertools.combinations, several, itertools.repeat(2)))
    )
    for lead in leads:
        confidence = 1.0
        for other in languages:
            if other == lead:
                continue
            both = shared[(lead, other) if lead < other else (other, lead)]
            ours, theirs = votes[lead] - both, votes[other] - both
            if ours < min_stopwords or ours < dominance * theirs:
                break
            confidence = min(confidence, ours / (ours + theirs))
        else:
            return lead, confidence
    return None


# Letters one of the two profiled Cyrillic languages has and the other lacks, counted as
# stopword-like evidence where stopwords alone leave Russian and Ukrainian tied. Belarusian
# has both kinds, Bulgarian neither, so they still go to langdetect.
_CYRILLIC_LETTERS = {"ы": ("ru",), "э": ("ru",), "і": ("uk",), "ї": ("uk",), "є": ("uk",)}


def _cyrillic_letter_hits(text: str) -> list[tuple[str, ...]]:
    lowered = text.lower()
    return [
        langs for letter, langs in _CYRILLIC_LETTERS.items() for _ in range(lowered.count(letter))
    ]


def _top_two(votes: Counter[str]) -> tuple[tuple[str, int], int]:
    """The leading language with its hits (ties broken by name), and the runner-up's hits."""
    best, count, runner_up = "", 0, 0
    for lang, hits in votes.items():
        if hits > count or (hits == count and lang < best):
            best, count, runner_up = lang, hits, max(runner_up, count) if best else runner_up
        elif hits > runner_up:
            runner_up = hits
    return (best, count), runner_up


def _consistent(votes: Counter[str], lang: str, config: LangidConfig) -> bool:
    strongest = max(votes.values(), default=0)
    return votes[lang] >= strongest or strongest < config.min_stopwords


def _heaviest(weights: Counter[str]) -> str | None:
    """The language with the most characters (the first one seen on a tie)."""
    return max(weights, key=weights.__getitem__) if weights else None
