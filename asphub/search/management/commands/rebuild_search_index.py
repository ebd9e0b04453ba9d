"""manage.py rebuild_search_index [--kind KIND ...]: write the search index again from the
objects themselves (after a bulk load that bypassed the services, a restore, or a change of
the analyzer). Each kind is emptied and rebuilt in one transaction, so searches never see it
half built."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from asphub.search.registry import registered_kinds
from asphub.search.services import remove_kind


class Command(BaseCommand):
    help = "Rebuild the search index from the indexed objects."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", default=[], help="only this kind")

    def handle(self, *args, **options):
        kinds = registered_kinds()
        wanted = options["kind"] or sorted(kinds)
        unknown = sorted(set(wanted) - set(kinds))
        if unknown:
            raise CommandError(f"Unknown kinds: {', '.join(unknown)} (known: {', '.join(kinds)})")
        for kind in wanted:
            with transaction.atomic():
                removed = remove_kind(kind)
                written = kinds[kind]()
            self.stdout.write(f"{kind}: {written} documents (was {removed})")
        if connection.vendor == "sqlite":
            # Merge the FTS5 index's segments: the many small ones a rebuild leaves are slower
            # to search.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO search_searchdocument_fts (search_searchdocument_fts) "
                    "VALUES ('optimize')"
                )
