"""Text keys for searching and sorting names the way Latvian readers expect.

Search ignores diacritics and Latvian inflection ("cesu" finds "Cēsu", "tehnikumā" finds
"tehnikums"); sorting follows the Latvian alphabet (A < Ā < B < C < Č ...). Both are stored as
plain columns so that SQLite and PostgreSQL filter and order identically and use indexes.

`search_term` is the platform's one search analyzer (asphub.search): every word of an indexed
text and every word of a query becomes the same term, so the databases' full-text engines only
ever compare finished terms and never analyze anything themselves.
"""

from __future__ import annotations

import re
import unicodedata

from LatvianStemmer import stem as latvian_stem

_WORD = re.compile(r"\w+", re.UNICODE)
# Letters and digits only: "_" would be a separator for SQLite's and PostgreSQL's parsers, which
# must see each term as one token.
_TERM_WORD = re.compile(r"[^\W_]+")
# Longer "words" are noise (a pasted hash, a URL without punctuation); PostgreSQL refuses
# lexemes over 2 kB. Cut to the same length on both sides, they still match each other.
MAX_TERM_LENGTH = 60

# The Latvian alphabet; letters outside it (q, w, x, y, other accents) sort after their base letter.
LATVIAN_ALPHABET = "aābcčdeēfgģhiījkķlļmnņoprsštuūvzž"
_FOREIGN_AFTER = {"q": "p", "w": "v", "x": "v", "y": "v"}


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def search_tokens(text: str) -> list[str]:
    """Every word's diacritic-free form and its diacritic-free Latvian stem."""
    tokens: list[str] = []
    for word in words(text):
        for form in (strip_diacritics(word), strip_diacritics(latvian_stem(word))):
            if form and form not in tokens:
                tokens.append(form)
    return tokens


def search_term(word: str) -> str:
    """One word as a search term: lower case, without diacritics, its Latvian stem.

    Diacritics go first, so that a word typed without them ("izglitibas") stems exactly as
    the written one ("izglītības" -> "izglitib"). English words pass through the same steps
    ("schools" -> "school"): the same on both sides, so English queries find English text."""
    plain = strip_diacritics(word.casefold())
    return (latvian_stem(plain) or plain)[:MAX_TERM_LENGTH]


def plain_words(text: str) -> list[str]:
    """The words of a text, lower case, without diacritics (the input of `search_term`)."""
    return _TERM_WORD.findall(strip_diacritics(text.casefold()))


def search_terms(text: str) -> list[str]:
    """Every word of a text as a search term, in order (phrases are adjacent terms)."""
    return [search_term(word) for word in plain_words(text)]


def search_document(text: str) -> str:
    """The stored search column: tokens between spaces, so ' token' finds a word prefix."""
    return " " + " ".join(search_tokens(text)) + " "


def query_terms(query: str) -> list[tuple[str, ...]]:
    """For each word of a query, the forms any of which must start a word of the document."""
    terms = []
    for word in words(query)[:8]:
        plain = strip_diacritics(word)
        stemmed = strip_diacritics(latvian_stem(word))
        terms.append(tuple(dict.fromkeys(f for f in (stemmed, plain) if f)))
    return terms


def _letter_key(ch: str) -> str:
    if ch.isdigit():
        return "0" + ch
    position = LATVIAN_ALPHABET.find(ch)
    if position >= 0:
        return chr(ord("A") + position) + "0"
    base = strip_diacritics(ch)
    if base and base in LATVIAN_ALPHABET:
        return chr(ord("A") + LATVIAN_ALPHABET.find(base)) + "1"
    if base in _FOREIGN_AFTER:
        return chr(ord("A") + LATVIAN_ALPHABET.find(_FOREIGN_AFTER[base])) + "2"
    if ch.isspace():
        return "  "
    return "~~" if ch.isalpha() else ""


def latvian_sort_key(text: str) -> str:
    """A key whose plain byte order is Latvian alphabetical order, case-insensitive."""
    return "".join(_letter_key(ch) for ch in " ".join(words(text)))[:255]
