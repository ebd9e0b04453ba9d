"""The public directory in the search index (asphub.search, kind "school"):

1. database triggers that take a school's document out of the index when the school is
   deleted or leaves the public statuses, whatever makes the change (QuerySet.update(), raw
   SQL, another program): the index never lists a school the public may not see. Adding and
   updating documents needs the analyzer, in Python (asphub.schools.models.School.save and
   school_search_refresh). On SQLite, Django rebuilds a table to alter most of it, which drops
   its triggers: a later migration that alters schools_school must create these again, like
   the page cache's (0003); asphub/schools/tests/test_search.py checks they are in place.
2. the documents of the schools public now, written with the historical models and the
   analyzer (asphub.core.text, which holds no models).
"""

from django.db import migrations

from asphub.core.text import search_terms

# asphub.schools.models.PUBLIC_STATUSES when this migration was written.
PUBLIC_STATUSES = ("candidate", "member", "dormant")
KIND = "school"
POSTGRESQL_FUNCTION = "schools_school_search_unlist"
SQLITE_DELETE = "schools_school_search_unlist_delete"
SQLITE_STATUS = "schools_school_search_unlist_status"
UNLIST = (
    "DELETE FROM search_searchfacet WHERE document_id IN "
    f"(SELECT id FROM search_searchdocument WHERE kind = '{KIND}' AND object_id = OLD.id);\n"
    f"  DELETE FROM search_searchdocument WHERE kind = '{KIND}' AND object_id = OLD.id;"
)
NOT_PUBLIC = "NEW.membership_status NOT IN ({})".format(
    ", ".join(f"'{status}'" for status in PUBLIC_STATUSES)
)


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {POSTGRESQL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {UNLIST}\n  RETURN NULL;\nEND\n$$"
        )
        schema_editor.execute(
            "CREATE TRIGGER search_unlist_delete AFTER DELETE ON schools_school "
            f"FOR EACH ROW EXECUTE FUNCTION {POSTGRESQL_FUNCTION}()"
        )
        schema_editor.execute(
            "CREATE TRIGGER search_unlist_status AFTER UPDATE OF membership_status "
            f"ON schools_school FOR EACH ROW WHEN ({NOT_PUBLIC}) "
            f"EXECUTE FUNCTION {POSTGRESQL_FUNCTION}()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {SQLITE_DELETE} AFTER DELETE ON schools_school\nBEGIN\n  {UNLIST}\nEND"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {SQLITE_STATUS} AFTER UPDATE OF membership_status "
            f"ON schools_school WHEN {NOT_PUBLIC}\nBEGIN\n  {UNLIST}\nEND"
        )
    else:
        raise RuntimeError(f"The search triggers exist for SQLite and PostgreSQL, not {vendor}.")


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for trigger in ("search_unlist_delete", "search_unlist_status"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON schools_school")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {POSTGRESQL_FUNCTION}()")
    elif vendor == "sqlite":
        for trigger in (SQLITE_DELETE, SQLITE_STATUS):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def _terms(*texts: str) -> str:
    return " ".join(term for text in texts if text for term in search_terms(text))


def index_public_schools(apps, schema_editor) -> None:
    School = apps.get_model("schools", "School")
    Participation = apps.get_model("schools", "FlagshipParticipation")
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchFacet = apps.get_model("search", "SearchFacet")
    schools = School.objects.filter(membership_status__in=PUBLIC_STATUSES).select_related(
        "country", "subdivision"
    )
    flagships: dict[int, list[str]] = {}
    for school_id, slug in Participation.objects.values_list("school_id", "flagship__slug"):
        flagships.setdefault(school_id, []).append(slug)
    for school in schools.iterator(chunk_size=1000):
        subdivision, country = school.subdivision, school.country
        document = SearchDocument.objects.create(
            kind=KIND,
            object_id=school.pk,
            title_terms=_terms(school.name),
            body_terms=_terms(
                school.settlement,
                subdivision.name if subdivision else "",
                country.name_lv,
                country.name_en,
            ),  # fmt: skip
            sort_title=school.sort_key,
            sort_date=school.created_at,
        )
        facets = {
            ("country", country.code),
            ("institution_type", school.institution_type),
            ("ownership", school.ownership),
            ("status", school.membership_status),
            *(("flagship", slug) for slug in flagships.get(school.pk, [])),
        }
        if subdivision:
            facets.add(("subdivision", subdivision.code))
        SearchFacet.objects.bulk_create(
            SearchFacet(document=document, name=name, value=value)
            for name, value in sorted(facets)
            if value
        )


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0009_withdrawal_requests"),
        ("search", "0001_create_search_index"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(index_public_schools, migrations.RunPython.noop),
    ]
