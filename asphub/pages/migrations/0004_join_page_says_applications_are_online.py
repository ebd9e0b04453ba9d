"""The join page loaded from an earlier data/pages.json said that online applications would
open soon: they are open now (/apply/). Only a text still exactly as it was loaded changes; a
page a coordinator has edited is left as it is."""

from django.db import migrations

REL = 'rel="noopener noreferrer"'

# (field, the text as loaded before, the text now), as Page.save() stores them.
FIXES = [
    (
        "body_lv",
        f'<p>Drīzumā pieteikumu varēs iesniegt tiešsaistē šajā platformā. Līdz tam lūdzam <a href="#contact" {REL}>sazināties ar nacionālo koordinatoru</a> UNESCO Latvijas Nacionālajā komisijā.</p>',
        f'<p>Pieteikumu iesniedz tiešsaistē šajā platformā, aizpildot veidlapu „Pieteikties tiešsaistē” (konts nav vajadzīgs). Jautājumus varat uzdot <a href="#contact" {REL}>nacionālajam koordinatoram</a> UNESCO Latvijas Nacionālajā komisijā.</p>',
    ),
    (
        "body_en",
        f'<p>Online applications will soon open on this platform. Until then, please <a href="#contact" {REL}>contact the national coordinator</a> at the Latvian National Commission for UNESCO.</p>',
        f'<p>Apply on this platform with the online form (“Apply online”; no account is needed). Questions are welcome: <a href="#contact" {REL}>contact the national coordinator</a> at the Latvian National Commission for UNESCO.</p>',
    ),
]


def apply_fixes(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for field, old, new in FIXES:
        for page in Page.objects.filter(slug="join", **{f"{field}__contains": old}):
            setattr(page, field, getattr(page, field).replace(old, new, 1))
            page.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_link_the_regulation_and_show_the_pillars_once")]

    operations = [migrations.RunPython(apply_fixes, migrations.RunPython.noop)]
