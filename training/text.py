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
from html.parser import HTMLParser

__all__ = [
    "to_plain_text",
    "looks_like_html",
    "normalize",
    "match_key",
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
_BINNEN_I = re.compile(r"(?<![Ll]inked)(?<!Check)(?<!Opt)(?<=[a-zäöüß])In(?:nen)?\b")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s+)|[*_`~]{1,3}(?=\S)|(?<=\S)[*_`~]{1,3}")
_WS = re.compile(r"\s+")


def normalize(text: str, *, rendered: bool = False) -> str:
    """Normalise an ad for feature extraction.

    HTML is rendered, Markdown markup dropped, Unicode NFKC applied, gender markers removed and
    inclusive forms reduced to their stem (``Manager:in`` -> ``manager``), then case-folded with
    whitespace collapsed. Returns ``""`` for empty input. ``rendered=True`` skips the HTML check
    for text that is already plain (the sentences of a parsed ad).

    >>> normalize("Social Media Manager:in (m/w/d)")
    'social media manager'
    """
    if not text:
        return ""
    if not rendered and looks_like_html(text):
        text = _html_to_text(text)
    # Each pass below runs only when its trigger character is present: this is the hot path of
    # parsing an ad (every sentence), and most sentences need none of them.
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    # Inclusive forms first: their ``*`` and ``_`` would otherwise be taken for Markdown.
    if "(" in text or "[" in text:
        text = _GENDER_MARKER.sub(" ", text)
    if any(c in text for c in ":*_/\u00b7"):
        text = _INCLUSIVE_SUFFIX.sub("", text)
    if "In" in text:
        text = _BINNEN_I.sub("", text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if any(c in text for c in "#>*_`~"):
        text = _MD_MARKUP.sub("", text)
    return _WS.sub(" ", text.casefold()).strip()


_KEY_PUNCT = re.compile(r"[-/–—_.,;:!?()\[\]\"'„“”‚‘’&+|]+")


def match_key(text: str, *, rendered: bool = False) -> str:
    """A key for comparing titles, aliases and phrases: normalised, with hyphens and slashes as spaces.

    ``Social-Media-Redakteur*in`` and ``social media redakteur`` give the same key.
    """
    return _WS.sub(" ", _KEY_PUNCT.sub(" ", normalize(text, rendered=rendered))).strip()


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


def detect_language(text: str) -> str:
    """``"de"``, ``"en"`` or ``"other"`` from function-word counts (robust for 300-character snippets).

    Text that is mostly non-Latin script, or has too few function words, is ``"other"``.
    """
    words = _WORD.findall(text[:5000].casefold())
    if not words:
        return "other"
    latin = sum(1 for w in words if w.isascii() or all(c in "äöüß" or c.isascii() for c in w))
    if latin / len(words) < 0.6:
        return "other"
    de = sum(w in _DE_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if max(de, en) < 2 or max(de, en) / len(words) < 0.04:
        return "other"
    return "de" if de >= en else "en"


# --------------------------------------------------------------------------------------------
# Sentences and titles

# A sentence ends at a line break, or after . ! ? followed by whitespace and an upper-case letter,
# a digit or a bullet; bullets and list markers at the start of a line are not part of it.
_SENT_BOUNDARY = re.compile(r"\n+|(?<=\D[.!?])\s+(?=[A-ZÄÖÜ0-9•\-–*])|(?<=[;•])\s+|\s+[•·▪►✓✔]\s*")
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
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in [*_SENT_BOUNDARY.finditer(text), None]:
        end = match.start() if match else len(text)
        if match and "\n" not in match.group(0) and _ABBREVIATION.search(text, max(0, end - 8), end):
            continue  # "z.B. Canva" is one sentence
        start = pos
        lead = _LEADING_JUNK.match(text, start, end)
        if lead:
            start = lead.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 2:
            spans.append((start, end))
        if match:
            pos = match.end()
    return spans


_TITLE_MAX = 120


def split_title(text: str) -> str:
    """The ad's first line when it looks like a title (short, no sentence end), else ``""``."""
    for line in text.lstrip().split("\n", 3)[:1]:
        lead = _LEADING_JUNK.match(line)
        line = line[lead.end() :].strip() if lead else line.strip()
        if 3 <= len(line) <= _TITLE_MAX and not line.endswith((".", ":", "!", "?")):
            return line
    return ""
