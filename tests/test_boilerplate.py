"""The boilerplate stage: rule-file examples, must-survive content, structural detectors, the
timeout guard, malformed rule files, the indexed matcher against the naive one, learned lines."""

from __future__ import annotations

import sys
import time

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Document, Pipeline, RuleError
from cleaner.boilerplate_rules import (
    LIST_MARKERS,
    SPACES,
    LineMatcher,
    affixes,
    compile_line_rule,
    edge_chars,
    line_key,
    split_alternatives,
)
from cleaner.errors import ConfigError
from cleaner.rules import load_stage_rules, shipped_rules_dir
from cleaner.stages import REGISTRY
from cleaner.stages.boilerplate import DETECTORS, BoilerplateConfig, BoilerplateStage, _lead_norm

RULES_DIR = shipped_rules_dir()
STAGE = BoilerplateStage(BoilerplateConfig(), RULES_DIR)
PIPELINE = Pipeline(stages=["unicode", "langid", "boilerplate"])
ENTRIES = list(load_stage_rules(RULES_DIR, "boilerplate"))
LINE_RULES = STAGE.matcher.rules
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "ru", "uk", "ar", "pl"]
# A long story paragraph put before an example line, so that the example is neither the title
# nor in the first half of the text (where trailing-block triggers are only flagged).
LEAD = (
    "The regional governor said on Friday that the shelling of the border district had "
    "damaged a school, two shops and a water pipeline, and that repairs would take weeks. "
) * 3


def clean(text: str, lang: str = "en") -> Document:
    return STAGE(Document(id="t", text=text, lang=lang))


def removal_rules(doc: Document) -> list[str]:
    return [change.rule for change in doc.changes if change.after == ""]


def test_registered_after_langid():
    names = list(REGISTRY)
    assert names.index("boilerplate") == names.index("langid") + 1


def test_every_listed_language_has_a_rule_file():
    files = {path.stem for path in (RULES_DIR / "boilerplate").glob("*.yaml")}
    assert {*LANGUAGES, "any"} <= files


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_covers_the_main_kinds(lang):
    kinds = {rule.kind for rule in LINE_RULES if rule.lang == lang}
    assert {
        "teaser",
        "promo",
        "comment_prompt",
        "social",
        "newsletter",
        "cookie",
        "credit",
        "caption",
        "share",
        "ad",
        "tags",
        "paywall",
        "app",
        "donation",
    } <= kinds


def test_every_detector_is_documented_in_the_rule_file():
    documented = {entry.id for entry in ENTRIES if entry.fields.get("detector")}
    assert documented == set(DETECTORS)


MATCH_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.id}-{number}")
    for rule in LINE_RULES
    for number, example in enumerate(rule.examples_match)
]
NO_MATCH_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.id}-{number}")
    for rule in LINE_RULES
    for number, example in enumerate(rule.examples_no_match)
]


@pytest.mark.parametrize("rule, example", MATCH_EXAMPLES)
def test_rule_match_examples_are_acted_on_by_the_stage(rule, example):
    lang = "en" if rule.lang == "any" else rule.lang
    doc = clean(f"{LEAD}\n\n{example}", lang=lang)
    # Rules are tried in file order (any.yaml first), so an example may be taken by an earlier
    # rule that also matches it; the stage must act exactly as that first rule says.
    first = naive_match(line_key(example), lang)
    assert first is not None
    if first.action == "flag":
        assert first.id in {flag.rule for flag in doc.flags}
        assert doc.text.endswith(example)
    else:
        assert removal_rules(doc) == [first.id]
        assert doc.text == LEAD


@pytest.mark.parametrize("rule, example", NO_MATCH_EXAMPLES)
def test_rule_no_match_examples_are_not_touched_by_the_rule(rule, example):
    doc = clean(f"{LEAD}\n\n{example}", lang="en" if rule.lang == "any" else rule.lang)
    assert rule.id not in removal_rules(doc)
    assert rule.id not in {flag.rule for flag in doc.flags}


DETECTOR_MATCH = [
    pytest.param(example["text"], example["expected"], id=f"{entry.id}-{number}")
    for entry in ENTRIES
    if entry.fields.get("detector")
    for number, example in enumerate(entry.fields["examples"]["match"])
]
DETECTOR_NO_MATCH = [
    pytest.param(text, id=f"{entry.id}-{number}")
    for entry in ENTRIES
    if entry.fields.get("detector")
    for number, text in enumerate(entry.fields["examples"].get("no_match", []))
]


