"""The library's entries in sitemap.xml: each published item's page (archived items keep their
page but leave the sitemap, as they leave lists and feeds; drafts are never in it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from .models import Practice
from .selectors import published_practices


class PracticeSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    # Not Sitemap.i18n: it reads every item into memory for each page of the sitemap. The
    # default language's address is listed; each page names its other languages itself.
    limit = 10_000

    def items(self) -> QuerySet[Practice]:
        return published_practices().only("pk", "updated_at").order_by("pk")

    def location(self, item: Practice) -> str:
        # The sitemap is read outside the language prefixes: the crawler's own language
        # preference must not change the addresses it is given.
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("practices:detail", kwargs={"pk": item.pk})

    def lastmod(self, item: Practice):
        return item.updated_at


SITEMAPS = {"practices": PracticeSitemap}
