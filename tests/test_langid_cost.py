"""The langid stage's cost is bounded per document, without changing its answers."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.rules import shipped_rules_dir
from cleaner.stages import langid
from cleaner.stages.langid import LangidConfig, LangidStage

STAGE = LangidStage(LangidConfig(), shipped_rules_dir())


@pytest.fixture
def detector_calls(monkeypatch):
    calls = []
    real = langid._Detector.detect

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(langid._Detector, "detect", counting)
    return calls


def test_langdetect_calls_per_document_are_bounded(detector_calls):
    # Place names only: no stopword evidence at all, every paragraph long enough for langdetect.
    names = "Kharkiv Odesa Dnipro Mykolaiv Kherson Zaporizhzhia Lviv Sumy Poltava Chernihiv Rivne"
    text = "\n\n".join(f"{names} {number}" for number in range(30))
    doc = STAGE(Document(id="d", text=text))
    assert len(detector_calls) <= LangidConfig().max_detections + 1
    assert len(doc.paragraphs) == 30


def test_a_paragraph_whose_stopwords_agree_with_the_document_takes_its_language(detector_calls):
    english = "The governor said at least twelve people were injured in the attack on the city."
    ambiguous = (
        "Kharkiv, Odesa, Dnipro, Mykolaiv, Kherson, Zaporizhzhia, Lviv, Sumy, Rivne, Lutsk, "
        "Chernihiv and Poltava regions"
    )
    doc = STAGE(Document(id="d", text=f"{english}\n{ambiguous}\n{english}"))
    assert [p.lang for p in doc.paragraphs] == ["en", "en", "en"]
    assert detector_calls == []


@pytest.mark.parametrize(
    "text, lang",
    [
        # Spanish shares "la", "en", "que" with French and Italian; its own words decide
        (
            "Los vecinos pasaron la noche en refugios mientras sonaban las sirenas, según las "
            "autoridades de la ciudad.",
            "es",
        ),
        # Russian and Ukrainian share most short words; ы/э and і/ї/є decide
        (
            "Губернатор Вячеслав Гладков написал в Telegram поздно вечером, что над областью "
            "были сбиты восемь беспилотников.",
            "ru",
        ),
        (
            "Голова обласної адміністрації написав у Telegram пізно ввечері, що сили ППО збили "
            "вісім дронів над областю.",
            "uk",
        ),
    ],
)
def test_distinctive_evidence_decides_close_languages_like_langdetect(text, lang, detector_calls):
    doc = STAGE(Document(id="d", text=text))
    assert doc.paragraphs[0].lang == lang
    assert detector_calls == []
    assert langid._Detector.detect(text[: LangidConfig().max_chars])[0] == lang


def test_max_detections_is_validated():
    from cleaner.errors import ConfigError

    with pytest.raises(ConfigError, match="max_detections"):
        LangidConfig(max_detections=-1)


WORDY = st.text(
    alphabet=st.sampled_from(list("aeilnst LeIlDe'’-.,;:()«»0123456789\n\tİıßΣσςΑΒёЁіІ")),
    max_size=80,
)


@settings(max_examples=500)
@given(text=st.one_of(WORDY, st.text(max_size=80)))
def test_fast_stopword_lookup_finds_what_the_word_regex_finds(text):
    profiles = langid.StopwordProfiles([])
    profiles.languages = {
        word: ("xx",) for word in ["a", "e", "il", "le", "de", "les", "i", "s", "ß", "σ", "ё", "і"]
    }
    expected = [
        profiles.languages[word.lower()]
        for word in langid.WORD.findall(text)
        if word.lower() in profiles.languages
    ]
    assert sorted(profiles.hits(text)) == sorted(expected)


@settings(max_examples=300)
@given(text=st.one_of(WORDY, st.text(max_size=200)))
@example(text="Α.Σ")  # a final sigma only in context: "α.ς" lowered at once, "σ" on its own
@example(text="İl")  # "i̇l": the lowercase is longer, and not a word of letters
def test_stopword_hits_lowering_once_equal_lowering_each_word(text):
    profiles = langid.StopwordProfiles([])
    profiles.languages = dict(STAGE.profiles.languages, σ=("el",), il=("fr", "it"))
    hits = profiles.hits(text)
    assert sorted(hits) == sorted(profiles._hits_lowering_each_word(text))


HITS = st.lists(
    st.lists(st.sampled_from(["es", "fr", "it", "pt", "ru", "uk"]), min_size=1, unique=True).map(
        lambda langs: tuple(sorted(langs))
    ),
    max_size=30,
)


@settings(max_examples=300)
@given(hits=HITS, min_stopwords=st.integers(1, 4), dominance=st.sampled_from([1.0, 1.5, 3.0]))
def test_distinctive_winner_counts_as_its_definition(hits, min_stopwords, dominance):
    config = LangidConfig(min_stopwords=min_stopwords, dominance=dominance)
    expected = None
    languages = sorted({lang for langs in hits for lang in langs})
    for lead in languages:
        if sum(lead in langs for langs in hits) < min_stopwords:
            continue
        confidence = 1.0
        for other in languages:
            if other == lead:
                continue
            ours = sum(lead in langs and other not in langs for langs in hits)
            theirs = sum(other in langs and lead not in langs for langs in hits)
            if ours < min_stopwords or ours < dominance * theirs:
                break
            confidence = min(confidence, ours / (ours + theirs))
        else:
            expected = (lead, confidence)
            break
    assert langid._distinctive_winner(hits, config) == expected


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_langdetect_leaves_the_garbage_collector_as_it_was(monkeypatch, collecting):
    import gc

    text = "Zelensky Kyiv Kharkiv Odesa Dnipro Mykolaiv Kherson Zaporizhzhia Lviv Sumy Poltava"
    expected = langid._Detector.detect(text)
    monkeypatch.setattr(langid._Detector, "_factory", None)
    langid._Detector.detect.cache_clear()
    (gc.enable if collecting else gc.disable)()
    try:
        assert langid._Detector.detect(text) == expected
        assert langid._Detector._factory is not None
        assert gc.isenabled() == collecting
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def eager_factory():
    """langdetect's factory as `load_profile` builds it, seeded like the stage's."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def test_lazy_ngram_table_equals_the_table_langdetect_builds(eager_factory):
    eager = eager_factory
    lazy = langid._lazy_factory()
    assert lazy.langlist == eager.langlist
    assert lazy.seed == 0
    table = lazy.word_lang_prob_map
    assert len(table) == 0  # nothing is built before langdetect asks for it
    words = list(eager.word_lang_prob_map)
    assert len(words) > 80_000
    assert all(word in table for word in words)
    assert {word: table[word] for word in words} == eager.word_lang_prob_map
    for absent in ["", "zzzz", "\x00", "qxz", "the"]:
        assert (absent in table) == (absent in eager.word_lang_prob_map)
    with pytest.raises(KeyError):
        table["\x00"]


