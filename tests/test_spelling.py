from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.document import Document, Paragraph
from cleaner.errors import ConfigError, RuleError
from cleaner.pipeline import Pipeline
from cleaner.rules import shipped_rules_dir
from cleaner.spelling_rules import load_rules
from cleaner.stages.spelling import Matcher, SpellingConfig, SpellingStage

RULES = load_rules(shipped_rules_dir())
ENGLISH = RULES["en"]
STAGE = SpellingStage(SpellingConfig(), shipped_rules_dir())

CHANGE_EXAMPLES = [
    pytest.param(text_in, text_out, id=f"{entry.id}-{number}")
    for entry in ENGLISH
    for number, (text_in, text_out) in enumerate(entry.change_examples)
]
KEEP_EXAMPLES = [
    pytest.param(text, id=f"{entry.id}-keep-{number}")
    for entry in ENGLISH
    for number, text in enumerate(entry.keep_examples)
]


def spell(text: str) -> Document:
    return STAGE(Document(id="t", text=text))


@pytest.mark.parametrize("text_in, text_out", CHANGE_EXAMPLES)
def test_rule_file_change_examples(text_in, text_out):
    assert spell(text_in).text == text_out


@pytest.mark.parametrize("text", KEEP_EXAMPLES)
def test_rule_file_keep_examples(text):
    doc = spell(text)
    assert doc.text == text
    assert doc.changes == []


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        # the variant kinds of the issue
        ("Kiev, kyiv and KIEV", "Kyiv, Kyiv and KYIV"),
        ("Chebekino and Shebekino", "Shebekino and Shebekino"),
        ("Gregoron, Graivoron, Grayvoron", "Grayvoron, Grayvoron, Grayvoron"),
        ("Oriol, Orel, Oryol", "Oryol, Oryol, Oryol"),
        ("Zelensky, Zelenskiy, Zelenskyy", "Zelenskyy, Zelenskyy, Zelenskyy"),
        ("Hana Malyar told Maliar", "Hanna Maliar told Maliar"),
        ("Avdiïvka, Avdeevka, Avdiivka", "Avdiivka, Avdiivka, Avdiivka"),
        ("Zaporizhzhya / Zaporozhye", "Zaporizhzhia / Zaporizhzhia"),
        ("Odessa and Donbass", "Odesa and Donbas"),
        # possessives, compounds, apostrophes, quotes and brackets
        ("Kiev's mayor and a Kiev-based NGO", "Kyiv's mayor and a Kyiv-based NGO"),
        ("Kharkov’s governor, pro-Kiev forces", "Kharkiv’s governor, pro-Kyiv forces"),
        ("(Kiev) “Odessa” 'Lugansk'", "(Kyiv) “Odesa” 'Luhansk'"),
        ("Kup'yansk, Kup’yansk and Kupʼyansk", "Kupiansk, Kupiansk and Kupiansk"),
        ("Mariupol's port", "Mariupol's port"),
        ("Mariupol' port", "Mariupol port"),
        # multi-word names, longest first
        ("Vitaliy Klychko met Klychko", "Vitali Klitschko met Klitschko"),
        ("Volodymyr Zelensky and Vladimir Zelensky", "Volodymyr Zelenskyy and Volodymyr Zelenskyy"),
        ("KRIVOY ROG", "KRYVYI RIH"),
        ("Andrey Klychkov, not Klychko", "Andrei Klychkov, not Klitschko"),
        ("the Severodonetsk–Lysychansk front", "the Sievierodonetsk–Lysychansk front"),
        # all-caps headline
        ("ZELENSKY VISITS KHARKOV AND ODESSA", "ZELENSKYY VISITS KHARKIV AND ODESA"),
    ],
)
def test_text_in_text_out(text_in, text_out):
    assert spell(text_in).text == text_out


