"""training.text: normalisation, match keys, plain text, language, sentences and titles."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training import text as text_module
from training.text import (
    detect_language,
    match_key,
    match_keys,
    normalize,
    sentence_spans,
    split_title,
    to_plain_text,
)

# --------------------------------------------------------------------------------------------
# normalize

INCLUSIVE_FORMS = [
    ("Social Media Manager:in", "social media manager"),
    ("Redakteur*innen gesucht", "redakteur gesucht"),
    ("Referent_in Kommunikation", "referent kommunikation"),
    ("Mitarbeiter/-in Marketing", "mitarbeiter marketing"),
    ("Mitarbeiter/innen Vertrieb", "mitarbeiter vertrieb"),
    ("Content Manager (m/w/d)", "content manager"),
    ("Content Creator (all genders)", "content creator"),
    ("Texter (w/m/d)", "texter"),
    ("Community Manager [m/f/d]", "community manager"),
    ("Social-Media-Redakteur*in (d/m/w)", "social-media-redakteur"),
    ("Online ManagerIn", "online manager"),
    ("RedakteurInnen", "redakteur"),
]

KEPT_AS_IS = [
    ("LinkedIn Kampagnen", "linkedin kampagnen"),
    ("Berlin und Köln", "berlin und köln"),
    ("Marketing/Innovation", "marketing/innovation"),
    ("Facebook/Instagram", "facebook/instagram"),
]


@pytest.mark.parametrize(("raw", "expected"), INCLUSIVE_FORMS)
def test_normalize_removes_gender_markers_and_inclusive_suffixes(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), KEPT_AS_IS)
def test_normalize_keeps_brands_and_ordinary_words(raw, expected):
    assert normalize(raw) == expected


HTML_AD = (
    "<html><head><title>Seite</title><style>p { color: red; }</style></head><body>"
    "<h2>Deine Aufgaben</h2><ul><li>Posts &amp; Stories planen</li><li>Community betreuen</li></ul>"
    "<p>Wir&nbsp;bieten <b>viel</b>.</p><script>var tracking = 1;</script></body></html>"
)


def test_normalize_renders_html_and_drops_scripts():
    out = normalize(HTML_AD)
    assert "deine aufgaben" in out
    assert "posts & stories planen" in out
    assert "wir bieten viel." in out
    assert "<" not in out
    assert "tracking" not in out
    assert "color" not in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("**Aufgaben**", "aufgaben"),
        ("## Dein Profil", "dein profil"),
        ("Mehr im [Blog](https://example.org/blog)", "mehr im blog"),
        ("Posts &amp; Stories", "posts & stories"),
        ("ＡＢＣ  Team\n\n\tKöln", "abc team köln"),  # NFKC full-width letters, whitespace collapsed
        ("Straße", "strasse"),  # case-folded
    ],
)
def test_normalize_markdown_entities_unicode(raw, expected):
    assert normalize(raw) == expected


def test_normalize_empty_string():
    assert normalize("") == ""


@pytest.mark.parametrize(
    "raw",
    ["招聘社交媒体经理，负责微博和微信账号。", "Менеджер по социальным сетям", "مدير وسائل التواصل الاجتماعي"],
)
def test_normalize_passes_non_latin_text_through(raw):
    out = normalize(raw)
    assert out == unicodedata.normalize("NFKC", raw).casefold()
    assert out.startswith(raw[:4].casefold())


# --------------------------------------------------------------------------------------------
# match_key

MATCH_KEYS = [
    ("Social-Media-Redakteur*in", "social media redakteur"),
    ("social media redakteur", "social media redakteur"),
    ("Social Media Manager:in (m/w/d)", "social media manager"),
    ("PR/Kommunikation", "pr kommunikation"),
    ("Content & Social Media – Manager", "content social media manager"),
    ("SEO-/SEA-Manager", "seo sea manager"),
    ("„Texter“ (w/m/d)!", "texter"),
    ("#Instagram & @TikTok", "instagram tiktok"),
    ("100% remote, 5€ + Jobrad", "100 remote 5 jobrad"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), MATCH_KEYS)
def test_match_key(raw, expected):
    assert match_key(raw) == expected


# match_key by its definition: the normalised text's runs of letters and digits, single-spaced.
_NOT_KEY = re.compile(r"[\W_]+")


def _match_key_by_definition(text: str) -> str:
    return " ".join(_NOT_KEY.sub(" ", normalize(text)).split())


@pytest.mark.parametrize("char", [chr(c) for c in range(256)] + ["\u2028", "–", "„", "ẞ", "ﬅ", "ł", "中"])
def test_match_key_of_every_latin1_character(char):
    # ASCII and Latin-1 keys take byte-table paths: they must split at exactly the characters the regex does.
    for raw in (f"ab{char}cd", f"{char}x", f"x{char}", char * 3, f"äb{char}cd", f"ab{char}c–d"):
        assert match_key(raw) == _match_key_by_definition(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Aa", "ß", " ", "\t", "\x1c", "\u00a0", "-", "/", ":", "(m/w/d)", ":in", "In", "*",
                                 "&amp;", "é", "„", "#", "_", "[x](y)", ">", "I"]), max_size=12).map("".join))
def test_match_key_agrees_with_its_definition(raw):
    assert match_key(raw) == _match_key_by_definition(raw)
    assert match_keys([raw, raw]) == [match_key(raw, rendered=True)] * 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Aa", "ß", "ü", " ", "\t", "-", ":in", "In", "*", "&amp;", "&#10;", "\n",
                                          "é", "„", "#", "_", "[x](y)", "Σ", "x"]), max_size=8).map("".join),
                max_size=6))
def test_match_keys_of_many_texts_equal_their_match_keys(raws):
    # One pass over the texts joined by line breaks; a text that brings its own line break goes text by text.
    assert match_keys(raws) == [match_key(raw, rendered=True) for raw in raws]


def test_match_key_makes_spelling_variants_equal():
    variants = ["Social-Media-Manager:in", "Social Media Manager*in (m/w/d)", "social media  manager", "SOCIAL MEDIA MANAGER"]
    assert {match_key(v) for v in variants} == {"social media manager"}


# --------------------------------------------------------------------------------------------
# to_plain_text

PLAIN_TEXTS = [
    "Social Media Manager (m/w/d)\n\nDu planst Posts auf Instagram.\n- Reporting\n",
    "  leading spaces, trailing spaces   \r\nWindows line end\ttab",
    "Ein einzelnes <b> ist noch keine Seite.",
    "Preis < 5 € und > 3 €",
    "",
]
MARKDOWN_TEXTS = [
    "## Deine Aufgaben\n\n- **Instagram** pflegen\n- [Blog](https://example.org) schreiben\n",
    "# Titel\n\n> Zitat\n\n1. Erstens\n2. Zweitens\n\n`code` und _kursiv_\n",
]


@pytest.mark.parametrize("raw", PLAIN_TEXTS + MARKDOWN_TEXTS)
def test_to_plain_text_returns_plain_text_and_markdown_unchanged(raw):
    out = to_plain_text(raw)
    assert out == raw
    assert out.encode("utf-8") == raw.encode("utf-8")


def test_to_plain_text_renders_html_to_lines():
    out = to_plain_text(HTML_AD)
    assert out.split("\n") == [
        "Deine Aufgaben",
        "",
        "- Posts & Stories planen",
        "- Community betreuen",
        "",
        "Wir bieten viel.",
    ]


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        ("<p>Eins</p><p>Zwei</p>", ["Eins", "", "Zwei"]),
        ("<div>Zeile 1<br>Zeile 2</div><div>Ende</div>", ["Zeile 1", "Zeile 2", "", "Ende"]),
        ("<ol><li>a</li><li>b</li></ol>", ["- a", "- b"]),
    ],
)
def test_to_plain_text_html_blocks_and_lists(html, lines):
    assert [line for line in to_plain_text(html).split("\n") if line] == [line for line in lines if line]


# --------------------------------------------------------------------------------------------
# detect_language

LANGUAGES = [
    ("Wir suchen eine engagierte Person für unser Team, die mit uns die Kommunikation auf Instagram und "
     "LinkedIn gestaltet und die Community betreut.", "de"),
    ("Deine Aufgaben: Du planst Beiträge für unsere Kanäle und bist die Stimme der Marke.", "de"),
    ("We are looking for a social media manager who will join our team and grow the community on our "
     "channels. You have experience with content.", "en"),
    ("Your role: you will plan posts and report on the results to the marketing team.", "en"),
    ("我们正在招聘一名社交媒体经理，负责公司的微博和微信账号，并与团队合作。", "other"),
    ("Мы ищем менеджера по социальным сетям для нашей команды в Берлине.", "other"),
    ("1234 !!!", "other"),
    ("", "other"),
    ("Social Media Manager", "other"),  # no function words: too little to tell
]


@pytest.mark.parametrize(("text", "expected"), LANGUAGES)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def _detect_language_by_definition(text: str) -> str:
    """detect_language as first written, one word at a time."""
    words = re.findall(r"[^\W\d_]+", text[:5000].casefold())
    if not words:
        return "other"
    latin = sum(1 for w in words if w.isascii() or all(c in "äöüß" or c.isascii() for c in w))
    if latin / len(words) < 0.6:
        return "other"
    de = sum(w in text_module._DE_WORDS for w in words)
    en = sum(w in text_module._EN_WORDS for w in words)
    if max(de, en) < 2 or max(de, en) / len(words) < 0.04:
        return "other"
    return "de" if de >= en else "en"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["und", "die", "für", "über", "the", "and", "you", "Team", "Straße", "ẞ", "café", "é",
                                 "мир", "日本", "²", "ª", "x1y", "_", "–", "„", "€", "\u0301", " ", ". ", "\n"]),
                max_size=30).map("".join))
def test_detect_language_agrees_with_its_definition(text):
    # Mostly Latin text takes a fast path (Latin-1 bytes); anything else the regex. Both must count the same.
    assert detect_language(text) == _detect_language_by_definition(text)


# --------------------------------------------------------------------------------------------
# sentence_spans

BULLETED_AD = (
    "Deine Aufgaben\n"
    "- Du planst Posts. Du betreust die Community!\n"
    "• Reporting der KPIs\n"
    "1. Erstens die Strategie\n"
    "\n"
    "  * Stern-Bullet mit Leerzeichen  \n"
    "## Profil\n"
    "Du hast 3 Jahre Erfahrung. Version 2.0 kennst du.\n"
    "Tools; Canva und Premiere ▪ CapCut"
)
BULLETED_SENTENCES = [
    "Deine Aufgaben",
    "Du planst Posts.",
    "Du betreust die Community!",
    "Reporting der KPIs",
    "Erstens die Strategie",
    "Stern-Bullet mit Leerzeichen",
    "Profil",
    "Du hast 3 Jahre Erfahrung.",
    "Version 2.0 kennst du.",
    "Tools;",
    "Canva und Premiere",
    "CapCut",
]


def check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert piece[0] not in "-•*#▪", piece
        previous_end = end


def test_sentence_spans_cut_readable_sentences():
    spans = sentence_spans(BULLETED_AD)
    check_spans(BULLETED_AD, spans)
    assert [BULLETED_AD[s:e] for s, e in spans] == BULLETED_SENTENCES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eins. Zwei! Drei?", ["Eins.", "Zwei!", "Drei?"]),
        ("Du kennst z.B. gängige Tools.", ["Du kennst z.B. gängige Tools."]),  # no split before lower case
        ("Ab 1.1.2026 in Köln", ["Ab 1.1.2026 in Köln"]),
        ("\n\n  \n", []),
        ("", []),
        ("-\n•\nOk", ["Ok"]),
    ],
)
def test_sentence_spans_small_cases(text, expected):
    spans = sentence_spans(text)
    check_spans(text, spans)
    assert [text[s:e] for s, e in spans] == expected


ABBREVIATED = [
    "Du kennst Tools wie z.B. Canva und Figma.",
    "Du betreust Facebook bzw. Instagram für unsere Marken.",
    "Die Stelle umfasst ca. 30 Stunden pro Woche.",
]


@pytest.mark.parametrize("text", ABBREVIATED)
def test_sentence_spans_do_not_split_after_abbreviations(text):
    assert [text[s:e] for s, e in sentence_spans(text)] == [text]


def test_sentence_spans_offsets_point_into_crlf_text():
    text = "Aufgaben\r\n- Posts planen\r\n- Reporting\r\n"
    spans = sentence_spans(text)
    check_spans(text, spans)
    assert [text[s:e] for s, e in spans] == ["Aufgaben", "Posts planen", "Reporting"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A bullet on the next line takes the whitespace before it into its boundary, so "3)" is not followed by
        # the whitespace that would make it a list number.
        ("- 3) \n• Bar", ["3)", "Bar"]),
        ("- 3) \nBar", ["Bar"]),
        ("Foo \n\n  • Bar", ["Foo", "Bar"]),
        ("z.B. \nfoo", ["z.B.", "foo"]),  # a line break always ends a sentence, abbreviation or not
        ("Du kennst z.B.\nCanva.", ["Du kennst z.B.", "Canva."]),
        ("Aufgaben\r\n- Posts.\r\n  • Reporting", ["Aufgaben", "Posts.", "Reporting"]),
        ("1.\t\n▪ Eins", ["1.", "Eins"]),
    ],
)
def test_sentence_spans_at_line_ends(text, expected):
    spans = sentence_spans(text)
    check_spans(text, spans)
    assert [text[s:e] for s, e in spans] == expected


# sentence_spans as first written: every match of the boundary regex, one at a time.
_SENT_BOUNDARY = re.compile(r"\n+|(?<=\D[.!?])\s+(?=[A-ZÄÖÜ0-9•\-–*])|(?<=[;•])\s+|\s+[•·▪►✓✔]\s*")


def _sentence_spans_by_definition(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for match in [*_SENT_BOUNDARY.finditer(text), None]:
        end = match.start() if match else len(text)
        if match and "\n" not in match.group(0) and text_module._ABBREVIATION.search(text, max(0, end - 8), end):
            continue
        start = pos
        lead = text_module._LEADING_JUNK.match(text, start, end)
        if lead:
            start = lead.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 2:
            spans.append((start, end))
        if match:
            pos = match.end()
    return spans


SENTENCE_PIECES = ["Wir", "suchen", "dich", "A", "3", "10", "z.B.", "Dr.", "e.g.", "ca.", ".", "!", "?", ";", ":", " ",
                   "  ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00a0", "\u2028", "•", "·", "▪", "►", "✓", "✔", "-",
                   "–", "*", "#", ">", "|", "1.", "2)", "Ä", "ß"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=40).map("".join))
def test_sentence_spans_agree_with_the_boundary_regex(text):
    # Lines without in-line marks are split without the regex; the result must be the same.
    assert sentence_spans(text) == _sentence_spans_by_definition(text)


def test_sentence_spans_of_crlf_and_bulleted_ads_agree_with_the_boundary_regex():
    for text in (BULLETED_AD, BULLETED_AD.replace("\n", "\r\n"), BULLETED_AD.replace("\n", " \n • ")):
        assert sentence_spans(text) == _sentence_spans_by_definition(text)


# --------------------------------------------------------------------------------------------
# split_title

TITLES = [
    ("Social Media Manager (m/w/d)\nWir suchen dich.", "Social Media Manager (m/w/d)"),
    ("\n\n  - Content Manager:in\nText", "Content Manager:in"),
    ("## Online Redakteur*in\n\nText", "Online Redakteur*in"),
    ("Wir suchen ab sofort eine Person.\nMehr Text", ""),
    ("Deine Aufgaben:\n- Posts", ""),
    ("Bist du bereit?\nText", ""),
    ("PR\nText", ""),  # too short
    ("x" * 121 + "\nText", ""),  # too long
    ("x" * 120 + "\nText", "x" * 120),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), TITLES)
def test_split_title(text, expected):
    assert split_title(text) == expected
