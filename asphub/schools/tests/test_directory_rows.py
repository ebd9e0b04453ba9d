"""The directory's rows, written in Python (views._school_cards), against the template include
they replaced: the same markup, escaping included, in both languages."""

import pytest
from django.template import engines
from django.utils import translation

from asphub.schools.selectors import school_directory, school_directory_page
from asphub.schools.views import _prepare_rows, _school_cards

from .factories import FlagshipFactory, SchoolFactory, SubdivisionFactory

pytestmark = pytest.mark.django_db

# includes/_school_card.html and includes/_localized_inline.html as they were, one per school.
OLD_CARD = (
    '{% load i18n %}<li class="school-card">\n'
    '  <h3><a href="{{ school.profile_url }}">{{ school.name }}</a></h3>\n'
    '  <p class="meta">{{ school.institution_type_label }}{% if school.subdivision %} · '
    "{{ school.subdivision.name }}{% endif %}{% if school.settlement and "
    "school.subdivision.name != school.settlement %} ({{ school.settlement }}){% endif %}</p>\n"
    '  <p class="tags"><span class="badge badge-{{ school.membership_status }}">'
    "{{ school.membership_status_label }}</span>{% if school.ownership %} "
    '<span class="badge">{{ school.ownership_label }}</span>{% endif %}'
    "{% for flagship in school.flagship_networks.all %} "
    '<span class="badge badge-flagship">{% with text=flagship.name %}{% if text.is_fallback %}'
    '<span lang="{{ text.language }}">{{ text.text }}</span>{% else %}{{ text.text }}'
    "{% endif %}\n{% endwith %}</span>{% endfor %}</p>\n"
    "</li>\n"
)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_rows_are_written_as_the_template_wrote_them(latvia, language):
    riga = SubdivisionFactory(country=latvia, code="LV-ZZ1", name="Rīga")
    other = SubdivisionFactory(country=latvia, code="LV-ZZ2", name='Novads <b>"&"</b>')
    only_latvian = FlagshipFactory(slug="only-lv", name_lv="Tikai latviski", name_en="", position=2)
    both = FlagshipFactory(slug="both", name_lv="Abi <i>", name_en="Both <i>", position=1)
    tagged = SchoolFactory(country=latvia, subdivision=riga, settlement="Rīga", name="A <x>")
    tagged.flagshipparticipation_set.create(flagship=only_latvian)
    tagged.flagshipparticipation_set.create(flagship=both)
    SchoolFactory(country=latvia, subdivision=other, settlement="Tukums & co", name="B 'q'")
    SchoolFactory(country=latvia, subdivision=None, settlement="", ownership="", name="C")
    SchoolFactory(country=latvia, subdivision=None, settlement="Ciems", name="D")
    with translation.override(language):
        page = school_directory_page(
            queryset=school_directory(), query="", filters={}, number=None, per_page=24
        )
        schools = list(school_directory())
        _prepare_rows(schools)
        template = engines["django"].from_string(OLD_CARD)
        expected = "".join(template.render({"school": school}) for school in schools)
        assert len(page.object_list) == 4
        assert _school_cards(page.object_list) == expected
