import pytest

from cleaner.document import Document
from cleaner.rules import load_stage_rules, shipped_rules_dir
from cleaner.stages.langid import LangidConfig, LangidStage, _Detector

STAGE = LangidStage(LangidConfig(), shipped_rules_dir())
EXAMPLES = [
    pytest.param(example["text"], example["lang"], id=f"{entry.id}-{number}")
    for entry in load_stage_rules(shipped_rules_dir(), "langid")
    for number, example in enumerate(entry.fields["examples"])
]


@pytest.mark.parametrize("text, lang", EXAMPLES)
def test_profile_examples(text, lang):
    assert STAGE.paragraph_language(text)[0] == lang


@pytest.mark.parametrize("text, lang", EXAMPLES)
def test_profiles_agree_with_langdetect(text, lang):
    assert _Detector.detect(text)[0] == lang


def test_document_and_paragraph_languages():
    text = (
        "The governor said the shelling went on through the night and into the morning.\n"
        "Short line\n"
        "Le gouverneur a affirmé que les bombardements ont duré toute la nuit.\n"
        "Officials in the capital said they were checking the reports from the region."
    )
    doc = STAGE(Document(id="d", text=text))
    assert doc.lang == "en"
    assert [p.lang for p in doc.paragraphs] == ["en", "und", "fr", "en"]
    assert doc.lang_at(text.index("Short")) == "en"
    assert doc.lang_at(text.index("gouverneur")) == "fr"
    assert all(0.0 <= p.confidence <= 1.0 for p in doc.paragraphs)


@pytest.mark.parametrize(
    "headline",
    [
        "Ukraine says Odessa grain terminal hit, exports continue",
        "Udostępnij na Facebooku Twitterze",
        "Compartir en Facebook Twitter WhatsApp",
    ],
)
def test_short_lines_without_stopwords_take_the_document_language(headline):
    assert STAGE.paragraph_language(headline) == ("und", 0.0)


def test_one_stopword_does_not_decide_a_headline():
    assert STAGE.paragraph_language(
        "Champions League: Schachtar Donezk feiert Heimsieg in Hamburg"
    ) == ("und", 0.0)


def test_ambiguous_paragraphs_fall_back_to_langdetect_deterministically():
    text = (
        "Zelensky Kyiv Kharkiv Odesa Dnipro Mykolaiv Kherson Zaporizhzhia Lviv Sumy Poltava "
        "Chernihiv Zhytomyr Vinnytsia Rivne Lutsk Ternopil Uzhhorod Chernivtsi Khmelnytskyi"
    )
    first = STAGE.paragraph_language(text)
    assert all(STAGE.paragraph_language(text) == first for _ in range(5))


def test_too_short_or_letterless_text_is_undetermined():
    doc = STAGE(Document(id="d", text="12345 67890 !!! ??? 2024-01-01 12:00"))
    assert doc.lang == "und"
    assert doc.paragraphs[0].lang == "und"


def test_invalid_options_are_rejected_eagerly():
    from cleaner.errors import ConfigError

    with pytest.raises(ConfigError, match="min_chars"):
        LangidConfig(min_chars=0)