@pytest.mark.parametrize("text_in, text_out", DETECTOR_MATCH)
def test_detector_examples(text_in, text_out):
    assert clean(text_in).text == text_out


@pytest.mark.parametrize("text", DETECTOR_NO_MATCH)
def test_detector_no_match_examples_stay(text):
    assert clean(text).text == text


# Content that carries a trigger word and must survive the whole pipeline unchanged.
MUST_SURVIVE = [
    "Also, the governor said that twelve people were injured in the attack on the village.",
    "Also on Sunday, two drones were shot down over the Kursk region, the ministry said.",
    "Read together, the two statements point to a new offensive in the east of the country.",
    "Reading the statement aloud, the spokesman said the talks would resume next week.",
    "The governor of the Oryol region, Andrei Klychkov, reported on Telegram three minor injuries.",
    "Gladkov said on Telegram that the village had been shelled twice during the night.",
    "A woman killed",
    "Optimism despite losses",
    "The weapons are coming",
    "According to a source familiar with the talks, the meeting will take place on Friday.",
    "The talks ended without agreement, according to a source familiar with the talks.",
    "Photos released by the Ukrainian army showed destroyed tanks near Bakhmut on Monday.",
    "Photos released by the army",
    "The channel, which has 1.2 million subscribers, posted the video on Monday night.",
    "Subscribers to the Telegram channel shared the footage thousands of times.",
    "Several hundred comments under the video accused the authorities of lying.",
    "Comments by the minister drew sharp criticism from Kyiv on Tuesday.",
    "The comments section of the newspaper was closed after the attack.",
    "Share prices fell sharply after the announcement of new sanctions.",
    "Source: the ministry did not comment on the figures published by the governor.",
    "Listen carefully, the governor told residents on the radio.",
    "Watch out for drones, the mayor warned residents on Telegram.",
    "Support for the war effort remains high, a poll published on Monday found.",
    "The advertising revenue of the channel fell by a third after the invasion.",
    "Download speeds fell across the region after the strikes, the operator said.",
    "Next week, the allies will meet in Vilnius to discuss air defence.",
    "Le gouverneur a écrit sur Telegram que trois personnes avaient été blessées.",
    "Lire entre les lignes de ce discours n'est pas facile, estime l'analyste.",
    "Der Gouverneur schrieb auf Telegram, drei Menschen seien verletzt worden.",
    "Губернатор написал в Telegram, что три человека получили ранения.",
    "Губернатор написав у Telegram, що троє людей отримали поранення.",
    "كتب الحاكم على تلغرام أن ثلاثة أشخاص أصيبوا في الهجوم على القرية.",
    "Gubernator napisał na Telegramie, że trzy osoby zostały ranne w nocy.",
    "El gobernador escribió en Telegram que tres personas resultaron heridas.",
    "Il governatore ha scritto su Telegram che tre persone sono rimaste ferite.",
    "O governador escreveu no Telegram que três pessoas ficaram feridas.",
]


@pytest.mark.parametrize("line", MUST_SURVIVE)
def test_content_with_trigger_words_survives(line):
    text = f"{LEAD.strip()}\n\n{line}\n\nThe governor added that the schools would stay closed."
    doc = PIPELINE(Document(id="t", text=text))
    assert line in doc.text.split("\n")
    assert [c for c in doc.changes if c.stage == "boilerplate"] == []


@pytest.mark.parametrize("line", MUST_SURVIVE)
def test_content_with_trigger_words_survives_as_a_short_document(line):
    assert PIPELINE.clean_text(line) == line