@pytest.mark.parametrize(
    "text",
    [
        # historical and culinary uses
        "They ordered chicken Kiev. CHICKEN KIEV was on the menu.",
        "Kievan Rus' converted in 988; the Kievan state fragmented.",
        # places elsewhere that share a variant's name
        "A shooting in Odessa, Texas, shocked the Permian Basin.",
        "Sebastopol, California, held an apple fair.",
        "Krynki, a town in Podlaskie, Poland.",
        # a person whose name equals a variant
        "Oryol governor Andrei Klychkov said so; Klychkov agreed.",
        "Orel Hershiser pitched for the Dodgers.",
        "Prince Georgy Lvov headed the Provisional Government.",
        "Marshal Semyon Timoshenko was there.",
        "Andrei Kostin, head of VTB, spoke.",
        "A statue of Bohdan Khmelnytsky stands in the square.",
        # canonical names inside longer names are not re-matched
        "Bilhorod-Dnistrovskyi and Bilhorod-Dnistrovskyi's port; Bilhorod-Dnistrovskiy",
        "Zelenskyy, Zelenska, Zelenskyy's",
        "Kyiv Independent, Kyivstar, Kievstar",
        # not whole words, and lowercase where the entry forbids it
        "Kievan, Odessan, Kharkovite, Donbassian",
        "#kiev @odessa kiev.ua/news www.kharkov.info",
        "a liman on the coast; poutine with gravy",
        # other scripts and words that merely contain a name
        "Київ, Киев, Одеса, Одесса",
        "human rights, congratulations, Humanity",
        # exonyms and historical names deliberately left alone
        "The Dnieper, Chernobyl and Transcarpathia; Snake Island; Volhynia.",
        "The Moskva sank; Lemberg and Czernowitz were Habsburg cities.",
    ],
)
def test_must_not_change(text):
    doc = spell(text)
    assert doc.text == text
    assert doc.changes == []


def test_every_replacement_is_a_change_with_the_rule_id_and_replays():
    text = "Kiev said Zelensky met Hana Malyar in Odessa.\nKIEV REPLIES"
    doc = spell(text)
    assert [(c.rule, c.before, c.after) for c in doc.changes] == [
        ("spelling.en.kyiv", "Kiev", "Kyiv"),
        ("spelling.en.zelenskyy", "Zelensky", "Zelenskyy"),
        ("spelling.en.maliar-hanna", "Hana Malyar", "Hanna Maliar"),
        ("spelling.en.odesa", "Odessa", "Odesa"),
        ("spelling.en.kyiv", "KIEV", "KYIV"),
    ]
    replayed = text
    for change in doc.changes:
        replayed = change.apply_to(replayed)
    assert replayed == doc.text


def test_english_rules_apply_to_english_paragraphs_only():
    text = "Shelling hit Kiev overnight.\nLes frappes sur Kiev et Odessa continuent."
    doc = Document(id="t", text=text, lang="en")
    split = text.index("\n")
    doc.paragraphs = [Paragraph(0, split, "en", 0.99), Paragraph(split + 1, len(text), "fr", 0.99)]
    spell_doc = STAGE(doc)
    assert (
        spell_doc.text == "Shelling hit Kyiv overnight.\nLes frappes sur Kiev et Odessa continuent."
    )


def test_paragraph_languages_from_the_langid_stage():
    pipeline = Pipeline(stages=["unicode", "langid", "spelling"])
    text = (
        "The governor said the shelling of Kiev went on through the night and into the morning.\n"
        "Le gouverneur a affirmé que les bombardements sur Kiev ont duré toute la nuit."
    )
    out = pipeline.clean_text(text)
    assert out.splitlines() == [
        "The governor said the shelling of Kyiv went on through the night and into the morning.",
        "Le gouverneur a affirmé que les bombardements sur Kiev ont duré toute la nuit.",
    ]


def test_undetermined_language_option():
    doc = Document(id="t", text="Kiev", lang="und")
    assert STAGE(doc).text == "Kyiv"
    off = SpellingStage(SpellingConfig(undetermined_as=""), shipped_rules_dir())
    assert off(Document(id="t", text="Kiev", lang="und")).text == "Kiev"


def test_disabled_rules():
    stage = SpellingStage(
        SpellingConfig(disabled_rules=("spelling.en.odesa",)), shipped_rules_dir()
    )
    assert stage(Document(id="t", text="Kiev and Odessa")).text == "Kyiv and Odessa"


RULE_TEMPLATE = """\
- id: {id}
  canonical: {canonical}
  kind: place-ukraine
  description: Test entry.
  variants: [{variants}]
  examples:
    change: [["{first} here", "{canonical} here"]]
"""


def write_rules(root: Path, lang: str, name: str, *entries: tuple[str, str, str]) -> Path:
    folder = root / "spelling" / lang
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(
        RULE_TEMPLATE.format(id=i, canonical=c, variants=v, first=v.split(",")[0].strip())
        for i, c, v in entries
    )
    (folder / name).write_text(text, encoding="utf-8")
    return root


