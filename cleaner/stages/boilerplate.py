"""Stage `boilerplate`: remove web residue that is not part of the story.

Two kinds of detection, both recorded under rule ids that `cleaner explain` can describe:

- line rules, data in `rules/boilerplate/<lang>.yaml` and `any.yaml` (teasers, promos, comment
  prompts, social and newsletter calls, cookie notices, credits, captions, ...), chosen by the
  paragraph's language (`Document.lang_at`) plus the language-independent ones, compiled into
  one indexed matcher (`cleaner.boilerplate_rules`). A line too short to have a language of its
  own also meets the English rules: site templates are often left untranslated ("Leave a
  Reply" under a German article);
- structural detectors in code: template residue (mustache tags, CMS shortcodes, HTML tags), a
  first line that copies the title, a site name glued to the title, a lead paragraph repeated
  after its dateline, and the trailing block after a comment prompt or "Source link". Their ids,
  descriptions and examples are entries with `detector: true` in `rules/boilerplate/any.yaml`.

A removed line goes with its line break, and the blank lines around a removed block are merged
so that paragraphs stay separated as they were. What the stage is not sure of is flagged, not
removed.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from pathlib import Path

import regex
from rapidfuzz import fuzz

from cleaner.boilerplate_corpus import LearnedLines, load_learned_lines
from cleaner.boilerplate_rules import LIST_MARKERS, LineMatcher, compile_line_rule, line_key
from cleaner.config import StageConfig
from cleaner.document import UNDETERMINED, Document, Edit, line_starts
from cleaner.errors import ConfigError
from cleaner.rules import RuleEntry, load_stage_rules
from cleaner.stages.langid import LangidConfig, LangidStage
from cleaner.stages.unicode import UnicodeConfig, UnicodeStage

TEMPLATE = "any.template"
TEMPLATE_INLINE = "any.template_inline"
SHORTCODE_CAPTION = "any.shortcode_caption"
TITLE_COPY = "any.title_copy"
SITE_NAME = "any.site_name"
REPEATED_LEAD = "any.repeated_lead"
TRAILING_BLOCK = "any.trailing_block"
RELATED_BLOCK = "any.related_block"
ORPHAN_SEPARATOR = "any.orphan_separator"
RULE_TIMEOUT = "any.rule_timeout"
DETECTORS = (
    TEMPLATE,
    TEMPLATE_INLINE,
    SHORTCODE_CAPTION,
    TITLE_COPY,
    SITE_NAME,
    REPEATED_LEAD,
    TRAILING_BLOCK,
    RELATED_BLOCK,
    ORPHAN_SEPARATOR,
    RULE_TIMEOUT,
)

# Template residue: mustache/handlebars tags, CMS shortcodes, HTML tags and comments. HTML
# entities were decoded by the unicode stage, so they are not handled here.
TEMPLATE_TOKEN = regex.compile(
    r"\{\{\{?[^{}\n]{0,200}\}?\}\}"
    r"|\{%[^%\n]{0,200}%\}"
    r"|<(script|style)\b[^\n]*?</\1\s*>"
    r"|<!--[^\n]*?-->"
    r"|</?(?:a|abbr|article|aside|b|blockquote|br|button|div|em|figcaption|figure|footer|form"
    r"|h[1-6]|header|hr|i|iframe|img|input|label|li|link|meta|nav|noscript|ol|p|path|picture"
    r"|section|small|source|span|strong|sub|sup|svg|table|tbody|td|th|thead|tr|u|ul|video)"
    r"\b[^<>\n]{0,500}>"
    r"|\[/?(?:caption|gallery|embed|video|audio|playlist|vc_\w+|et_pb_\w+|su_\w+|tweet|youtube"
    r"|contact-form(?:-7)?|related|adsense|ad)\b[^\]\n]{0,300}\]"
    r"|!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)",
    regex.IGNORECASE,
)
CAPTION_SHORTCODE = re.compile(r"\[caption\b", re.IGNORECASE)
TEMPLATE_LEFTOVER = re.compile(r"[\W_]*")
NOT_WORD = re.compile(r"[\W_]+")
TRUNCATION = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*$")
TRUNCATION_ENDS = ("...", "…", "]")
# "Title – Site", "Title | Site", "Site | Title": the separator needs spaces around it, except
# "|", which is never part of a headline.
SITE_SUFFIX = re.compile(r"^(?P<title>.{8,}?)(?:\s+[-–—·•]\s+|\s*\|\s*)(?P<site>[^-–—|·•]{2,40})$")
SITE_PREFIX = re.compile(r"^(?P<site>[^-–—|·•:]{2,40}?)(?:\s+[-–—·•]\s+|\s*\|\s*)(?P<title>.{8,})$")
SITE_SEPARATOR = re.compile(r"\s[-–—·•]\s|\|")
MAX_TITLE_CHARS = 250
DOMAIN = re.compile(
    r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|news|co\.uk|fr|de|ru|ua|it|es|pt|pl|ar"
    r"|br|ch|at|be|ca|eu|tv)$",
    re.IGNORECASE,
)
# The head of a dateline, as left before a repeated lead: "Moscow, 31 December 2023 (dpa) - ",
# "KYIV (Reuters) — ", "PARIS, 5 juin (AFP) : ".
DATELINE_HEAD = re.compile(r"^[^\W\d_][^\n]{1,110}?(?:\)\s*[-–—:]?|\s[-–—:]|[-–—:])\s*$")
# A line that may hold template residue, from its first "{", "<" or "[" on (one match a line).
TEMPLATE_HINT = re.compile(r"[{<\[][^\n]*")
# A line of a related-stories block: a headline, short and without closing punctuation.
HEADLINE = re.compile(r"^.{3,160}(?<![.!?;:…\"”»)])$")
SEPARATOR = re.compile(r"^[-–—_*=~•·#\s]{3,}$")
MAX_BLOCK_LINES = 8
# A dateline ("Moscow, 31 December 2023 (dpa) - ") is what a repeated lead may add to its copy.
MAX_LEAD_EXTRA = 120
# The language of site templates left untranslated, whose rules a line without a language of its
# own also meets.
TEMPLATE_LANGUAGE = "en"


@dataclasses.dataclass(frozen=True)
class BoilerplateConfig(StageConfig):
    """Options of the boilerplate stage.

    `learned`: a learned-lines rule file written by `cleaner boilerplate mine` (applied on top of
    the shipped rules). `timeout`: seconds the line rules may spend on one line before the line
    is flagged and kept. `trailing_min_position`: a trailing-block trigger ("Source link",
    "Leave a Reply") removes everything after it only when it sits after this share of the text;
    earlier, the trigger line alone goes and the rest is flagged. `title_min_share`: a first
    line that is a prefix of the title must cover this share of it to count as a truncated copy.
    `lead_similarity` (0-100, rapidfuzz): how close two lead paragraphs must be to count as one
    repeated. `lead_window`: how many leading paragraphs are searched for a repeated lead.
    """

    learned: str | None = None
    timeout: float = 0.05
    trailing_min_position: float = 0.5
    title_min_share: float = 0.6
    lead_similarity: float = 90.0
    lead_window: int = 8

    def __post_init__(self) -> None:
        if not 0.001 <= self.timeout <= 10.0:
            raise ConfigError(
                f"boilerplate.timeout must be between 0.001 and 10, got {self.timeout}"
            )
        if not 0.0 <= self.trailing_min_position <= 1.0:
            raise ConfigError(
                "boilerplate.trailing_min_position must be between 0 and 1, "
                f"got {self.trailing_min_position}"
            )
        if not 0.0 < self.title_min_share <= 1.0:
            raise ConfigError(
                f"boilerplate.title_min_share must be in (0, 1], got {self.title_min_share}"
            )
        if not 50.0 <= self.lead_similarity <= 100.0:
            raise ConfigError(
                f"boilerplate.lead_similarity must be between 50 and 100, got {self.lead_similarity}"
            )
        if not 2 <= self.lead_window <= 50:
            raise ConfigError(
                f"boilerplate.lead_window must be between 2 and 50, got {self.lead_window}"
            )


@dataclasses.dataclass(slots=True)
class _Line:
    index: int
    start: int
    end: int
    text: str


class BoilerplateStage:
    name = "boilerplate"
    Config = BoilerplateConfig

    def __init__(self, config: BoilerplateConfig, rules_dir: Path) -> None:
        self.config = config
        line_rules = []
        self.detectors: dict[str, RuleEntry] = {}
        self.learned = (
            load_learned_lines(Path(config.learned)) if config.learned else LearnedLines()
        )
        for entry in load_stage_rules(rules_dir, self.name):
            lang = entry.path.stem
            if entry.fields.get("kind") == "learned":
                self.learned.add(entry)
            elif entry.optional("detector", bool, False):
                check_detector_entry(entry)
                self.detectors[entry.id] = entry
            else:
                line_rules.append(compile_line_rule(entry, lang))
        self.matcher = LineMatcher(line_rules, config.timeout)
        site_entry = self.detectors.get(SITE_NAME)
        sites = site_entry.optional("sites", list, []) if site_entry else []
        self.sites = frozenset(str(site).casefold() for site in sites)
        self.key_limit = max(self.matcher.max_chars, self.learned.max_chars)
        self.langid = (
            LangidStage(LangidConfig(), rules_dir) if (rules_dir / "langid").is_dir() else None
        )
        self.unicode = UnicodeStage(UnicodeConfig(), rules_dir)

    def __call__(self, doc: Document) -> Document:
        text = doc.text
        lines = _Lines(text)
        removed: dict[int, str] = {}
        inline: dict[int, list[Edit]] = {}
        triggers: list[tuple[int, str, str]] = []
        # Every language a line can have: a paragraph's own, or the document's.
        languages = {
            doc.lang,
            TEMPLATE_LANGUAGE,
            *(p.lang for p in doc.paragraphs if p.lang != UNDETERMINED),
        }
        candidates = self._candidates(text, lines, languages)
        chosen = [
            lines[index]
            for index in (range(len(lines)) if candidates is None else sorted(candidates))
            if lines.texts[index]
        ]
        for line, langs in zip(chosen, _line_languages(doc, chosen), strict=True):
            self._classify(doc, line, line_key(line.text), langs, removed, inline, triggers)
        self._trailing_block(doc, text, lines, removed, triggers)
        self._related_blocks(doc, lines, removed, triggers)
        self._title(doc, lines, removed, inline)
        self._repeated_lead(lines, removed)
        _orphan_separators(lines, removed)
        edits = _removal_edits(text, lines, removed)
        for index, line_edits in inline.items():
            if index not in removed:
                edits.extend(line_edits)
        doc.apply(self.name, edits)
        if any(index not in removed for index in inline):
            # What is left of a paragraph once tags are cut out of it is new text to the
            # earlier stages (a tag can hide mojibake: "{{}}Â 0"); put it through them again,
            # as a second run of the pipeline would, so that cleaning is idempotent.
            self.unicode(doc)
            if doc.paragraphs and self.langid is not None:
                self.langid(doc)
        return doc

    def _candidates(self, text: str, lines: _Lines, langs: set[str]) -> set[int] | None:
        """Indexes of the lines worth classifying (None: all of them): those the rule screen
        picks, those with template residue, and short ones when there are learned lines."""
        found = self.matcher.candidate_lines(text, langs, lines.starts)
        if found is None:
            return None
        if "{" in text or "<" in text or "[" in text:
            found.update(
                bisect.bisect_right(lines.starts, hint.start()) - 1
                for hint in TEMPLATE_HINT.finditer(text)
            )
        if self.learned.rules:
            limit = self.learned.max_chars + 8
            found.update(
                index for index, line_text in enumerate(lines.texts) if len(line_text) <= limit
            )
        return found

    def _classify(
        self,
        doc: Document,
        line: _Line,
        key: str,
        langs: tuple[str, ...],
        removed: dict[int, str],
        inline: dict[int, list[Edit]],
        triggers: list[tuple[int, str, str]],
    ) -> None:
        """Classify one line whose `key` (`line_key(line.text)`) the screen picked, with the
        rules of `langs`, in order."""
        content = line.text
        if "{" in content or "<" in content or "[" in content:
            tokens = list(TEMPLATE_TOKEN.finditer(content))
            if tokens:
                if CAPTION_SHORTCODE.search(content):
                    removed[line.index] = SHORTCODE_CAPTION
                    return
                content = TEMPLATE_TOKEN.sub("", content)
                if TEMPLATE_LEFTOVER.fullmatch(content):
                    removed[line.index] = TEMPLATE
                    return
                # One edit for the line, with the spaces the tags leave behind folded, so the
                # result is what the unicode stage would make of it.
                inline[line.index] = [
                    Edit(line.start, line.end, " ".join(content.split()), TEMPLATE_INLINE)
                ]
                key = line_key(content)
        if len(key) > self.key_limit:
            return
        learned_rule = self.learned.match(key)
        if learned_rule is not None:
            removed[line.index] = learned_rule
            return
        try:
            rule = None
            for lang in langs:
                rule = self.matcher.match(key, lang)
                if rule is not None:
                    break
        except TimeoutError:
            doc.flag(
                self.name,
                RULE_TIMEOUT,
                f"line rules took longer than {self.config.timeout}s on this line; kept",
                start=line.start,
                end=line.end,
            )
            return
        if rule is None:
            return
        if rule.action == "flag":
            doc.flag(
                self.name,
                rule.id,
                f"possible {rule.kind}: {rule.description}",
                start=line.start,
                end=line.end,
                confidence=0.5,
            )
            return
        removed[line.index] = rule.id
        if rule.action in ("trailing", "block"):
            triggers.append((line.index, rule.id, rule.action))

    def _trailing_block(
        self,
        doc: Document,
        text: str,
        lines: _Lines,
        removed: dict[int, str],
        triggers: list[tuple[int, str, str]],
    ) -> None:
        threshold = self.config.trailing_min_position * len(text)
        for index, rule_id, action in triggers:
            if action != "trailing":
                continue
            if lines[index].start < threshold:
                doc.flag(
                    self.name,
                    TRAILING_BLOCK,
                    f"{rule_id} in the first part of the text: only its own line was removed",
                    start=lines[index].start,
                    end=lines[index].end,
                    confidence=0.5,
                )
                continue
            for following in range(index + 1, len(lines)):
                if lines.texts[following] and following not in removed:
                    removed[following] = rule_id
            return

    def _related_blocks(
        self,
        doc: Document,
        lines: _Lines,
        removed: dict[int, str],
        triggers: list[tuple[int, str, str]],
    ) -> None:
        """After a related-stories heading, the headlines right under it (no blank line between)
        go with it; headlines after a blank line may be subheadings of the story: flagged."""
        for index, rule_id, action in triggers:
            if action != "block":
                continue
            taken = 0
            gap = False
            for following in range(index + 1, len(lines)):
                if lines.blank(following):
                    gap = True
                    continue
                if following in removed:
                    continue
                if taken == MAX_BLOCK_LINES or not HEADLINE.match(lines.texts[following]):
                    break
                taken += 1
                if gap:
                    line = lines[following]
                    doc.flag(
                        self.name,
                        RELATED_BLOCK,
                        f"may be a related headline under {rule_id}",
                        start=line.start,
                        end=line.end,
                        confidence=0.5,
                    )
                else:
                    removed[following] = rule_id

    def _title(
        self,
        doc: Document,
        lines: _Lines,
        removed: dict[int, str],
        inline: dict[int, list[Edit]],
    ) -> None:
        kept = _kept(lines, removed, limit=2)
        if not kept:
            return
        while len(kept) == 2:
            copy = self._title_copy(lines.texts[kept[0]], lines.texts[kept[1]])
            if copy is None:
                break
            removed[kept[copy]] = TITLE_COPY
            kept = _kept(lines, removed, limit=2)
        if kept[0] in inline:
            return
        site_edit = self._site_name(doc, lines[kept[0]])
        if site_edit is not None:
            inline[kept[0]] = [site_edit]

    def _title_copy(self, first: str, second: str) -> int | None:
        """Which of the first two lines is a truncated or exact copy of the other (0 or 1)."""
        if len(first) > MAX_TITLE_CHARS or len(second) > MAX_TITLE_CHARS:
            return None
        a, b = self._title_norm(first), self._title_norm(second)
        if len(a) < 12 or len(b) < 12:
            return None
        if a == b or fuzz.ratio(a, b) >= 97:
            return 0
        shorter, longer, position = (a, b, 0) if len(a) < len(b) else (b, a, 1)
        if longer.startswith(shorter) and len(shorter) >= self.config.title_min_share * len(longer):
            return position
        return None

    def _title_norm(self, title: str) -> str:
        title = line_key(title)
        if title.endswith(TRUNCATION_ENDS):
            title = TRUNCATION.sub("", title)
        split = self._split_site(title)
        if split is not None:
            title = split[0]
        return NOT_WORD.sub(" ", title.casefold()).strip()

    def _split_site(self, title: str) -> tuple[str, int, int] | None:
        """The title without a known site name, and the span of the site part removed."""
        if not SITE_SEPARATOR.search(title):
            return None
        found = SITE_SUFFIX.match(title)
        if found and self._is_site(found["site"]):
            return found["title"], found.end("title"), len(title)
        found = SITE_PREFIX.match(title)
        if found and self._is_site(found["site"]):
            return found["title"], 0, found.start("title")
        return None

    def _is_site(self, name: str) -> bool:
        name = name.strip()
        return name.casefold() in self.sites or bool(DOMAIN.match(name))

    def _site_name(self, doc: Document, title: _Line) -> Edit | None:
        if len(title.text) > MAX_TITLE_CHARS:
            return None
        split = self._split_site(title.text)
        if split is not None:
            _, start, end = split
            return Edit(title.start + start, title.start + end, "", SITE_NAME)
        found = SITE_SUFFIX.match(title.text) if "|" in title.text else None
        if found and "|" in title.text[found.end("title") : found.start("site")]:
            doc.flag(
                self.name,
                SITE_NAME,
                f"title may end with a site name: {found['site']!r}",
                start=title.start + found.start("site"),
                end=title.end,
                confidence=0.5,
            )
        return None

    def _repeated_lead(self, lines: _Lines, removed: dict[int, str]) -> None:
        window = _kept(lines, removed, limit=self.config.lead_window)
        # (position in the window, normal form) of the paragraphs long enough to compare.
        leads = []
        for position, index in enumerate(window):
            paragraph = lines.texts[index]
            if len(paragraph) <= 1500:
                norm = _lead_norm(paragraph)
                if len(norm) >= 40:
                    leads.append((position, norm))
        for number, (i, a) in enumerate(leads):
            if window[i] in removed:
                continue
            for j, b in leads[number + 1 :]:
                if j > i + 3:
                    break
                if window[j] in removed:
                    continue
                shorter, longer = (a, b) if len(a) < len(b) else (b, a)
                # A cheap screen before fuzzy matching: a dateline is all a copy may add, and
                # paragraphs that repeat each other share at least one of the shorter one's
                # first, middle or last 24 characters exactly (shorter common runs are set
                # phrases such as "the regional governor said"). Most pairs fail it.
                middle = len(shorter) // 2
                if len(longer) - len(shorter) > MAX_LEAD_EXTRA or not (
                    shorter[-24:] in longer
                    or shorter[:24] in longer
                    or shorter[middle - 12 : middle + 12] in longer
                ):
                    continue
                drop = self._lead_copy(a, b)
                if drop is not None:
                    removed[(window[i], window[j])[drop]] = REPEATED_LEAD
                    break

    def _lead_copy(self, a: str, b: str) -> int | None:
        """Which of two paragraphs that share a chunk to drop when one repeats the other (0 or
        1): the one without the dateline, else the shorter, else the later."""
        similarity = self.config.lead_similarity
        shorter, longer, position = (a, b, 0) if len(a) < len(b) else (b, a, 1)
        extra = len(longer) - len(shorter)
        near_equal = len(shorter) >= 60 and len(shorter) >= 0.8 * len(longer)
        if near_equal and fuzz.ratio(a, b, score_cutoff=similarity):
            return position
        # "Moscow, 31 December 2023 (dpa) - " + the shorter one: compare the tail, then check
        # that what comes before it reads as a dateline.
        if extra < 3 or not fuzz.ratio(shorter, longer[extra:], score_cutoff=similarity):
            return None
        if DATELINE_HEAD.match(longer[:extra]):
            return position
        return None


def check_detector_entry(entry: RuleEntry) -> None:
    """A detector entry documents code: its id must be one the code knows, and it must carry
    examples (documents where the detector fires, and where it must not)."""
    if entry.id not in DETECTORS:
        raise entry.error(f"unknown detector (detectors: {', '.join(DETECTORS)})")
    entry.require("kind")
    examples = entry.require("examples", dict)
    matching = examples.get("match")
    if not isinstance(matching, list) or not matching:
        raise entry.error("examples.match must be a non-empty list of {text, expected}")
    for example in matching:
        if not (isinstance(example, dict) and {"text", "expected"} <= set(example)):
            raise entry.error("each examples.match item needs `text` and `expected`")
    if not isinstance(examples.get("no_match", []), list):
        raise entry.error("examples.no_match must be a list of texts")


class _Lines:
    """The lines of a text. A line's record (`_Line`) is made only when a detector looks at
    the line: the screen alone sees most lines of most documents."""

    __slots__ = ("texts", "starts")

    def __init__(self, text: str) -> None:
        self.texts = text.split("\n")
        # One start per line, and one past the end of the last.
        self.starts = line_starts(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> _Line:
        start = self.starts[index]
        line_text = self.texts[index]
        return _Line(index, start, start + len(line_text), line_text)

    def blank(self, index: int) -> bool:
        return not self.texts[index].strip()

    def content_after(self, index: int) -> int | None:
        """The first line after `index` that is not blank."""
        for following in range(index + 1, len(self.texts)):
            if self.texts[following].strip():
                return following
        return None

    def content_before(self, index: int) -> int | None:
        """The last line before `index` that is not blank."""
        for previous in range(index - 1, -1, -1):
            if self.texts[previous].strip():
                return previous
        return None


def _line_languages(doc: Document, lines: list[_Line]) -> list[tuple[str, ...]]:
    """The languages whose rules each of `lines` (in text order) meets, in one walk over the
    paragraphs: its paragraph's, or, when that paragraph has none of its own, the document's
    and then English (`doc.lang_at(line.start)`, then `TEMPLATE_LANGUAGE`)."""
    paragraphs = doc.paragraphs
    fallback = tuple(dict.fromkeys((doc.lang, TEMPLATE_LANGUAGE)))
    result = []
    cursor = 0
    for line in lines:
        while cursor < len(paragraphs) and paragraphs[cursor].end <= line.start:
            cursor += 1
        langs = fallback
        if cursor < len(paragraphs):
            paragraph = paragraphs[cursor]
            if paragraph.start <= line.start < paragraph.end and paragraph.lang != UNDETERMINED:
                langs = (paragraph.lang,)
        result.append(langs)
    return result


def _orphan_separators(lines: _Lines, removed: dict[int, str]) -> None:
    """Separator lines ("---", "* * *") left at the end once the footer after them is gone."""
    if not removed:
        return
    for index in range(len(lines) - 1, -1, -1):
        if lines.blank(index) or index in removed:
            continue
        if not SEPARATOR.match(lines.texts[index]):
            break
        removed[index] = ORPHAN_SEPARATOR


def _kept(lines: _Lines, removed: dict[int, str], *, limit: int) -> list[int]:
    """The first `limit` lines (indexes) that are neither blank nor removed."""
    kept = []
    for index, line_text in enumerate(lines.texts):
        if line_text.strip() and index not in removed:
            kept.append(index)
            if len(kept) == limit:
                break
    return kept


def _lead_norm(text: str) -> str:
    stripped = text.strip().lstrip(LIST_MARKERS)
    # Most paragraphs have single spaces and no other whitespace (a printable string has no
    # whitespace but " "): then splitting and joining would give them back unchanged.
    if stripped.isprintable() and "  " not in stripped:
        return stripped.casefold()
    return " ".join(stripped.casefold().split())


def _removal_edits(text: str, lines: _Lines, removed: dict[int, str]) -> list[Edit]:
    """One edit per removed line, taking its line break with it. Around a removed block (removed
    lines with only blank lines between them) the wider of the two separators is kept, so
    "A\\n\\nB\\n\\nC" without B is "A\\n\\nC"."""
    edits: list[Edit] = []
    last_removed = -1
    for first in sorted(removed):
        if first <= last_removed or lines.blank(first):
            continue
        block = [first]
        following = lines.content_after(first)
        while following is not None and following in removed:
            block.append(following)
            following = lines.content_after(following)
        previous = lines.content_before(first)
        edits.extend(
            _block_edits(
                text,
                [lines[index] for index in block],
                None if previous is None else lines[previous],
                None if following is None else lines[following],
                removed,
            )
        )
        last_removed = block[-1]
    return edits


def _block_edits(
    text: str,
    block: list[_Line],
    previous: _Line | None,
    following: _Line | None,
    removed: dict[int, str],
) -> list[Edit]:
    first, last = block[0], block[-1]
    if previous and following:
        before = first.start - previous.end
        after = following.start - last.end
        start, end = (previous.end, last.end) if after > before else (first.start, following.start)
    elif previous:
        start, end = previous.end, last.end
    elif following:
        start, end = first.start, following.start
    else:
        start, end = first.start, last.end
    bounds = [start, *(line.start for line in block[1:]), end]
    return [Edit(bounds[k], bounds[k + 1], "", removed[line.index]) for k, line in enumerate(block)]