# Texts of our own showing every kind of residue of the seed articles.
SEED_ARTIFACTS = [
    (
        "Russia drone hits fuel depot in Oryol region of\n\n"
        "Russia: drone hits fuel depot in Oryol region of Ukraine border area\n\n"
        "The story begins here with a long paragraph about the fire at the depot.",
        "Russia: drone hits fuel depot in Oryol region of Ukraine border area\n\n"
        "The story begins here with a long paragraph about the fire at the depot.",
    ),
    (
        f"{LEAD}\n\n• Also read: Drones over Moscow again\n\n  • Also read: Kyiv under fire\n\nEnd.",
        f"{LEAD}\n\nEnd.",
    ),
    (
        f"{LEAD}\n\nListen to the chronicle of Anne Roy, on the microphone of Radio Boréal :\n\nEnd.",
        f"{LEAD}\n\nEnd.",
    ),
    (
        f"{LEAD}\n\nSmoke rises over the border town after the strikes (French – Archive)\n\nEnd.",
        f"{LEAD}\n\nEnd.",
    ),
    (
        "Missiles hit power plant in the west – The Guardian\n\n"
        "Firefighters battle a blaze at the plant – Video Ukraine\n\n"
        "The standfirst says the plant supplied two regions.\n\nStory.",
        "Missiles hit power plant in the west\n\n"
        "The standfirst says the plant supplied two regions.\n\nStory.",
    ),
    (
        f"{LEAD}\n\nSource link\n\nLeave a Reply\n\n"
        "Your email address will not be published. Required fields are marked *",
        LEAD,
    ),
    (
        f"{LEAD}\n\n{{{{#Ticker}}}}\n\n{{{{top left}}}}\n\n{{{{/ticker}}}}\n\n{{{{Headline}}}}\n\n"
        "{{#choiceCards}}{{/choiceCards}}We will contact you to remind you to contribute. "
        "Look out for a message in your inbox.",
        LEAD,
    ),
    (
        "Port hit by drones\n"
        "- A drone attack damaged a grain terminal in the port overnight, officials said.\n"
        "Kyiv, 12 March 2024 (dpa) - A drone attack damaged a grain terminal in the port "
        "overnight, officials said.\n"
        "The rest of the story.\n"
        "dpa: Photo archive",
        "Port hit by drones\n"
        "Kyiv, 12 March 2024 (dpa) - A drone attack damaged a grain terminal in the port "
        "overnight, officials said.\n"
        "The rest of the story.",
    ),
]


@pytest.mark.parametrize("text_in, text_out", SEED_ARTIFACTS)
def test_seed_artifacts_in_texts_of_our_own(text_in, text_out):
    assert clean(text_in).text == text_out


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("A\n\nAdvertisement\n\nB", "A\n\nB"),
        ("A\nAdvertisement\nB", "A\nB"),
        ("A\nAdvertisement\n\nB", "A\n\nB"),
        ("A\n\nAdvertisement\nB", "A\n\nB"),
        ("Advertisement\n\nA", "A"),
        ("A\n\nAdvertisement", "A"),
        ("A\n\nAdvertisement\n", "A\n"),
        ("A\n\nAdvertisement\n\nShare\n\nB", "A\n\nB"),
        ("Advertisement", ""),
    ],
)
def test_removed_lines_take_their_line_breaks_and_blank_lines_stay_single(text_in, text_out):
    assert clean(text_in).text == text_out


def test_every_removal_is_a_change_with_its_rule_and_the_changes_replay():
    text = SEED_ARTIFACTS[5][0]
    doc = clean(text)
    assert removal_rules(doc) == ["en.source_link", "en.comment_prompt", "en.comment_form"]
    replayed = text
    for change in doc.changes:
        replayed = change.apply_to(replayed)
    assert replayed == doc.text


def test_trailing_trigger_early_in_the_text_removes_only_its_line_and_flags():
    text = f"Short intro.\n\nLeave a Reply\n\n{LEAD}"
    doc = clean(text)
    assert doc.text == f"Short intro.\n\n{LEAD}"
    assert "any.trailing_block" in {flag.rule for flag in doc.flags}


def test_related_block_takes_the_headlines_under_it_and_stops_at_content():
    text = (
        f"{LEAD}\n\nRelated articles\nDrones over Moscow\nKyiv reopens its metro\n\n"
        "The governor added that the schools would stay closed."
    )
    doc = clean(text)
    assert doc.text == f"{LEAD}\n\nThe governor added that the schools would stay closed."


def test_headlines_after_a_blank_line_under_a_related_heading_are_only_flagged():
    text = f"{LEAD}\n\nMost read\n\nA woman killed\n\nThe story goes on."
    doc = clean(text)
    assert doc.text == f"{LEAD}\n\nA woman killed\n\nThe story goes on."
    assert "any.related_block" in {flag.rule for flag in doc.flags}


