"""Properties of the whole default pipeline, whatever stages are registered."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import Document, Pipeline

PIPELINE = Pipeline()

# Text that looks like scraped news: words, names, punctuation, residue, odd characters.
FRAGMENTS = st.sampled_from(
    [
        "Kiev",
        "kyiv",
        "Andreï",
        "Avdiïvka",
        "the",
        "the the",
        "said",
        " :",
        " .",
        ". on",
        "Also read:",
        "Source link",
        "{{#Ticker}}",
        "{{.}}",
        "Leave a Reply",
        "•",
        "—",
        "“",
        "”",
        "Mr.",
        "U.S.",
        "3.5",
        "…",
        "Ã©",
        "â€™",
        "&amp;",
        "\u00a0",
        "\u200b",
        "\r\n",
        "\n",
        "\n\n",
        " ",
        "Le gouverneur a dit",
        "Der Bürgermeister",
        "Губернатор заявил",
        "قال المتحدث",
    ]
)
NEWSLIKE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map(" ".join)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(st.text(), NEWSLIKE))
@example("{{}}Â 0")  # a template tag cut out of a line leaves mojibake behind
def test_cleaning_twice_equals_cleaning_once(text):
    once = PIPELINE.clean_text(text)
    assert PIPELINE.clean_text(once) == once


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(st.text(), NEWSLIKE))
def test_changes_replay_to_the_output(text):
    doc = PIPELINE(Document(id="p", text=text))
    replayed = text
    for change in doc.changes:
        replayed = change.apply_to(replayed)
    assert replayed == doc.text
