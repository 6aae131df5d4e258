"""The shipped spelling rules linted like codespell lints its dictionaries, and the linter's
own checks shown to fire."""

from collections import Counter
from pathlib import Path

import pytest

from cleaner.rules import shipped_rules_dir
from cleaner.spelling_rules import check_rules, entry_files, load_rules

ENGLISH = load_rules(shipped_rules_dir())["en"]

OBLAST_CENTRES = [
    "Cherkasy", "Chernihiv", "Chernivtsi", "Dnipro", "Donetsk", "Ivano-Frankivsk", "Kharkiv",
    "Kherson", "Khmelnytskyi", "Kropyvnytskyi", "Kyiv", "Luhansk", "Lutsk", "Lviv", "Mykolaiv",
    "Odesa", "Poltava", "Rivne", "Sevastopol", "Simferopol", "Sumy", "Ternopil", "Uzhhorod",
    "Vinnytsia", "Zaporizhzhia", "Zhytomyr",
]  # fmt: skip
OBLAST_NAMES = ["Dnipropetrovsk", "Kirovohrad", "Volyn", "Zakarpattia", "Crimea"]
HOUSE_STYLE = [
    "Kyiv", "Kharkiv", "Odesa", "Zaporizhzhia", "Mykolaiv", "Dnipro", "Lviv", "Chernihiv",
    "Luhansk", "Donbas", "Avdiivka", "Makiivka", "Sloviansk", "Kupiansk", "Izium", "Bakhmut",
    "Belgorod", "Shebekino", "Grayvoron", "Oryol", "Kursk", "Bryansk", "Volodymyr Zelenskyy",
    "Vitali Klitschko", "Hanna Maliar", "Mykhailo Podolyak", "Ihor Terekhov", "Dmitry Peskov",
    "Sergei Shoigu", "Vyacheslav Gladkov",
]  # fmt: skip


def test_shipped_rules_pass_the_checker():
    assert [str(problem) for problem in check_rules(shipped_rules_dir())] == []


def test_the_rule_set_is_real():
    kinds = Counter(entry.kind for entry in ENGLISH)
    assert len(ENGLISH) >= 250
    assert kinds["person"] >= 60
    assert kinds["place-russia"] >= 25 and kinds["place-crimea"] >= 12
    assert kinds["organisation"] >= 10
    canonicals = {entry.canonical for entry in ENGLISH}
    missing = [
        name for name in OBLAST_CENTRES + OBLAST_NAMES + HOUSE_STYLE if name not in canonicals
    ]
    assert missing == []


def test_files_are_grouped_by_kind():
    files = {path.stem: path for path in entry_files(shipped_rules_dir(), "en")}
    assert set(files) == {
        "organisations",
        "people",
        "places-crimea",
        "places-russia",
        "places-ukraine",
    }
    expected = {
        "organisations": "organisation",
        "people": "person",
        "places-crimea": "place-crimea",
        "places-russia": "place-russia",
        "places-ukraine": "place-ukraine",
    }
    for entry in ENGLISH:
        assert expected[entry.source.path.stem] == entry.kind, entry.id


def test_entries_sorted_variants_sorted_and_unique():
    by_file: dict[Path, list[str]] = {}
    seen: dict[str, str] = {}
    canonicals = {entry.canonical.casefold(): entry.id for entry in ENGLISH}
    for entry in ENGLISH:
        by_file.setdefault(entry.source.path, []).append(entry.id)
        assert list(entry.variants) == sorted(entry.variants, key=lambda v: (v.casefold(), v))
        assert entry.change_examples, entry.id
        assert entry.id.startswith("spelling.en.")
        for variant in entry.variants:
            key = variant.casefold()
            assert key != entry.canonical.casefold(), entry.id
            assert key not in seen, f"{variant} in {entry.id} and {seen.get(key)}"
            assert key not in canonicals, (
                f"{variant} of {entry.id} is canonical in {canonicals.get(key)}"
            )
            seen[key] = entry.id
    for ids in by_file.values():
        assert ids == sorted(ids)


def test_rule_files_are_diffable():
    """One field per line, variants on one line, no tabs, no trailing spaces."""
    for path in entry_files(shipped_rules_dir(), "en"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert "\t" not in line and line == line.rstrip(), f"{path}:{number}"


GOOD = """\
- id: t.a
  canonical: Alpha
  kind: place-ukraine
  description: d.
  variants: [Alfa]
  examples:
    change: [[Alfa here, Alpha here]]
"""


@pytest.mark.parametrize(
    "text, message",
    [
        (
            GOOD.replace("t.a", "t.z") + GOOD.replace("Alpha", "Beta").replace("Alfa", "Betta"),
            "not sorted by id",
        ),
        (GOOD.replace("[Alfa]", "[Alfa, Aalfa]"), "variants not sorted"),
        (GOOD.replace("[Alfa]", "[Alfa, alfa]"), "twice in this entry"),
        (GOOD.replace("[Alfa]", "[Alfa, Alpha]"), "equals its canonical"),
        (GOOD + GOOD.replace("t.a", "t.b").replace("Alpha", "Beta"), "also a variant of t.a"),
        (
            GOOD
            + GOOD.replace("t.a", "t.b")
            .replace("Alpha", "Gamma")
            .replace("[Alfa]", "[Alpha]")
            .replace("Alfa here", "Alpha here"),
            "is the canonical form of t.a",
        ),
        (GOOD.replace("  examples", "  exceptions: [Beta Gamma]\n  examples"), "can never apply"),
        (GOOD.replace("  examples", "  exceptions: [alfa]\n  examples"), "can never fire"),
        (
            GOOD.replace("  examples", "  exceptions: [{regex: 'Alfa('}]\n  examples"),
            "bad exception regex",
        ),
        (
            GOOD.replace("  examples", "  exceptions: [{regex: 'Alfa(?= x)'}]\n  examples"),
            "matches none of the keep examples",
        ),
        (GOOD.replace("Alpha here]]", "Alpha there]]"), "expected 'Alpha there'"),
        (
            GOOD.replace("    change: [[Alfa here, Alpha here]]", "    keep: [Alfa]"),
            "needs at least one",
        ),
        (GOOD.replace("kind: place-ukraine", "kind: city"), "kind must be one of"),
        (GOOD.replace("  variants: [Alfa]\n", ""), "missing field 'variants'"),
        (GOOD + "- id: t.b\n  description: [unclosed\n", "invalid YAML"),
    ],
)
def test_the_checker_finds_each_kind_of_problem(tmp_path, text, message):
    folder = tmp_path / "spelling" / "en"
    folder.mkdir(parents=True)
    (folder / "test.yaml").write_text(text, encoding="utf-8")
    problems = [str(problem) for problem in check_rules(tmp_path)]
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith(str(folder / "test.yaml") + ":") for problem in problems)


def test_the_checker_accepts_a_good_file(tmp_path):
    folder = tmp_path / "spelling" / "en"
    folder.mkdir(parents=True)
    (folder / "test.yaml").write_text(GOOD, encoding="utf-8")
    assert check_rules(tmp_path) == []