def test_unknown_site_after_a_pipe_is_flagged_not_cut():
    doc = clean("Floods in the north | Daily Courier Gazette\n\nStory.")
    assert doc.text.startswith("Floods in the north | Daily Courier Gazette")
    assert "any.site_name" in {flag.rule for flag in doc.flags}


def test_paragraph_language_selects_the_rules():
    # "Reklama" is Polish (and Russian/Ukrainian) for an ad marker; in German it is not a rule.
    text = f"{LEAD}\n\nReklama\n\nEnd."
    assert clean(text, lang="pl").text == f"{LEAD}\n\nEnd."
    assert clean(text, lang="de").text == text


def test_unknown_language_tries_every_language():
    text = f"{LEAD}\n\nWeiterlesen\n\nEnd."
    assert clean(text, lang="und").text == f"{LEAD}\n\nEnd."


GERMAN_STORY = (
    "Der Gouverneur sagte am Freitag, dass der Beschuss des Grenzbezirks eine Schule, zwei "
    "Geschäfte und eine Wasserleitung beschädigt habe und die Reparaturen Wochen dauern würden."
)
GERMAN_FOLLOW_UP = (
    "Die Bewohner verbrachten die Nacht in Schutzräumen, während die Sirenen heulten, und am "
    "Morgen war der Strom in der ganzen Stadt ausgefallen."
)


def test_lines_without_a_language_of_their_own_also_meet_the_english_rules():
    # An untranslated site template under a German article: its English lines are too short for
    # langid, so they meet the German rules and then the English ones. A short German line stays.
    text = (
        f"Beschuss im Grenzbezirk\n\n{GERMAN_STORY}\n\nEin Toter\n\n{GERMAN_FOLLOW_UP}\n\n"
        "Photo: Reuters/Archive\n\nSource link\n\nLeave a Reply\n\nCancel reply"
    )
    doc = PIPELINE(Document(id="t", text=text))
    assert doc.lang == "de"
    assert (
        doc.text == f"Beschuss im Grenzbezirk\n\n{GERMAN_STORY}\n\nEin Toter\n\n{GERMAN_FOLLOW_UP}"
    )
    assert removal_rules(doc) == [
        "en.photo_credit",
        "en.source_link",
        "en.comment_prompt",
        "en.comment_form",
    ]


def test_line_key_drops_list_markers_and_markdown():
    assert line_key("  ► **Read more:** [Title](https://x.y)") == "Read more: Title"


def test_edge_chars_index():
    assert edge_chars(r"(?:also read|see also)\s*:.+") == frozenset("as")
    assert edge_chars(r"(?:photo)?\s*x") is None
    assert edge_chars(r"(?:[•*] )?a") == frozenset("•*a")
    assert edge_chars(r"(?:[•*] )?A") == frozenset("•*a")
    assert edge_chars(r".{10,250}\((?:archive|file)\)", last=True) == frozenset(")")
    assert edge_chars(r".{10,250} – video(?: \w+)?", last=True) == frozenset("o\x00")
    assert edge_chars(r".{10,250} – (?:\w+)?.", last=True) is None


def test_affixes_index():
    assert affixes(r"(?:also read|see also)\s*:.+") == frozenset({"als", "see"})
    assert affixes(r"ad|ads") == frozenset({"ad", "ads"})
    assert affixes(r"\w+ comments") is None
    assert affixes(r".{10,250}\((?:afp|dpa)\)", last=True) == frozenset({")pf", ")ap"})


# Guard against catastrophic backtracking: a pattern that takes exponential time.
PATHOLOGICAL = """\
- id: en.pathological
  description: A pattern that backtracks catastrophically on a long run of a's without a b.
  kind: ad
  action: remove
  pattern: '(?:a|aa)+b'
  max_chars: 300
  examples:
    match: ["aab"]
"""


def test_timeout_guard_keeps_the_line_and_flags_it(tmp_path):
    (tmp_path / "boilerplate").mkdir()
    (tmp_path / "boilerplate" / "en.yaml").write_text(PATHOLOGICAL, encoding="utf-8")
    stage = BoilerplateStage(BoilerplateConfig(timeout=0.05), tmp_path)
    line = "a" * 60 + "c"
    started = time.perf_counter()
    doc = stage(Document(id="t", text=f"Story.\n\n{line}", lang="en"))
    assert time.perf_counter() - started < 5
    assert doc.text == f"Story.\n\n{line}"
    assert [flag.rule for flag in doc.flags] == ["any.rule_timeout"]


