import json

from django.conf import settings
from django.core.management.base import BaseCommand

from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.countries.services import countries_load_iso, subdivisions_load_iso
from asphub.pages.services import pages_load_defaults
from asphub.schools.services import schools_import
from asphub.taxonomy.services import reference_data_load

DATA_DIR = settings.BASE_DIR / "data"


class Command(BaseCommand):
    help = (
        "Load the reference data and Latvia's national network (schools, pages). Safe to run "
        "again: it only adds what is missing and never overwrites edits made in the platform."
    )

    def handle(self, *args, **options):
        self.stdout.write("Loading countries (ISO 3166-1)...")
        created = countries_load_iso()
        self.stdout.write(f"  {created} countries added")
        reference = json.loads((DATA_DIR / "reference.json").read_text(encoding="utf-8"))
        self.stdout.write("Loading themes, pillars, goals, international days, flagships...")
        for kind, count in reference_data_load(reference).items():
            if kind != "countries":
                self.stdout.write(f"  {kind}: {count} added")
        latvia = Country.objects.get(code="LV")
        self.stdout.write("Loading Latvia's municipalities (ISO 3166-2:LV)...")
        self.stdout.write(f"  {subdivisions_load_iso(latvia)} municipalities added")
        pages = json.loads((DATA_DIR / "pages.json").read_text(encoding="utf-8"))
        self.stdout.write(f"  {pages_load_defaults(country=latvia, pages=pages)} pages added")
        self.stdout.write("Loading Latvia's member schools...")
        result = schools_import(
            actor=StandIn.COMMAND_LINE,
            country=latvia,
            content=(DATA_DIR / "latvian-member-schools.csv").read_bytes(),
            update_existing=False,
        )
        self.stdout.write(
            f"  {len(result.created)} schools added, {len(result.unchanged)} already present"
        )
        self.stdout.write(self.style.SUCCESS("The Latvian network is loaded."))
