"""Pages loaded from an earlier data/pages.json get the corrected default texts: the join page
links the network's regulation and the contact at its end, and the about page no longer lists
the four pillars that the page itself shows below its text. Only a text still exactly as it was
loaded changes; a page a coordinator has edited is left as it is."""

from django.db import migrations

REGULATION = (
    "http://skolas.unesco.lv/lv/pieredze-un-resursi/dokumenti/unesco-asocieto-skolu-tikla-nolikums/"
)
REL = 'rel="noopener noreferrer"'

# (page, field, the text as loaded before, the text now); the new texts as Page.save() stores
# them (links get rel="noopener noreferrer").
FIXES = [
    (
        "join",
        "body_lv",
        "<li>Iepazīstieties ar tīkla nolikumu un pārrunājiet savu nodomu ar nacionālo koordinatoru.</li>",
        f'<li>Iepazīstieties ar <a href="{REGULATION}" {REL}>UNESCO Asociēto skolu tīkla nolikumu</a> un pārrunājiet savu nodomu ar nacionālo koordinatoru (kontaktinformācija ir <a href="#contact" {REL}>šīs lapas beigās</a>).</li>',
    ),
    (
        "join",
        "body_en",
        "<li>Read the network's regulation and discuss your plans with the national coordinator.</li>",
        f'<li>Read the <a href="{REGULATION}" hreflang="lv" {REL}>regulation of the UNESCO Associated Schools Network in Latvia</a> (in Latvian) and discuss your plans with the national coordinator (contact details are <a href="#contact" {REL}>at the end of this page</a>).</li>',
    ),
    (
        "join",
        "body_lv",
        "Līdz tam lūdzam sazināties ar nacionālo koordinatoru UNESCO Latvijas Nacionālajā komisijā.</p>",
        f'Līdz tam lūdzam <a href="#contact" {REL}>sazināties ar nacionālo koordinatoru</a> UNESCO Latvijas Nacionālajā komisijā.</p>',
    ),
    (
        "join",
        "body_en",
        "Until then, please contact the national coordinator at the Latvian National Commission for UNESCO.</p>",
        f'Until then, please <a href="#contact" {REL}>contact the national coordinator</a> at the Latvian National Commission for UNESCO.</p>',
    ),
    (
        "about",
        "body_lv",
        "<h2>Četri izglītības pīlāri</h2><p>Mācīšanā un mācībās ASPnet skolas balstās uz četriem 21. gadsimta izglītības pīlāriem:</p><ul><li><strong>mācīties zināt</strong> – izprast pasauli un mācīties visu mūžu;</li><li><strong>mācīties darīt</strong> – izmantot zināšanas praksē;</li><li><strong>mācīties būt</strong> – attīstīt savu personību un atbildību;</li><li><strong>mācīties dzīvot kopā</strong> – sadarboties un cienīt citus.</li></ul><p>Tā izglītība palīdz sabiedrībai attīstīties ilgtspējīgi – sociāli, kultūras, vides un ekonomikas jomā.</p>",
        "",
    ),
    (
        "about",
        "body_en",
        "<h2>The four pillars of education</h2><p>In teaching and learning, ASPnet schools build on the four pillars of education for the 21st century:</p><ul><li><strong>learning to know</strong> – understanding the world and learning throughout life;</li><li><strong>learning to do</strong> – putting knowledge into practice;</li><li><strong>learning to be</strong> – developing one's personality and sense of responsibility;</li><li><strong>learning to live together</strong> – cooperating with and respecting others.</li></ul><p>Education built in this way helps society develop sustainably – socially, culturally, environmentally and economically.</p>",
        "",
    ),
]


def apply_fixes(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, field, old, new in FIXES:
        for page in Page.objects.filter(slug=slug, **{f"{field}__contains": old}):
            setattr(page, field, getattr(page, field).replace(old, new, 1))
            page.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_add_privacy_notice_page")]

    operations = [migrations.RunPython(apply_fixes, migrations.RunPython.noop)]