def test_a_user_rules_folder_replaces_the_house_style(tmp_path):
    rules = write_rules(tmp_path, "en", "mine.yaml", ("my.kiev", "Kiev", "Kyiv, Kyjiv"))
    stage = SpellingStage(SpellingConfig(), rules)
    assert stage(Document(id="t", text="Kyiv, Kyjiv and Odessa")).text == "Kiev, Kiev and Odessa"


def test_extra_rules_extend_and_override_the_house_style(tmp_path):
    extra = write_rules(
        tmp_path,
        "en",
        "extra.yaml",
        ("my.tbilisi", "Tbilisi", "Tiflis"),
        ("my.odessa", "Odessa", "Odesa"),  # the user prefers the older spelling
    )
    stage = SpellingStage(SpellingConfig(extra_rules=str(extra)), shipped_rules_dir())
    doc = stage(Document(id="t", text="Tiflis, Odesa and Kiev"))
    assert doc.text == "Tbilisi, Odessa and Kyiv"
    assert {c.rule for c in doc.changes} == {"my.tbilisi", "my.odessa", "spelling.en.kyiv"}


def test_extra_rules_through_the_pipeline_options(tmp_path):
    extra = write_rules(tmp_path, "en", "extra.yaml", ("my.tbilisi", "Tbilisi", "Tiflis"))
    pipeline = Pipeline(stages=["spelling"], options={"spelling": {"extra_rules": str(extra)}})
    assert pipeline.clean_text("Tiflis and Kiev") == "Tbilisi and Kyiv"


def test_rules_for_another_language(tmp_path):
    rules = write_rules(tmp_path, "fr", "lieux.yaml", ("fr.kyiv", "Kyiv", "Kiev"))
    stage = SpellingStage(SpellingConfig(), rules)
    doc = Document(id="t", text="Les frappes sur Kiev.", lang="fr")
    assert stage(doc).text == "Les frappes sur Kyiv."
    assert stage(Document(id="t", text="Strikes on Kiev.", lang="en")).text == "Strikes on Kiev."


def test_bad_options_and_bad_rule_files_fail_clearly(tmp_path):
    with pytest.raises(ConfigError, match="extra_rules"):
        SpellingConfig(extra_rules=str(tmp_path / "missing"))
    folder = tmp_path / "spelling" / "en"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(
        "- id: x.one\n  description: d\n  canonical: Kyiv\n  kind: planet\n  variants: [Kiev]\n"
        "  examples: {change: [[Kiev, Kyiv]]}\n"
    )
    with pytest.raises(RuleError, match=r"bad\.yaml:1: rule x\.one: kind must be one of"):
        SpellingStage(SpellingConfig(), tmp_path)


def test_one_matcher_handles_thousands_of_entries():
    entries = list(ENGLISH)
    matcher = Matcher(entries)
    assert matcher.replace("Kiev and Odessa") == "Kyiv and Odesa"
    assert len(matcher.keys) >= sum(len(e.variants) for e in entries)


@given(st.text())
def test_idempotent_and_never_raises(text):
    once = spell(text).text
    assert spell(once).text == once


@given(
    st.sampled_from([v for e in ENGLISH for v in e.variants]),
    st.sampled_from(["", "'s", "-based", ".", ","]),
)
def test_every_variant_is_replaced_in_plain_context(variant, suffix):
    entry = next(e for e in ENGLISH if variant in e.variants)
    text = f"Reports from {variant}{suffix} today"
    out = spell(text).text
    if not entry.exceptions:
        assert out == f"Reports from {entry.canonical}{suffix} today"


FAST_AND_EXACT = Matcher(ENGLISH)
PIECES = sorted({key for key in FAST_AND_EXACT.keys if len(key) < 30})[:400] + [
    "human", "Kievan", "chicken", "Texas", "Odessa,", "of", "-", "'s", "’", "based",
]  # fmt: skip


@given(
    st.lists(st.sampled_from(PIECES), max_size=12),
    st.lists(st.sampled_from([" ", "", "-", "\n", ", ", "'"]), max_size=12),
)
def test_fast_path_equals_the_exact_path(pieces, separators):
    text = "".join(
        piece + (separators[i] if i < len(separators) else " ") for i, piece in enumerate(pieces)
    )
    assert list(FAST_AND_EXACT.find(text)) == list(FAST_AND_EXACT._find_exactly(text))