def test_a_long_share_row_is_classified_well_within_the_timeout():
    # "\s*:?\s*" after a share word gave each repetition two ways to place a space: 2^14
    # tries (80 ms) on a row of 15 entries; one way now (a tenth of a millisecond).
    stage = BoilerplateStage(BoilerplateConfig(timeout=0.01), RULES_DIR)
    for row in ("Share on Facebook " * 15, "Share on Facebook " * 15 + "!"):
        doc = stage(Document(id="t", text=f"Story.\n\n{row.strip()}", lang="en"))
        assert "any.rule_timeout" not in [flag.rule for flag in doc.flags]


def test_no_shipped_pattern_backtracks_badly_on_adversarial_lines():
    adversarial = [
        "a" * 190,
        "a " * 95,
        "Source: " + "a" * 180,
        "Photo: " + "a-" * 90,
        "Sources: " + "a, " * 60,
        "(" + "a " * 90,
        "Follow us on " + "x " * 90,
        "Share on Facebook " * 12,
        "Tags: " + "#a " * 60,
        "Комментарии " + "а " * 80,
    ]
    for rule in LINE_RULES:
        # A rule's own examples, stretched so that the pattern fails only at the end: how a
        # nested repetition shows itself ("Updated 10:15" + digits, words and spaces).
        stretched = [
            example + (tail * rule.max_chars)[: rule.max_chars - len(example) - 1] + "!"
            for example in rule.examples_match
            for tail in ("1", " 1", "a1", " a 1")
        ]
        for line in [*adversarial, *stretched]:
            started = time.perf_counter()
            try:
                rule.matches(line_key(line)[: rule.max_chars], timeout=1.0)
            except TimeoutError:
                pytest.fail(f"{rule.id} times out on {line[:30]!r}")
            assert time.perf_counter() - started < 0.5, rule.id


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n  pattern: '(unclosed'\n"
            "  examples: {match: [x]}\n",
            "rule en.x: invalid pattern",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n"
            "  examples: {match: [x]}\n",
            "rule en.x: missing field 'pattern'",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n  pattern: 'ad'\n"
            "  examples: {match: [advert]}\n",
            "rule en.x: example does not match: 'advert'",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n  pattern: 'ad.*'\n"
            "  examples: {match: [ad], no_match: [adverts]}\n",
            "rule en.x: no_match example matches",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: delete\n  pattern: 'ad'\n"
            "  examples: {match: [ad]}\n",
            "rule en.x: unknown action 'delete'",
        ),
        (
            "- id: en.x\n  description: d\n  kind: banner\n  action: remove\n  pattern: 'ad'\n"
            "  examples: {match: [ad]}\n",
            "rule en.x: unknown kind 'banner'",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n  pattern: 'ad'\n",
            "rule en.x: missing field 'examples'",
        ),
        (
            "- id: en.x\n  description: d\n  kind: ad\n  action: remove\n  pattern: '(?P<n>ad)'\n"
            "  examples: {match: [ad]}\n",
            "rule en.x: named groups are reserved",
        ),
    ],
)
def test_malformed_rule_file_names_path_line_and_rule(tmp_path, body, message):
    (tmp_path / "boilerplate").mkdir()
    path = tmp_path / "boilerplate" / "en.yaml"
    path.write_text("# a comment\n" + body, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        BoilerplateStage(BoilerplateConfig(), tmp_path)
    assert str(raised.value).startswith(f"{path}:2: ")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"timeout": 0}, "boilerplate.timeout must be between"),
        ({"trailing_min_position": 1.5}, "trailing_min_position must be between 0 and 1"),
        ({"lead_similarity": 20.0}, "lead_similarity must be between 50 and 100"),
        ({"lead_window": 1}, "lead_window must be between 2 and 50"),
        ({"title_min_share": 0.0}, "title_min_share must be in (0, 1]"),
    ],
)
def test_config_is_validated(options, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("]", r"\]")):
        BoilerplateConfig(**options)


def naive_match(key: str, lang: str):
    """The first rule, in file order, of `lang` or `any` that matches: what the index must
    reproduce."""
    for rule in LINE_RULES:
        if (lang == "und" or rule.lang in ("any", lang)) and rule.matches(key, 1.0):
            return rule
    return None


EXAMPLE_LINES = sorted(
    {line_key(e) for rule in LINE_RULES for e in (*rule.examples_match, *rule.examples_no_match)}
)


