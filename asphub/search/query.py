"""A visitor's query, parsed into analyzed terms and written for each database.

Syntax: words (all must match, in any order, in the title or the body), "quoted phrases" (the
words next to each other, in this order), and the last word also matches as the start of a
word while it is being typed ("vidussk" finds "vidusskola"). Nothing else is syntax: FTS5 and
tsquery operators (AND, OR, NOT, NEAR, *, ^, :, -, +, parentheses, quotes left open) are
either separators or ordinary words, because each database's query string is written here,
from analyzed terms only (letters and digits), never from the visitor's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asphub.core.text import MAX_TERM_LENGTH, plain_words, search_term

# Bounds, so that a 10 kB query costs what a short one does.
MAX_QUERY_CHARS = 500
MAX_TERMS = 12
# The last word matches word starts from this many letters on (fewer would match half the
# index; FTS5 keeps a prefix index for 2 and 3 letters, migration 0001).
MIN_PREFIX = 3

_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Group:
    """Terms that must occur together: one word (len 1) or a phrase, and for the query's
    last word the plain form that may also start a word."""

    terms: tuple[str, ...]
    prefix: str = ""


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[Group, ...]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        """The MATCH expression for SQLite FTS5: every term is a double-quoted string, which
        FTS5 never reads as an operator; terms hold letters and digits only."""
        parts = []
        for group in self.groups:
            quoted = '"' + " ".join(group.terms) + '"'
            if group.prefix == group.terms[0]:
                quoted += "*"
            elif group.prefix:
                quoted = f'({quoted} OR "{group.prefix}"*)'
            parts.append(quoted)
        return " AND ".join(parts)

    def tsquery(self) -> str:
        """The argument of to_tsquery('simple', ...) for PostgreSQL: single-quoted lexemes
        (letters and digits only) joined with & and, for phrases, <->."""
        parts = []
        for group in self.groups:
            text = " <-> ".join(f"'{term}'" for term in group.terms)
            if len(group.terms) > 1:
                text = f"({text})"
            if group.prefix == group.terms[0]:
                text += ":*"
            elif group.prefix:
                text = f"({text} | '{group.prefix}':*)"
            parts.append(text)
        return " & ".join(parts)


def parse_query(query: str) -> ParsedQuery:
    """Words and quoted phrases of a query, analyzed like the indexed text, at most MAX_TERMS
    terms. A query without letters or digits is empty (it matches everything)."""
    text = (query or "")[:MAX_QUERY_CHARS]
    pieces: list[tuple[bool, list[str]]] = []  # (is a phrase, plain words)
    position = 0
    for match in _PHRASE.finditer(text):
        pieces.append((False, plain_words(text[position : match.start()])))
        pieces.append((True, plain_words(match.group(1))))
        position = match.end()
    tail = text[position:]
    pieces.append((False, plain_words(tail)))
    groups: list[Group] = []
    budget = MAX_TERMS
    last_word: tuple[int, str] | None = None
    for is_phrase, words in pieces:
        if is_phrase and words:
            terms = tuple(search_term(word) for word in words[:budget])
            budget -= len(terms)
            groups.append(Group(terms))
            last_word = None
        else:
            for word in words[:budget]:
                groups.append(Group((search_term(word),)))
                budget -= 1
                last_word = (len(groups) - 1, word)
        if budget <= 0:
            break
    # Typing-ahead on the last word only if it is the end of the query (not inside a phrase,
    # and not followed by a space: "skola " is a finished word).
    if last_word is not None and not text.endswith((" ", '"')):
        index, word = last_word
        if len(word) >= MIN_PREFIX:
            groups[index] = Group(groups[index].terms, prefix=word[:MAX_TERM_LENGTH])
    return ParsedQuery(tuple(_unique(groups)))


def _unique(groups: list[Group]) -> list[Group]:
    seen: set[Group] = set()
    kept = []
    for group in groups:
        if group not in seen:
            seen.add(group)
            kept.append(group)
    return kept


def facet_token(name: str, value: str) -> str:
    """The full-text token of one facet value: "f" and `name=value` in hex (UTF-8), so that
    both FTS5 and PostgreSQL read it as one word of letters and digits, whatever the value
    holds (it is always matched whole, never as a prefix). Migration 0004 computes the same
    in SQL."""
    return "f" + f"{name}={value}".encode().hex()
