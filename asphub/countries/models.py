import functools
import importlib.resources
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import localized
from asphub.core.text import latvian_sort_key
from asphub.core.validators import validate_single_line


@functools.cache
def _zones_by_country() -> dict[str, str]:
    """Each country's first time zone in the tz database's zone.tab (its most populated one:
    LV Europe/Riga, DE Europe/Berlin, US America/New_York), from the tzdata package."""
    zones: dict[str, str] = {}
    table = importlib.resources.files("tzdata") / "zoneinfo" / "zone.tab"
    for line in table.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_rest = line.split("\t")
            zones.setdefault(code, zone)
    return zones


def default_time_zone(code: str) -> str:
    """The time zone a country's network works in unless its settings say otherwise."""
    return _zones_by_country().get(code.upper(), settings.TIME_ZONE)


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone of the tz database (e.g. Europe/Riga)."),
            code="unknown_time_zone",
            params={"value": value},
        )


class Country(models.Model):
    """A country whose National Commission runs a national ASPnet network, with its own rules.

    National rules differ, so the school year, the candidate stage, the renewal period and the
    school-team rule are settings of the country, not code.
    """

    code = models.CharField(_("ISO 3166-1 code"), max_length=2, unique=True)
    name_lv = models.CharField(_("name (Latvian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Language codes used by the national network, most used first."),
    )
    school_year_start_month = models.PositiveSmallIntegerField(
        _("school year starts in month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    school_year_start_day = models.PositiveSmallIntegerField(
        _("school year starts on day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    uses_candidate_stage = models.BooleanField(_("uses a candidate stage"), default=True)
    candidate_stage_months = models.PositiveSmallIntegerField(
        _("candidate stage length (months)"), default=12
    )
    renewal_period_years = models.PositiveSmallIntegerField(
        _("membership renewal period (years)"), null=True, blank=True
    )
    minimum_team_size = models.PositiveSmallIntegerField(_("minimum school team size"), default=3)
    minimum_team_teachers = models.PositiveSmallIntegerField(
        _("of whom teachers, at least"), default=0
    )
    minimum_team_administration = models.PositiveSmallIntegerField(
        _("of whom from the administration, at least"), default=0
    )
    # Network events are entered, shown and sent in it (asphub.events); empty: the country's
    # own from the tz database (default_time_zone).
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "The time zone of the national network's events, e.g. Europe/Riga; empty: the "
            "country's own (the first of the tz database)."
        ),
    )
    has_national_network = models.BooleanField(
        _("has a national network on this platform"), default=False
    )
    # Whom applicants and members contact: the national coordinator edits these in the
    # workspace (/dashboard/countries/<code>/contact/); the public pages and e-mails show them.
    coordinator_name = models.CharField(
        _("national coordinator"), max_length=200, blank=True, validators=[validate_single_line]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_single_line]
    )
    contact_address = models.CharField(
        _("postal address"), max_length=255, blank=True, validators=[validate_single_line]
    )
    commission_name_lv = models.CharField(
        _("National Commission for UNESCO (Latvian name)"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    commission_name_en = models.CharField(
        _("National Commission for UNESCO (English name)"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    commission_website = models.URLField(
        _("National Commission's website"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school_year_start_month__gte=1)
                & models.Q(school_year_start_month__lte=12),
                name="country_school_year_month_valid",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name").text

    @property
    def name(self) -> str:
        return localized(self, "name").text

    @property
    def commission_name(self):
        return localized(self, "commission_name")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone the national network's events are in."""
        return zoneinfo.ZoneInfo(self.time_zone or default_time_zone(self.code))

    @property
    def has_contact(self) -> bool:
        """Whether there is anything to show visitors about whom to contact."""
        return any(getattr(self, field) for field in CONTACT_FIELDS)


# The country's contact details, as the national coordinator edits them (in this order).
CONTACT_FIELDS = (
    "coordinator_name",
    "contact_email",
    "contact_phone",
    "contact_address",
    "commission_name_lv",
    "commission_name_en",
    "commission_website",
)


class Subdivision(models.Model):
    """A first-level part of a country (in Latvia: a municipality or state city, ISO 3166-2:LV)."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="subdivisions"
    )
    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("subdivision")
        verbose_name_plural = _("subdivisions")
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = latvian_sort_key(self.name)
        super().save(*args, **kwargs)