@pytest.mark.parametrize("lang", [*LANGUAGES, "und", "nl"])
def test_indexed_matcher_agrees_with_trying_every_rule(lang):
    for key in EXAMPLE_LINES:
        assert STAGE.matcher.match(key, lang) is naive_match(key, lang), key


# Space characters other than " " (the unicode stage leaves none, but the stage may run alone).
ODD_SPACED = ["\u00a0", "\u2009", "\t", "\u3000"]


@pytest.mark.parametrize("space", ODD_SPACED, ids=ascii)
def test_indexed_matcher_and_screen_agree_with_every_rule_on_other_spaces(space):
    for rule in LINE_RULES:
        lang = "en" if rule.lang == "any" else rule.lang
        for example in rule.examples_match:
            line = example.replace(" ", space)
            key = line_key(line)
            expected = naive_match(key, lang)
            assert STAGE.matcher.match(key, lang) is expected, line
            if expected is not None:
                assert 0 in STAGE.matcher.candidate_lines(line, {lang}), line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "Share",
                "on",
                "Facebook",
                "Also read",
                ":",
                "Photo",
                "AFP",
                "/",
                "a",
                "comments",
                "12",
                "(",
                ")",
                "•",
                "Fot.",
                "Источник",
                "©",
                "–",
                "Video",
            ]
        ),
        max_size=8,
    ).flatmap(
        lambda words: st.sampled_from([" ", *ODD_SPACED]).map(lambda space: space.join(words))
    ),
    st.sampled_from([*LANGUAGES, "und"]),
)
def test_indexed_matcher_agrees_on_generated_lines(text, lang):
    key = line_key(text)
    assert STAGE.matcher.match(key, lang) is naive_match(key, lang)


EXAMPLE_MATCHES = sorted({e for rule in LINE_RULES for e in rule.examples_match})


@pytest.mark.parametrize("lang", [*LANGUAGES, "und"])
def test_screen_keeps_every_line_a_rule_matches(lang):
    lines = [*EXAMPLE_MATCHES, LEAD, ""]
    matched = {i for i, line in enumerate(lines) if naive_match(line_key(line), lang)}
    assert matched
    assert matched <= STAGE.matcher.candidate_lines("\n".join(lines), {lang})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(EXAMPLE_MATCHES),
            st.builds(
                lambda example, digits: example.replace("1", digits).replace("2", digits),
                st.sampled_from([e for e in EXAMPLE_MATCHES if any(c.isdigit() for c in e)]),
                st.sampled_from(["7", "٣", "2024", "0"]),
            ),
            st.builds(lambda example: example.upper(), st.sampled_from(EXAMPLE_MATCHES)),
            # Lines that are not their own key: the screen finds them by their keys.
            st.builds(
                str.format,
                st.sampled_from(
                    ["• {}", "  {} ", "**{}**", "[{}](https://example.com/a)", "- {}", "\t{}\u00a0"]
                ),
                st.sampled_from(EXAMPLE_MATCHES),
            ),
            st.text(alphabet="ab (c)©:•\n19*_[]-\t", max_size=30),
        ),
        max_size=8,
    ),
    st.sampled_from([*LANGUAGES, "und"]),
)
def test_screen_keeps_every_matching_line_of_generated_documents(lines, lang):
    text = "\n".join(lines)
    candidates = STAGE.matcher.candidate_lines(text, {lang})
    if candidates is not None:
        keys = [line_key(line) for line in text.split("\n")]
        assert {i for i, key in enumerate(keys) if naive_match(key, lang)} <= candidates


@pytest.mark.parametrize("rule", LINE_RULES, ids=lambda rule: rule.id)
def test_split_alternatives_match_what_the_rule_matches(rule):
    flags = regex.V0 | (0 if rule.case_sensitive else regex.IGNORECASE)
    parts = [regex.compile(part, flags) for part in split_alternatives(rule.pattern)]
    for key in EXAMPLE_LINES:
        expected = bool(rule.compiled.fullmatch(key, timeout=1.0))
        assert any(part.fullmatch(key, timeout=1.0) for part in parts) == expected, key


