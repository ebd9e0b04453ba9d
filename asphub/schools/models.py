from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asphub.audit.models import AuditNote, StandIn, label_of
from asphub.core.bilingual import localized
from asphub.core.models import TimeStampedModel
from asphub.core.storage import private_storage
from asphub.core.text import latvian_sort_key, search_document
from asphub.core.validators import validate_single_line
from asphub.search.services import Document, index_documents, remove_documents


class InstitutionType(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-school institution")
    PRIMARY = "primary", _("primary school (grades 1–6)")
    BASIC = "basic", _("basic school (grades 1–9)")
    SECONDARY = "secondary", _("secondary school")
    GYMNASIUM = "gymnasium", _("gymnasium")
    VOCATIONAL = "vocational", _("vocational school")
    NON_FORMAL = "non_formal", _("non-formal and interest education centre")
    GENERAL = "general", _("general education school")
    TEACHER_TRAINING = "teacher_training", _("teacher training institution")


class Ownership(models.TextChoices):
    STATE = "state", _("state")
    MUNICIPAL = "municipal", _("municipal")
    PRIVATE = "private", _("private")


class MembershipStatus(models.TextChoices):
    """Where a school stands in the membership lifecycle (see DOMAIN.md)."""

    SUBMITTED = "submitted", _("application submitted")
    UNDER_REVIEW = "under_review", _("under review")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    REJECTED = "rejected", _("rejected")
    ENDORSED = "endorsed", _("endorsed")
    CANDIDATE = "candidate", _("candidate")
    MEMBER = "member", _("member")
    DORMANT = "dormant", _("dormant")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXCLUDED = "excluded", _("excluded")


class MembershipAction(models.TextChoices):
    """What a national coordinator (or the applicant, for the first two) does to a school's
    membership. The code is stored in the school's history."""

    SUBMIT = "submit", _("application submitted")
    START_REVIEW = "start_review", _("review started")
    REQUEST_CHANGES = "request_changes", _("changes requested")
    RESUBMIT = "resubmit", _("application resubmitted")
    REJECT = "reject", _("application rejected")
    ENDORSE = "endorse", _("endorsed to UNESCO")
    MAKE_CANDIDATE = "make_candidate", _("made a candidate")
    MAKE_MEMBER = "make_member", _("made a member")
    MARK_DORMANT = "mark_dormant", _("marked dormant")
    REACTIVATE = "reactivate", _("active again")
    RECORD_WITHDRAWAL = "record_withdrawal", _("withdrawal recorded")
    EXCLUDE = "exclude", _("excluded")
    # Not a transition: the status a school had when the platform first recorded it.
    RECORDED = "recorded", _("status recorded")


# Statuses of schools that appear in the public directory: from the day a school becomes a
# candidate (or, where a country has no candidate stage, a member).
PUBLIC_STATUSES = (
    MembershipStatus.CANDIDATE,
    MembershipStatus.MEMBER,
    MembershipStatus.DORMANT,
)


# Statuses of a school that is still (or was, and was refused) an application.
APPLICATION_STATUSES = (
    MembershipStatus.SUBMITTED,
    MembershipStatus.UNDER_REVIEW,
    MembershipStatus.CHANGES_REQUESTED,
    MembershipStatus.REJECTED,
)


class LocationPrecision(models.TextChoices):
    EXACT = "exact", _("exact address")
    SETTLEMENT = "settlement", _("approximate: settlement centre")
    CITY = "city", _("approximate: city centre")


class School(TimeStampedModel):
    """An educational institution in (or applying to) a national ASPnet network.

    The name is exactly as it is printed on the membership certificate.
    """

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    subdivision = models.ForeignKey(
        "countries.Subdivision",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=255, validators=[validate_single_line])
    slug = models.SlugField(_("address in the directory"), max_length=120, unique=True)
    institution_type = models.CharField(
        _("institution type"), max_length=20, choices=InstitutionType.choices
    )
    ownership = models.CharField(
        _("ownership"), max_length=12, choices=Ownership.choices, blank=True
    )
    settlement = models.CharField(
        _("settlement"), max_length=120, blank=True, validators=[validate_single_line]
    )
    address = models.CharField(
        _("address"), max_length=255, blank=True, validators=[validate_single_line]
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    location_precision = models.CharField(
        _("location precision"),
        max_length=12,
        choices=LocationPrecision.choices,
        default=LocationPrecision.SETTLEMENT,
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    description_lv = models.TextField(_("description (Latvian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    membership_status = models.CharField(
        _("membership status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.SUBMITTED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(
        _("status since"), null=True, blank=True, editable=False
    )
    registration_number = models.CharField(
        _("registration number"), max_length=40, blank=True, db_index=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    certificate_file = models.FileField(
        _("certificate from UNESCO"),
        upload_to="certificates/%Y/",
        storage=private_storage,
        blank=True,
    )
    logo = models.ImageField(_("logo"), upload_to="schools/logos/%Y/", blank=True)
    photo = models.ImageField(_("photo"), upload_to="schools/photos/%Y/", blank=True)
    photo_description = models.CharField(
        _("what the photo shows"),
        max_length=255,
        blank=True,
        help_text=_("Read aloud to people who cannot see the photo."),
    )
    member_since = models.PositiveSmallIntegerField(
        _("member since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1953), MaxValueValidator(2100)],
    )
    flagship_networks: models.ManyToManyField = models.ManyToManyField(
        "taxonomy.FlagshipNetwork",
        verbose_name=_("flagship networks"),
        through="FlagshipParticipation",
        related_name="schools",
        blank=True,
    )
    sort_key = models.CharField(max_length=255, editable=False, db_index=True, default="")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["sort_key", "id"]
        constraints = [
            # Applicants may share a name (the coordinator sees the likely duplicates); a name
            # is the school's alone from endorsement on.
            models.UniqueConstraint(
                fields=["country", "name"],
                condition=~models.Q(membership_status__in=APPLICATION_STATUSES),
                name="school_name_unique_in_country",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~models.Q(certificate_number=""),
                name="school_certificate_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="school_coordinates_both_or_neither",
            ),
        ]
        indexes = [models.Index(fields=["country", "membership_status", "sort_key"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        subdivision = self.subdivision if self.subdivision_id is not None else None
        if (
            subdivision is not None
            and self.country_id is not None
            and subdivision.country_id != self.country_id
        ):
            raise ValidationError(
                {"subdivision": _("Choose a municipality or region of the school's country.")}
            )

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
                school_search_refresh([self.pk])

    def refresh_derived_fields(self) -> None:
        self.sort_key = latvian_sort_key(self.name)
        self.search_text = search_document(self.name)

    def get_absolute_url(self) -> str:
        return reverse("schools:detail", kwargs={"slug": self.slug})

    @property
    def description(self):
        return localized(self, "description")

    @property
    def place_label(self) -> str:
        """Where the school is, in words: its settlement, else its municipality, else its
        country (a school may have coordinates but neither of the first two)."""
        if self.settlement:
            return self.settlement
        subdivision = self.subdivision if self.subdivision_id is not None else None
        if subdivision is not None:
            return subdivision.name
        return self.country.name

    @property
    def location_is_approximate(self) -> bool:
        return self.location_precision != LocationPrecision.EXACT

    @property
    def is_public(self) -> bool:
        return self.membership_status in PUBLIC_STATUSES


# The search index of the public directory (asphub.search), kind "school": one document per
# public school, written in the same transaction as the school (save() above; the services'
# bulk paths call school_search_refresh; migration 0010's triggers take a school out of it
# when it is deleted or leaves the public statuses, whatever makes that change).
SEARCH_KIND = "school"
# The school's own fields the document is made of (the others: flagship participations,
# whose saves refresh it too, and the names of its country and municipality, which
# `manage.py rebuild_search_index` brings up to date after such a rename).
SEARCHED_FIELDS = frozenset(
    {"name", "settlement", "country", "subdivision", "institution_type", "ownership",
     "membership_status", "created_at"}
)  # fmt: skip
_REFRESH_CHUNK = 500


def _search_document(school: School, flagships: list[str]) -> Document:
    subdivision = school.subdivision if school.subdivision_id is not None else None
    country = school.country
    return Document(
        object_id=school.pk,
        title=[school.name],
        body=[
            school.settlement,
            subdivision.name if subdivision else "",
            country.name_lv,
            country.name_en,
        ],
        facets={
            "country": [country.code],
            "subdivision": [subdivision.code] if subdivision else [],
            "institution_type": [school.institution_type],
            "ownership": [school.ownership],
            "status": [school.membership_status],
            "flagship": flagships,
        },
        sort_title=school.sort_key,
        sort_date=school.created_at,
    )


def school_search_refresh(school_ids: Iterable[int]) -> int:
    """Write the search documents of these schools again: public ones are indexed (what the
    public directory shows of them, nothing more), the others taken out. Call it in the
    transaction that changed them; a fixed number of queries per 500 schools. Returns how
    many schools are now in the index."""
    ids = list(dict.fromkeys(school_ids))
    indexed = 0
    for start in range(0, len(ids), _REFRESH_CHUNK):
        chunk = ids[start : start + _REFRESH_CHUNK]
        public = list(
            School.objects.filter(pk__in=chunk, membership_status__in=PUBLIC_STATUSES)
            .select_related("country", "subdivision")
            .order_by()
        )
        flagships: dict[int, list[str]] = {}
        for school_id, slug in (
            FlagshipParticipation.objects.filter(school__in=public)
            .order_by("flagship__slug")
            .values_list("school_id", "flagship__slug")
        ):
            flagships.setdefault(school_id, []).append(slug)
        indexed += index_documents(
            SEARCH_KIND, [_search_document(s, flagships.get(s.pk, [])) for s in public]
        )
        remove_documents(SEARCH_KIND, set(chunk) - {school.pk for school in public})
    return indexed


def school_search_rebuild() -> int:
    """Index every public school (for `manage.py rebuild_search_index`)."""
    ids = School.objects.filter(membership_status__in=PUBLIC_STATUSES).values_list("pk", flat=True)
    return school_search_refresh(list(ids.order_by("pk")))


class MembershipChange(models.Model):
    """One step of a school's membership history: who moved it from which status to which,
    when and why. Written only by `school_status_change` (and, for the first status a school
    had, by whatever recorded the school)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(
        _("from"), max_length=20, choices=MembershipStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=MembershipStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership history")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.from_status or '–'} → {self.to_status}"

    @property
    def action_label(self) -> str:
        return label_of(MembershipAction, self.action)

    @property
    def reason_label(self) -> str:
        """The reason as written; a known one (such as "recorded at import") translated."""
        return label_of(AuditNote, self.reason)

    @property
    def actor_display(self) -> str:
        return label_of(StandIn, self.actor_label) if self.actor_id is None else self.actor_label


class WithdrawalRequest(models.Model):
    """A school's request to leave the network, waiting for the national coordinator, who
    records the withdrawal (or not); any change of the school's status answers it."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="withdrawal_requests",
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField(_("requested by"), max_length=255, blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("withdrawal request")
        verbose_name_plural = _("withdrawal requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_withdrawal_request_per_school",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.requested_at:%Y-%m-%d}"


class TeamRole(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    ADMINISTRATION = "administration", _("administration")
    OTHER = "other", _("other staff")


class TeamMember(models.Model):
    """A person of the school's UNESCO team (named on its application and profile; not
    necessarily someone with an account)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="team"
    )
    full_name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position at the school"), max_length=200, blank=True)
    team_role = models.CharField(_("part in the team"), max_length=20, choices=TeamRole.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("school team")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.full_name


class FlagshipParticipation(models.Model):
    """A school's part in a flagship network, from a year (and, if it left, to a year)."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE)
    flagship = models.ForeignKey(
        "taxonomy.FlagshipNetwork", verbose_name=_("flagship network"), on_delete=models.CASCADE
    )
    since_year = models.PositiveSmallIntegerField(_("since"), null=True, blank=True)
    until_year = models.PositiveSmallIntegerField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("flagship participation")
        verbose_name_plural = _("flagship participations")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "flagship"], name="flagship_participation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.flagship}"

    def save(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            school_search_refresh([self.school_id])

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            deleted = super().delete(*args, **kwargs)
            school_search_refresh([self.school_id])
        return deleted


class DirectoryVersion(models.Model):
    """One row whose token changes with every change to what the public directory shows.

    Database triggers write it (migration 0003); rendered pages and option lists are kept
    under the token (asphub.schools.page_cache).
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("directory version")
        verbose_name_plural = _("directory version")

    def __str__(self) -> str:
        return self.token