DETECTED = [
    "Zelensky Kyiv Kharkiv Odesa Dnipro Mykolaiv Kherson Zaporizhzhia Lviv Sumy Poltava",
    "Le gouverneur a annoncé que les écoles resteront fermées jusqu'à lundi.",
    "Губернатор написал в Telegram, что над областью были сбиты восемь беспилотников.",
    "وقال المتحدث باسم الوزارة إن الهجوم وقع في ساعة مبكرة",
    "Visit https://example.com or mail desk@example.com — 2024 12:00 ½ ² Ⅻ",
    "Tiếng Việt có dấu: Hà Nội, Hồ Chí Minh",
    "12345 67890",
]


@pytest.mark.parametrize("text", DETECTED)
def test_lazy_factory_detects_what_the_eager_factory_detects(text, eager_factory):
    from langdetect.lang_detect_exception import LangDetectException

    def probabilities(factory):
        detector = factory.create()
        detector.append(text)
        try:
            return [(found.lang, found.prob) for found in detector.get_probabilities()]
        except LangDetectException as error:
            return str(error)

    assert probabilities(langid._lazy_factory()) == probabilities(eager_factory)


def stopword_hits_by_definition(profiles, text):
    words = (word.lower() for word in langid.WORD.findall(text))
    return [profiles.languages[word] for word in words if word in profiles.languages]


@settings(max_examples=300)
@given(texts=st.lists(st.one_of(WORDY, st.text(max_size=80)), max_size=8))
def test_remembered_token_hits_never_change_an_answer(texts):
    # The same tokens in other texts, with the memory of tokens emptied now and then.
    profiles = langid.StopwordProfiles([])
    profiles.languages = dict(STAGE.profiles.languages, il=("fr", "it"), σ=("el",))
    profiles._token_hits.limit = 5
    for text in texts + [" ".join(texts), "\n".join(reversed(texts))] + texts:
        assert profiles.hits(text) == stopword_hits_by_definition(profiles, text)
        assert len(profiles._token_hits) <= 5


