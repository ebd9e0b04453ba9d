"""sitemap.xml: the public pages, every listed school's profile and every published library item.
Only what any visitor may open is listed (a draft, an applicant or an archived item never is);
each section is paginated by Django (at most 50,000 addresses per file, under an index)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation

from asphub.practices.sitemaps import PracticeSitemap
from asphub.schools.selectors import public_schools
from asphub.taxonomy.models import FlagshipNetwork


def _address(name: str, **kwargs) -> str:
    # The sitemap is read outside the language prefixes: the crawler's own language preference
    # must not change the addresses it is given (each page names its other languages itself).
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs or None)


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "pages:home",
            "pages:about",
            "pages:join",
            "schools:directory",
            "schools:map",
            "pages:flagship_list",
            "practices:catalogue",
        ]

    def location(self, item: str) -> str:
        return _address(item)


class SchoolSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return public_schools().only("slug", "updated_at").order_by("pk")

    def location(self, school) -> str:
        return _address("schools:detail", slug=school.slug)

    def lastmod(self, school):
        return school.updated_at


class FlagshipSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.4

    def items(self):
        return FlagshipNetwork.objects.only("slug").order_by("pk")

    def location(self, flagship) -> str:
        return _address("pages:flagship_detail", slug=flagship.slug)


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "schools": SchoolSitemap,
    "flagships": FlagshipSitemap,
    "library": PracticeSitemap,
}
