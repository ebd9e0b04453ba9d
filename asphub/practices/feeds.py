"""The library's Atom feed: the newest published items (of one country, with ?country=LV).

Titles and summaries are what their authors typed, sent as text: a feed reader shows
"<script>" as those characters, never as markup (Django's Atom feed marks summaries as HTML,
so the summary is written here as text instead)."""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from asphub.countries.models import Country

from .models import Practice
from .oai import oai_identifier, xml_text
from .selectors import published_practices

FEED_ITEMS = 50
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


class TextSummaryAtomFeed(Atom1Feed):
    """Atom with each entry's summary as plain text (type="text")."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})


class LibraryFeed(Feed):
    feed_type = TextSummaryAtomFeed

    def get_object(self, request, *args, **kwargs) -> Country | None:
        code = request.GET.get("country", "").strip()
        if not code:
            return None
        if not _COUNTRY_CODE.fullmatch(code):
            raise Http404
        return Country.objects.get(code=code.upper())  # DoesNotExist: the feed answers 404

    def title(self, country: Country | None) -> str:
        if country is None:
            return _("Library of good practice: newly published")
        return _("Library of good practice: newly published in %(country)s") % {
            "country": country.name
        }

    def subtitle(self, country: Country | None) -> str:
        return _(
            "Good-practice examples and teaching materials of the UNESCO Associated Schools "
            "Network, reviewed and published."
        )

    def link(self, country: Country | None) -> str:
        return reverse("practices:catalogue")

    def feed_url(self, country: Country | None) -> str:
        url = reverse("practices:feed")
        return f"{url}?country={country.code}" if country is not None else url

    def items(self, country: Country | None) -> QuerySet[Practice]:
        items = published_practices()
        if country is not None:
            items = items.filter(country=country)
        return (
            items.select_related("school")
            .prefetch_related("thematic_areas")
            .order_by("-published_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item: Practice) -> str:
        return xml_text(item.display_title)

    def item_description(self, item: Practice) -> str:
        return xml_text(item.display_summary)

    def item_link(self, item: Practice) -> str:
        return reverse("practices:detail", kwargs={"pk": item.pk})

    def item_guid(self, item: Practice) -> str:
        # The same in every language and at every address of the site, as in OAI-PMH.
        return oai_identifier(item.pk)

    def item_pubdate(self, item: Practice):
        return item.published_at

    def item_updateddate(self, item: Practice):
        return item.updated_at

    def item_author_name(self, item: Practice) -> str | None:
        names = [item.authors, item.school.name if item.school else ""]
        return xml_text(", ".join(name for name in names if name)) or None

    def item_categories(self, item: Practice) -> list[str]:
        return [xml_text(area.name) for area in item.thematic_areas.all()]

    def item_copyright(self, item: Practice) -> str:
        return item.get_licence_display()
