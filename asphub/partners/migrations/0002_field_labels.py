"""Labels (verbose names) for the field that ties an education level or a language to its
partner search. No change to the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_partner_search"),
    ]

    operations = [
        migrations.AlterField(
            model_name="partnersearchlanguage",
            name="search",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="languages",
                to="partners.partnersearch",
                verbose_name="partner search",
            ),
        ),
        migrations.AlterField(
            model_name="partnersearchlevel",
            name="search",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="levels",
                to="partners.partnersearch",
                verbose_name="partner search",
            ),
        ),
    ]
