"""The platform's search index: one row per searchable thing (a school, a practice, ...).

Each row holds the thing's text already analyzed by asphub.core.text.search_terms, so that
SQLite's FTS5 and PostgreSQL's tsvector only store and compare finished terms:

* SQLite: the FTS5 table `search_searchdocument_fts`, an external-content index over
  `title_terms` and `body_terms`, kept current by triggers (migration 0001);
* PostgreSQL: the generated column `vector` (title weighted A, body B) with a GIN index,
  which PostgreSQL itself recomputes on every write (migration 0001).

Both also index `facet_terms`, a token per facet value of the document (FTS5's column of that
name; PostgreSQL's generated `facet_vector`, migration 0004), so that filters are intersected
by the full-text index like query words rather than by temporary tables of ids.

Neither is a model field: the ORM never reads or writes them (asphub.search.selectors does).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """What the search engine knows of one object of one kind: its analyzed title and body,
    how it sorts, and its facets. The owning app writes it (asphub.search.services) in the
    same transaction as the object."""

    kind = models.CharField(_("kind"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("object"))
    title_terms = models.TextField(_("title terms"), blank=True)
    body_terms = models.TextField(_("body terms"), blank=True)
    # One token per facet value (asphub.search.services.facet_token), so that a filter is
    # matched by the full-text index itself, intersected with the query there.
    facet_terms = models.TextField(_("facet terms"), blank=True, db_default="")
    sort_title = models.CharField(_("sort key of the title"), max_length=255, blank=True)
    sort_date = models.DateTimeField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_document_unique_object"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "sort_title", "object_id"], name="search_doc_kind_title"),
            # "Newest" (sort_date DESC NULLS LAST, id DESC) walks this one backwards on SQLite,
            # where NULLs sort first, so last in a descending order (and an index cannot say
            # NULLS LAST there); PostgreSQL has its own, in that order (migration 0002).
            models.Index(fields=["kind", "sort_date", "id"], name="search_doc_kind_date"),
            # Everything a search reads of a document once it has its id, without touching
            # the wide row (terms of 5 kB): the join from full-text matches reads this.
            models.Index(
                fields=["id", "kind", "object_id", "sort_date", "sort_title"],
                name="search_doc_narrow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchFacet(models.Model):
    """One value of one facet of a document ("country" = "LV"); a facet may have several."""

    document = models.ForeignKey(
        SearchDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="facets",
    )
    name = models.CharField(_("facet"), max_length=30)
    value = models.CharField(_("value"), max_length=100)

    class Meta:
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "name", "value"], name="search_facet_unique_value"
            )
        ]
        indexes = [
            # Filtering: the documents that have name = value (covering: no table lookup).
            models.Index(fields=["name", "value", "document"], name="search_facet_filter"),
        ]
        # Counting the facets of a set of documents walks the unique constraint's index
        # (document, name, value), which covers that query too.

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class SearchFacetCount(models.Model):
    """How many documents of a kind have a facet value, kept by asphub.search.services in the
    same transaction as the documents, so that the page with neither query nor filter (the
    most visited one) reads its facets' counts here instead of counting a million facet rows.
    The row with an empty name and value counts the kind's documents."""

    kind = models.CharField(_("kind"), max_length=30)
    name = models.CharField(_("facet"), max_length=30, blank=True)
    value = models.CharField(_("value"), max_length=100, blank=True)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("search facet count")
        verbose_name_plural = _("search facet counts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name", "value"], name="search_facet_count_unique"
            )
        ]
        indexes = [
            # A facet's most frequent values, read in order from here (the "school" facet
            # has thousands).
            models.Index(fields=["kind", "name", "-count", "value"], name="search_facet_count_top")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}={self.value}: {self.count}"
