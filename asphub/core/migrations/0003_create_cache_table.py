# The database cache's table (settings.DATABASE_CACHE_TABLE), which holds the shared cache when
# no REDIS_URL is set: made by every `migrate` (make run, the test database, a deployment),
# whatever CACHES says at that moment, so that switching from Redis back to the database works.

import io

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "asphub_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable(stdout=io.StringIO())
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_entry_moved_to_audit_app")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
