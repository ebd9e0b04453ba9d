import pytest
from django.core.exceptions import ValidationError

from asphub.core.text import latvian_sort_key, query_terms, search_document
from asphub.core.validators import validate_single_line


def _matches(query: str, name: str) -> bool:
    document = search_document(name)
    return all(any(f" {form}" in document for form in forms) for forms in query_terms(query))


def test_search_ignores_diacritics_and_case():
    assert _matches("cesu", "Cēsu Pilsētas vidusskola")
    assert _matches("CĒSU", "Cēsu Pilsētas vidusskola")


def test_search_ignores_latvian_inflection():
    assert _matches("ģimnāzijas", "Daugavpils Valsts ģimnāzija")
    assert _matches("tehnikumā", "Kuldīgas Tehnoloģiju un tūrisma tehnikums")
    assert _matches("gimnazija", "Talsu Valsts ģimnāzija")


def test_search_needs_every_word():
    assert _matches("rigas gimnazija", "Rīgas Valsts 2.ģimnāzija")
    assert not _matches("rigas tehnikums", "Rīgas Valsts 2.ģimnāzija")


def test_search_matches_word_starts_only():
    assert not _matches("skola", "Brocēnu vidusskola")


def test_latvian_alphabet_puts_long_and_caron_letters_after_their_base():
    names = [
        "Čiekurkalns",
        "Cēsis",
        "Ādaži",
        "Brocēni",
        "Alsunga",
        "Zilupe",
        "Žagare",
        "Saldus",
        "Šķēde",
    ]
    ordered = sorted(names, key=latvian_sort_key)
    assert ordered == [
        "Alsunga", "Ādaži", "Brocēni", "Cēsis", "Čiekurkalns", "Saldus", "Šķēde", "Zilupe", "Žagare",
    ]  # fmt: skip


def test_sort_is_case_insensitive_and_numbers_come_first():
    assert sorted(["rīga", "Rīga 2", "Rīga 10"], key=latvian_sort_key)[0] == "rīga"
    assert latvian_sort_key("Rīgas 74. vidusskola") < latvian_sort_key("Rīgas Jauno tehniķu centrs")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u2066", "\u202c"])
def test_line_separators_and_direction_isolates_are_not_one_line_text(separator):
    with pytest.raises(ValidationError):
        validate_single_line(f"Skola{separator}Evil")
