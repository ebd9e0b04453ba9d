"""How a recorded before/after state reads in the log: keys and known values in the reader's
language, everything else exactly as recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import StandIn, label_of


class RecordedKey(models.TextChoices):
    """The keys services use in an entry's before and after states."""

    ROLE = "role", _("role")
    SCHOOL = "school", _("school")
    COUNTRY = "country", _("country")
    EMAIL = "email", _("e-mail address")
    LOGIN = "login", _("e-mail address")
    IP_ADDRESS = "ip_address", _("IP address")
    FAILURES = "failures", _("failed attempts")
    FULL_NAME = "full_name", _("full name")
    PREFERRED_LANGUAGE = "preferred_language", _("preferred language")
    CREATED = "created", _("added")
    CREATED_SCHOOLS = "created_schools", _("schools added")
    CREATED_SCHOOL_IDS = "created_school_ids", _("ids of the schools added")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    SKIPPED_LINES = "skipped_lines", _("skipped lines")
    ADDED = "added", _("added")
    CHANGED = "changed", _("changed")
    DELETED = "deleted", _("deleted")
    RECORDS = "records", _("records")
    COORDINATOR_NAME = "coordinator_name", _("national coordinator")
    CONTACT_EMAIL = "contact_email", _("contact e-mail")
    CONTACT_PHONE = "contact_phone", _("contact phone")
    CONTACT_ADDRESS = "contact_address", _("postal address")
    COMMISSION_NAME_LV = "commission_name_lv", _("National Commission (Latvian name)")
    COMMISSION_NAME_EN = "commission_name_en", _("National Commission (English name)")
    COMMISSION_WEBSITE = "commission_website", _("National Commission's website")
    EXPIRES_AT = "expires_at", _("valid until")
    METHOD = "method", _("method")
    MEMBERSHIP_STATUS = "membership_status", _("membership status")
    REFERENCE = "reference", _("reference number")
    NOTE = "note", _("note")
    TICKED = "ticked", _("ticked")
    FIELDS = "fields", _("fields")
    QUESTIONS = "questions", _("questions")
    USES_CANDIDATE_STAGE = "uses_candidate_stage", _("uses a candidate stage")
    CANDIDATE_STAGE_MONTHS = "candidate_stage_months", _("candidate stage length (months)")
    RENEWAL_PERIOD_YEARS = "renewal_period_years", _("membership renewal period (years)")
    MINIMUM_TEAM_SIZE = "minimum_team_size", _("minimum school team size")
    MINIMUM_TEAM_TEACHERS = "minimum_team_teachers", _("of whom teachers, at least")
    MINIMUM_TEAM_ADMINISTRATION = (
        "minimum_team_administration",
        _("of whom from the administration, at least"),
    )
    NAME = "name", _("name")
    INSTITUTION_TYPE = "institution_type", _("institution type")
    OWNERSHIP = "ownership", _("ownership")
    SUBDIVISION = "subdivision", _("municipality")
    SETTLEMENT = "settlement", _("settlement")
    ADDRESS = "address", _("address")
    LATITUDE = "latitude", _("latitude")
    LONGITUDE = "longitude", _("longitude")
    WEBSITE = "website", _("website")
    PHONE = "phone", _("phone")
    DESCRIPTION_LV = "description_lv", _("description (Latvian)")
    DESCRIPTION_EN = "description_en", _("description (English)")
    LOGO = "logo", _("logo")
    PHOTO = "photo", _("photo")
    PHOTO_DESCRIPTION = "photo_description", _("what the photo shows")
    TEAM = "team", _("school team")
    FLAGSHIP_NETWORKS = "flagship_networks", _("flagship networks")
    REASON = "reason", _("reason")
    CERTIFICATE_NUMBER = "certificate_number", _("certificate number")
    CERTIFICATE_DATE = "certificate_date", _("certificate date")
    CERTIFICATE_FILE = "certificate_file", _("certificate from UNESCO")


class TwoFactorMethod(models.TextChoices):
    TOTP = "totp", _("authenticator app")
    RECOVERY_CODES = "recovery_codes", _("recovery codes")
    WEBAUTHN = "webauthn", _("security key")


# Values shown by their label whichever app shows the log.
KNOWN_VALUES: dict[str, type[models.TextChoices]] = {"method": TwoFactorMethod}


def recorded_values(
    values: Any, *, value_choices: Mapping[str, type[models.TextChoices]] | None = None
) -> list[tuple[str, str]]:
    """A before or after state as (key, value) pairs to show. `value_choices` names, per key,
    the choices whose labels its values are shown with (e.g. {"role": Role}): the app that
    shows the log knows them, this one does not."""
    if not values:
        return []
    if not isinstance(values, dict):
        return [("", str(values))]
    value_choices = {**KNOWN_VALUES, **(value_choices or {})}
    pairs = []
    for key, value in values.items():
        if value is None or value == []:
            shown = "—"
        elif isinstance(value, str) and key.endswith("_at") and _as_time(value) is not None:
            shown = formats.date_format(timezone.localtime(_as_time(value)), "DATETIME_FORMAT")
        elif isinstance(value, str) and key in value_choices:
            shown = label_of(value_choices[key], value)
        elif isinstance(value, str):
            shown = label_of(StandIn, value)
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        else:
            shown = str(value)
        pairs.append((label_of(RecordedKey, key), shown))
    return pairs


def _as_time(value: str) -> datetime | None:
    """A recorded moment (ISO 8601, with its time zone), or None for any other text."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment
