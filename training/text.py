"""Text handling shared by training and serving.

Two views of an ad are kept apart on purpose:

* the *plain text* (:func:`to_plain_text`): what an HR tool sees. For plain text and Markdown it is
  the input itself, for HTML the rendered text. Evidence offsets always point into this view, so
  ``plain[start:end]`` cuts out the evidence exactly.
* the *normalised text* (:func:`normalize`): for features only. NFKC, Markdown and inclusive
  forms removed, case-folded. It is never shown and never used for offsets.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser

__all__ = [
    "to_plain_text",
    "looks_like_html",
    "normalize",
    "match_key",
    "match_keys",
    "detect_language",
    "sentence_spans",
    "split_title",
]

# --------------------------------------------------------------------------------------------
# HTML to text

_HTML_TAG = re.compile(
    r"<\s*/?\s*(p|div|br|li|ul|ol|h[1-6]|span|strong|b|i|em|table|tr|td|th|a|section|article|body|html)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "body",
    "html",
    "hr",
}
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template"}


def looks_like_html(text: str) -> bool:
    """True when the text contains at least two common HTML tags (one stray ``<b>`` is not a page)."""
    return len(_HTML_TAG.findall(text, 0, 20_000)) >= 2


class _TextExtractor(HTMLParser):
    """Collects text, turning block elements into line breaks and list items into bullets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001 - HTMLParser's signature
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_MANY_NEWLINES = re.compile(r"\n\s*\n(\s*\n)+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _html_to_text(raw: str) -> str:
    parser = _TextExtractor()
    parser.feed(raw)
    parser.close()
    text = "".join(parser.parts)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def to_plain_text(raw: str) -> str:
    """The text an HR tool would see: HTML rendered to lines, anything else returned unchanged.

    Plain text and Markdown are returned as they are so that evidence offsets refer to the
    caller's own input.
    """
    if looks_like_html(raw):
        return _html_to_text(raw)
    return raw


# --------------------------------------------------------------------------------------------
# Normalisation for features

# Gender markers in titles: (m/w/d), (w/m/d), (m/f/d), (all genders), (gn), (d/m/w) ...
_GENDER_MARKER = re.compile(
    r"[\(\[]\s*(?:(?:[mwfdxi]|div|divers)(?:\s*[/|,]\s*(?:[mwfdxi]|div|divers)){1,3}"
    r"|all genders?|alle geschlechter|gn\*?|m\s*/\s*w\s*/\s*d|w\s*/\s*m\s*/\s*d)\s*[\)\]]",
    re.IGNORECASE,
)
# Inclusive suffixes: Manager:in, Redakteur*innen, Referent_in, Mitarbeiter/in, Mitarbeiter/-innen.
_INCLUSIVE_SUFFIX = re.compile(r"(?<=\w)(?:[:*_\u00b7]|/-?)in(?:nen)?\b", re.IGNORECASE)
# Binnen-I (ManagerIn, RedakteurInnen); LinkedIn, CheckIn and OptIn are words, not gender forms.
# (Written with "In" first, the lookbehinds then reaching back over it, so that the regex engine can skip ahead to
# "In"; the same matches as (?<![Ll]inked)(?<!Check)(?<!Opt)(?<=[a-zäöüß])In(?:nen)?\b.)
_BINNEN_I = re.compile(r"In(?<=[a-zäöüß]In)(?<![Ll]inkedIn)(?<!CheckIn)(?<!OptIn)(?:nen)?\b")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s+)|[*_`~]{1,3}(?=\S)|(?<=\S)[*_`~]{1,3}")
# Characters one of which each pass of _strip_markup but NFKC needs ("I" for "In", "]" for "](").
_MARKUP_CHAR = re.compile(r"[&(\[:*_\u00b7/I\]#>`~]")
# Parts of _INCLUSIVE_SUFFIX and _MD_MARKUP without which they cannot match, found much faster.
# (Case-insensitive "in" matches exactly [iIİı][nN]; a pattern that starts with a character class, and has no
# IGNORECASE, is the fast kind.)
_INCLUSIVE_TRIGGER = re.compile(r"[:*_\u00b7/]-?[iIİı][nN]")
_MD_TRIGGER = re.compile(r"[#>*_`~]")


