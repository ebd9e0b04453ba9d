from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from asphub.countries.models import Country
from asphub.practices.catalogue_io import catalogue_export_folder


class Command(BaseCommand):
    help = (
        "Write the published library into a folder: catalogue.json (or catalogue.csv) and "
        "files/, in the format import_practices reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path)
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--country", default="", help="Only this country's items (ISO 3166-1 code)."
        )

    def handle(self, *args, out_dir: Path, format: str, country: str, **options):
        target = None
        if country:
            try:
                target = Country.objects.get(code=country.upper())
            except Country.DoesNotExist as missing:
                raise CommandError(
                    _("Unknown country “%(code)s”.") % {"code": country}
                ) from missing
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": out_dir})
        written = catalogue_export_folder(out_dir, file_format=format, country=target)
        self.stdout.write(
            _("Wrote %(items)s items to %(catalogue)s and %(files)s files.")
            % {"items": written.items, "catalogue": written.catalogue, "files": written.files}
        )
