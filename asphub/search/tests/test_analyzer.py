"""The one analyzer (asphub.core.text.search_term) and the query parser built on it."""

import pytest

from asphub.core.text import search_terms
from asphub.search.query import MAX_TERMS, parse_query


@pytest.mark.parametrize(
    "forms",
    [
        ["skolā", "skola", "skolas", "SKOLAS", "skolām", "skolu", "Skolai"],
        ["izglītība", "izglitibas", "izglītības", "IZGLĪTĪBU"],
        ["ilgtspējīgas attīstības", "ilgtspejiga attistiba", "Ilgtspējīgā attīstībā"],
        ["ģimnāzijas", "gimnazija", "ĢIMNĀZIJĀ"],
        ["Cēsu", "cesis", "Cēsīs"],
        ["ūdens", "udens", "ūdeņi"],
        ["school", "schools", "SCHOOLS"],
        ["heritage", "Heritage"],
    ],
)
def test_inflected_forms_with_or_without_diacritics_and_in_any_case_are_one_term(forms):
    assert len({tuple(search_terms(form)) for form in forms}) == 1, forms


def test_different_words_stay_different():
    assert search_terms("skola") != search_terms("skolotājs")
    assert search_terms("Rīga") != search_terms("Riebiņi")


def test_words_are_letters_and_digits_only():
    assert search_terms("Rīgas 2.ģimnāzija, foo_bar; e-pasts") == [
        "rig", "2", "gimnazij", "foo", "bar", "e", "past",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["", "   ", '"', '""', "***", "-", "()", ":^", "\x00", "— … ·", "%_\\"],
)
def test_a_query_without_letters_or_digits_is_empty(query):
    assert not parse_query(query)


def test_words_phrases_and_the_last_word_as_a_prefix():
    parsed = parse_query('Rīgas "valsts ģimnāzija" vidussk')
    assert [group.terms for group in parsed.groups] == [
        ("rig",), ("valst", "gimnazij"), ("vidussk",),
    ]  # fmt: skip
    assert [group.prefix for group in parsed.groups] == ["", "", "vidussk"]
    assert parsed.fts5() == '"rig" AND "valst gimnazij" AND "vidussk"*'
    assert parsed.tsquery() == "'rig' & ('valst' <-> 'gimnazij') & 'vidussk':*"


def test_a_finished_last_word_or_a_short_one_is_not_a_prefix():
    assert not parse_query("skola ").groups[0].prefix
    assert not parse_query("ab").groups[0].prefix
    assert not parse_query('"skola"').groups[0].prefix


def test_the_number_of_terms_is_bounded():
    parsed = parse_query(" ".join(f"vārds{n}" for n in range(100)) + ' "a b c d e f g h i j k l m"')
    assert sum(len(group.terms) for group in parsed.groups) == MAX_TERMS


def test_operators_are_words_or_separators_never_syntax():
    parsed = parse_query('NEAR(a b) OR c AND NOT -d* ^e f:g "h')
    for written in (parsed.fts5(), parsed.tsquery()):
        # Every term is quoted; no operator of the visitor's survives outside quotes.
        outside = "".join(written.split('"')[0::2]) if '"' in written else written
        assert "NEAR" not in outside and "^" not in written and "-" not in written
    assert [group.terms for group in parsed.groups][:3] == [("near",), ("a",), ("b",)]