def test_split_alternatives_leaves_escapes_classes_and_repeated_groups_whole():
    assert split_alternatives(r"a\|b|[|(]c") == (r"a\|b", "[|(]c")
    assert split_alternatives(r"(?:x|y)*z") == (r"(?:x|y)*z",)
    assert split_alternatives(r"(?:x|(?:y|w))z|q") == ("(?:x)z", "(?:(?:y|w))z", "q")
    assert split_alternatives(r"(?:x|y") == (r"(?:x|y",)


def test_matcher_with_no_rules_matches_nothing():
    assert LineMatcher([], timeout=0.1).match("Advertisement", "en") is None


def test_remembered_answers_are_per_language_and_equal_fresh_ones():
    matcher = LineMatcher(LINE_RULES, timeout=1.0)
    matcher._answers.limit = 3
    asked = [("Reklama", "pl"), ("Reklama", "de"), ("Source link", "en"), ("Story.", "en")] * 2
    answers = [matcher.match(key, lang) for key, lang in asked]
    fresh = [LineMatcher(LINE_RULES, timeout=1.0).match(key, lang) for key, lang in asked]
    assert answers == fresh
    assert [rule and rule.id for rule in answers[:4]] == ["pl.ad", None, "en.source_link", None]
    assert len(matcher._answers) <= 3


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("ab \n•:{}<>[]/Source link"), max_size=80))
def test_stage_never_raises_and_changes_replay(text):
    doc = clean(text)
    replayed = text
    for change in doc.changes:
        replayed = change.apply_to(replayed)
    assert replayed == doc.text


def test_every_space_character_is_a_screen_mark_of_a_line_that_is_not_its_own_key():
    assert "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()) == SPACES


def test_a_rule_that_is_only_a_number_screens_lines_that_start_with_any_digit(tmp_path):
    (tmp_path / "boilerplate").mkdir()
    (tmp_path / "boilerplate" / "en.yaml").write_text(
        "- id: en.counter\n  description: d\n  kind: comment_counter\n  action: remove\n"
        "  pattern: '\\d+'\n  examples: {match: ['12']}\n",
        encoding="utf-8",
    )
    stage = BoilerplateStage(BoilerplateConfig(), tmp_path)
    text = "A story about 12 people.\n\n12\n\n٣٤\n\n2024 was a year."
    assert stage.matcher.candidate_lines(text, {"en"}) == {2, 4, 6}
    assert (
        stage(Document(id="t", text=text, lang="en")).text
        == "A story about 12 people.\n\n2024 was a year."
    )


@pytest.mark.parametrize("requires", ["", "  requires: [x]\n"])
def test_a_rule_whose_answer_depends_on_direction_is_matched_forward(tmp_path, requires):
    # Forward, the possessive `a++` takes every "a" and "ab" cannot follow; matched backwards
    # from its end (as end-bounded rules are), the first branch would match "xaaab" whole.
    (tmp_path / "boilerplate").mkdir()
    (tmp_path / "boilerplate" / "en.yaml").write_text(
        "- id: en.odd\n  description: d\n  kind: ad\n  action: remove\n"
        "  pattern: '.{1,20}(?:a++ab|c)'\n"
        + requires
        + "  examples: {match: [xc], no_match: [xaaab]}\n",
        encoding="utf-8",
    )
    matcher = BoilerplateStage(BoilerplateConfig(), tmp_path).matcher
    assert matcher.direction == ["reverse"] and matcher.reversible == [False]
    assert matcher.match("xc", "en") is not None
    assert matcher.match("xaaab", "en") is None


def test_compile_line_rule_reports_its_entry(tmp_path):
    path = tmp_path / "boilerplate" / "fr.yaml"
    path.parent.mkdir()
    path.write_text(
        "- id: fr.pub\n  description: d\n  kind: ad\n  action: remove\n  pattern: 'pub'\n"
        "  examples: {match: [Pub]}\n",
        encoding="utf-8",
    )
    entry = next(load_stage_rules(tmp_path, "boilerplate"))
    rule = compile_line_rule(entry, "fr")
    assert (rule.id, rule.lang, rule.kind, rule.action) == ("fr.pub", "fr", "ad", "remove")


@given(st.text(alphabet=st.sampled_from("aB ß\t\u00a0\u2028•*-é.İ"), max_size=30))
def test_lead_normal_form_fast_path_equals_splitting_and_joining(text):
    expected = " ".join(text.strip().lstrip(LIST_MARKERS).casefold().split())
    assert _lead_norm(text) == expected