def _strip_markup(text: str) -> str:
    """The passes of :func:`normalize` before case folding: entities, NFKC, gender markers, inclusive forms, Markdown.

    Each pass runs only when its trigger character is present (without it the pass changes nothing): this is the
    hot path of parsing an ad (every sentence), and most sentences need none of them.
    """
    if not _MARKUP_CHAR.search(text) and (text.isascii() or unicodedata.is_normalized("NFKC", text)):
        return text  # no pass would change anything (about 60% of all sentences)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    # Inclusive forms first: their ``*`` and ``_`` would otherwise be taken for Markdown.
    if "(" in text or "[" in text:
        text = _GENDER_MARKER.sub(" ", text)
    if _INCLUSIVE_TRIGGER.search(text):
        text = _INCLUSIVE_SUFFIX.sub("", text)
    if "In" in text:
        text = _BINNEN_I.sub("", text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if _MD_TRIGGER.search(text):
        text = _MD_MARKUP.sub("", text)
    return text


def _folded(text: str, rendered: bool) -> str:
    """``text`` rendered, stripped of markup and case-folded; whitespace not yet collapsed."""
    if not text:
        return ""
    if not rendered and looks_like_html(text):
        text = _html_to_text(text)
    return _strip_markup(text).casefold()


def normalize(text: str, *, rendered: bool = False) -> str:
    """Normalise an ad for feature extraction.

    HTML is rendered, Markdown markup dropped, Unicode NFKC applied, gender markers removed and
    inclusive forms reduced to their stem (``Manager:in`` -> ``manager``), then case-folded with
    whitespace collapsed. Returns ``""`` for empty input. ``rendered=True`` skips the HTML check
    for text that is already plain (the sentences of a parsed ad).

    >>> normalize("Social Media Manager:in (m/w/d)")
    'social media manager'
    """
    # str.split() splits on exactly the characters of regex ``\s``, so this collapses and strips whitespace.
    return " ".join(_folded(text, rendered).split())


# A word of a match key: a run of letters and digits. Everything else (whitespace, punctuation,
# symbols, "_") separates words, so a key is words separated by single spaces: phrase matching and
# tokenising can then split on spaces instead of running a regex (see training.phrases and
# training.fast.key_tokens).
_KEY_WORD = re.compile(r"[^\W_]+")
# The same split for ASCII and Latin-1 text (most sentences; German umlauts and French accents are Latin-1), as
# bytes: every byte but a letter or digit to a space, where a letter or digit is a byte whose character is
# alphanumeric (what the regex's [^\W_] tests); bytes.split() then splits at the spaces.
_KEY_SEPARATORS = bytes(b if chr(b).isalnum() else ord(" ") for b in range(256))


def _key_of_folded(folded: str) -> str:
    """The match key of case-folded, markup-free text: its words, single-spaced."""
    if folded.isascii() or max(folded) <= "\xff":  # a byte table is 3-10x faster than the regex
        return b" ".join(folded.encode("latin-1").translate(_KEY_SEPARATORS).split()).decode("latin-1")
    return " ".join(_KEY_WORD.findall(folded))


def match_keys(texts: Iterable[str]) -> list[str]:
    """``[match_key(text, rendered=True) for text in texts]``, without two function calls per text."""
    # (Tried: folding and splitting all texts at once, joined by line breaks. Slower: one non-ASCII text
    # sends the whole ad down the regex path instead of the byte table.)
    return [_key_of_folded(_strip_markup(text).casefold()) for text in texts]


def match_key(text: str, *, rendered: bool = False) -> str:
    """A key for comparing titles, aliases and phrases: normalised, its words (letters and digits) single-spaced.

    ``Social-Media-Redakteur*in`` and ``social media redakteur`` give the same key.
    """
    # Punctuation runs and whitespace runs both become one space: the key is the words between them.
    return _key_of_folded(_folded(text, rendered))


# --------------------------------------------------------------------------------------------
# Language

_DE_WORDS = frozenset(
    [
        "und",
        "der",
        "die",
        "das",
        "mit",
        "für",
        "wir",
        "du",
        "sie",
        "ist",
        "ein",
        "eine",
        "zu",
        "von",
        "auf",
        "den",
        "dem",
        "des",
        "nicht",
        "bei",
        "oder",
        "als",
        "auch",
        "werden",
        "unser",
        "unsere",
        "deine",
        "ihre",
        "dich",
        "dir",
        "uns",
        "sowie",
        "im",
        "zur",
        "zum",
        "über",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "in",
        "for",
        "with",
        "you",
        "we",
        "our",
        "is",
        "are",
        "a",
        "an",
        "on",
        "will",
        "your",
        "be",
        "as",
        "this",
        "that",
        "have",
        "from",
        "who",
        "what",
        "experience",
        "team",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
# A letter outside a-z, A-Z, ä, ö, ü and ß; a word with one is not Latin. (Plain ASCII first: the class is tested
# member by member.)
_NON_LATIN_LETTER = re.compile(r"[^\x00-\x7f\W\d_äöüß]")
# A whole word with such a letter: from a word start, its Latin letters, a non-Latin one, the rest of the word.
# (The lookbehind and the possessive ``*+`` keep this linear in the word length.)
_NON_LATIN_WORD = re.compile(r"(?<![^\W\d_])[a-zA-Zäöüß]*+[^\x00-\x7f\W\d_äöüß][^\W\d_]*+")
# Latin-1 bytes: the letters a-z, A-Z, ä, ö, ü, ß map to themselves, every other byte to a space.
_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüß")
_ONLY_LATIN_LETTERS = bytes(b if chr(b) in _LATIN_LETTERS else ord(" ") for b in range(256))
_FUNCTION_WORDS = _DE_WORDS | _EN_WORDS
_FUNCTION_WORDS_LATIN1 = frozenset(w.encode("latin-1") for w in _FUNCTION_WORDS)
_DE_WORDS_LATIN1 = frozenset(w.encode("latin-1") for w in _DE_WORDS)
_EN_WORDS_LATIN1 = frozenset(w.encode("latin-1") for w in _EN_WORDS)


def _function_word_counts(folded: str) -> tuple[int, int, int] | None:
    """``(words, German function words, English function words)`` in case-folded text; None when there are no
    words or fewer than 60% of them are in Latin script."""
    if _NON_LATIN_LETTER.search(folded):
        words = _WORD.findall(folded)
        if not words or (len(words) - len(_NON_LATIN_WORD.findall(folded))) / len(words) < 0.6:
            return None
        function_words = list(filter(_FUNCTION_WORDS.__contains__, words))
        de_words, en_words = _DE_WORDS, _EN_WORDS
    else:
        # The common case, all words Latin: the words are the runs of a-z, ä, ö, ü, ß (casefold leaves no A-Z)
        # and everything else separates them. In Latin-1 bytes that is a table lookup and a split on spaces, much
        # faster than a regex; characters beyond Latin-1 (none of them letters here) become "?", a separator.
        words = folded.encode("latin-1", "replace").translate(_ONLY_LATIN_LETTERS).split()
        if not words:
            return None
        function_words = list(filter(_FUNCTION_WORDS_LATIN1.__contains__, words))
        de_words, en_words = _DE_WORDS_LATIN1, _EN_WORDS_LATIN1
    return len(words), sum(map(de_words.__contains__, function_words)), sum(map(en_words.__contains__, function_words))


def detect_language(text: str) -> str:
    """``"de"``, ``"en"`` or ``"other"`` from function-word counts (robust for 300-character snippets).

    Text that is mostly non-Latin script, or has too few function words, is ``"other"``.
    """
    counts = _function_word_counts(text[:5000].casefold())
    if counts is None:
        return "other"
    n_words, de, en = counts
    if max(de, en) < 2 or max(de, en) / n_words < 0.04:
        return "other"
    return "de" if de >= en else "en"


# --------------------------------------------------------------------------------------------
# Sentences and titles

# A sentence ends at a line break, or after . ! ? followed by whitespace and an upper-case letter,
# a digit or a bullet; bullets and list markers at the start of a line are not part of it.
# Written as ``\s(?:...)`` rather than ``\n+|(?<=\D[.!?])\s+(?=...)|(?<=[;•])\s+|\s+[•·▪►✓✔]\s*``: the same
# matches, but a pattern that starts with a character class lets the regex engine skip ahead to whitespace.
_SENT_BOUNDARY = re.compile(r"\s(?:(?<=\n)\n*|(?<=\D[.!?]\s)\s*(?=[A-ZÄÖÜ0-9•\-–*])|(?<=[;•]\s)\s*|\s*[•·▪►✓✔]\s*)")
# Bullets that _SENT_BOUNDARY takes together with the whitespace before them (even across line breaks).
_BOUNDARY_BULLETS = "•·▪►✓✔"
# The characters without which _SENT_BOUNDARY can only match at line breaks: the marks that end a sentence
# before whitespace (. ! ? ; •) and the bullets after whitespace.
_IN_LINE_MARK = re.compile(r"[.!?;•·▪►✓✔]")
# Abbreviations whose full stop does not end a sentence (German and English job-ad staples).
_ABBREVIATION = re.compile(
    r"(?:\b(?:z\.\s?B|bzw|ca|u\.\s?a|d\.\s?h|inkl|ggf|evtl|usw|etc|Dr|Nr|e\.g|i\.e|vs|Mio|Mrd|Str|bspw|sog|max|min|mind)"
    r"|\b[A-ZÄÖÜ])\.$",
    re.IGNORECASE,
)
_LEADING_JUNK = re.compile(r"(?:[\s\-–—•·▪►✓✔*#>|]+|\d+[.)]\s+)+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences and bullet lines of ``text``.

    Leading bullets, list numbers and Markdown heading marks are excluded from a span and trailing
    whitespace is trimmed, so ``text[start:end]`` is the readable sentence.
    """
    # The sentences lie between the matches of _SENT_BOUNDARY (less those after an abbreviation). Each line
    # break is in a match, and a match with a line break always ends a sentence, so every stretch of lines
    # without in-line marks simply has one sentence per line; only the other lines need the regex. ``scan`` is
    # where the regex would resume: the end of its last match.
    spans: list[tuple[int, int]] = []
    scan = 0
    while scan < len(text):
        lines_end = _plain_lines_end(text, scan)
        if lines_end > scan:
            _add_line_spans(spans, text, scan, lines_end)
            scan = lines_end
        else:
            scan = _add_marked_spans(spans, text, scan)
    return spans


def _plain_lines_end(text: str, scan: int) -> int:
    """The end of the whole lines from ``scan`` on whose only _SENT_BOUNDARY matches are their line breaks.

    ``scan`` itself when there are none. Without in-line marks, a match could only start in a line's trailing
    whitespace and run on to a bullet: so these are the lines before the next mark, except that when the mark's
    line starts with a bullet, the last non-blank line before it is left to the regex as well.
    """
    mark = _IN_LINE_MARK.search(text, scan)
    if mark is None:
        return len(text)
    lines_end = text.rfind("\n", scan, mark.start()) + 1
    if lines_end == 0:  # the mark is on the line of ``scan``
        return scan
    if text[lines_end : mark.end()].lstrip()[0] in _BOUNDARY_BULLETS:
        content_end = scan + len(text[scan:lines_end].rstrip())
        lines_end = text.rfind("\n", scan, content_end) + 1
        if lines_end == 0:
            return scan
    return lines_end


def _add_line_spans(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append the sentence of each line of ``text[start:end]`` (which ends with a line break or the text)."""
    # Per line exactly what _add_span(spans, text, line_start, line_end) does, without the function calls.
    for line in text[start:end].split("\n"):
        if not line:  # blank lines are common, and have no sentence
            start += 1
            continue
        lead = _LEADING_JUNK.match(line)
        line_start = start + lead.end() if lead else start
        line_end = start + len(line.rstrip())
        if line_end - line_start >= 2:
            spans.append((line_start, line_end))
        start += len(line) + 1


def _add_marked_spans(spans: list[tuple[int, int]], text: str, scan: int) -> int:
    """Append the sentences from ``scan`` (0 or the end of a match) to the next match of _SENT_BOUNDARY with a
    line break, and return the end of that match."""
    pos = scan
    while match := _SENT_BOUNDARY.search(text, scan):
        end, scan = match.span()
        if "\n" in match.group():
            _add_span(spans, text, pos, end)
            return scan
        if not _ABBREVIATION.search(text, max(0, end - 8), end):  # "z.B. Canva" is one sentence
            _add_span(spans, text, pos, end)
            pos = scan
    _add_span(spans, text, pos, len(text))
    return len(text)


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` without leading list markers and trailing whitespace, unless (nearly) empty."""
    lead = _LEADING_JUNK.match(text, start, end)
    if lead:
        start = lead.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start >= 2:
        spans.append((start, end))


_TITLE_MAX = 120


def split_title(text: str) -> str:
    """The ad's first line when it looks like a title (short, no sentence end), else ``""``."""
    for line in text.lstrip().split("\n", 3)[:1]:
        lead = _LEADING_JUNK.match(line)
        line = line[lead.end() :].strip() if lead else line.strip()
        if 3 <= len(line) <= _TITLE_MAX and not line.endswith((".", ":", "!", "?")):
            return line
    return ""