def test_new_stopword_languages_forget_remembered_tokens():
    profiles = langid.StopwordProfiles([])
    profiles.languages = {"le": ("fr",)}
    assert profiles.hits("Le chat, le chien") == [("fr",), ("fr",)]
    profiles.languages = {"chat": ("fr",), "chien": ("fr",)}
    assert profiles.hits("Le chat, le chien") == [("fr",), ("fr",)]
    assert profiles.hits("Le chat") == [("fr",)]


@settings(max_examples=500)
@given(
    text=st.one_of(
        WORDY, st.text(max_size=120), st.text(alphabet="ab_1²½Ⅻ\u0301 \n-’", max_size=60)
    ),
    count=st.integers(1, 40),
)
def test_letter_threshold_pattern_agrees_with_counting_letters(text, count):
    counted = len(langid.LETTER.findall(text)) >= count
    assert bool(langid._at_least_letters(count).match(text)) == counted


class _PlainProfiles(langid.StopwordProfiles):
    """Stopword hits as defined: every `WORD` of the text, lowercased, looked up."""

    def hits(self, text):
        return stopword_hits_by_definition(self, text)


class _CountedLetters:
    """`len(LETTER.findall(text)) >= count`, in place of the threshold pattern."""

    def __init__(self, count):
        self.count = count

    def match(self, text):
        return len(langid.LETTER.findall(text)) >= self.count


def _generated_documents():
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from corpus import iter_records

    texts = [record["text"] for seed in (11, 12) for record in iter_records(mb=0.25, seed=seed)]
    rng = random.Random(5)
    lines = [line for text in texts for line in text.split("\n") if line.strip()]
    mixed = ["\n".join(rng.choice(lines) for _ in range(rng.randint(1, 12))) for _ in range(150)]
    heads = [text[: rng.randint(1, 300)] for text in texts[:60]]
    cut = [
        "\n".join(line[: rng.randint(1, 160)] for line in text.split("\n")) for text in texts[:40]
    ]
    crafted = [
        "ΑΣ ΟΔΟΣ. Σ the Σ.\nİl est là, dit-il, l'armée «avance».",
        "12345 67890 !!! ???\n2024-01-01 12:00",
        "Kharkiv Odesa Dnipro Mykolaiv Kherson Zaporizhzhia Lviv Sumy Poltava Chernihiv Rivne",
        "\n\n  \n\t\n",
    ]
    return texts + mixed + heads + cut + [text.upper() for text in texts[:30]] + crafted


@pytest.mark.parametrize(
    "options",
    [{}, {"max_detections": 5, "min_stopwords": 2, "dominance": 2.0}, {"reliable_chars": 0}],
)
def test_fast_paths_decide_as_the_plain_definitions_do(monkeypatch, eager_factory, options):
    # The stage as it runs (remembered token hits, caches, the letter pattern, the lazy
    # langdetect table) against the same stage with each of those replaced by its definition.
    from cleaner.document import Document

    config = LangidConfig(**options)
    documents = _generated_documents()
    assert len(documents) > 400

    def languages(stage):
        out = []
        for number, text in enumerate(documents):
            doc = stage(Document(id=str(number), text=text))
            out.append((doc.lang, doc.lang_confidence, doc.paragraphs))
        return out

    fast = languages(LangidStage(config, shipped_rules_dir()))

    plain = LangidStage(config, shipped_rules_dir())
    plain.profiles.__class__ = _PlainProfiles
    plain._enough_letters = _CountedLetters(config.min_chars)
    monkeypatch.setattr(langid, "_leader", lambda hits: langid._top_two(langid._count(hits)))
    monkeypatch.setattr(langid, "_distinctive_winner_of", langid._distinctive_winner_of.__wrapped__)

    def detect_eagerly(text):
        detector = eager_factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (langid.LangDetectException, IndexError):
            return langid.UNDETERMINED, 0.0
        return best.lang, float(best.prob)

    monkeypatch.setattr(langid._Detector, "detect", detect_eagerly)
    assert languages(plain) == fast
