"""Writing the editable public pages and what they show of a national network: its contact.

The contact details are fields of the country (e-mails, below this app, show them too); their
writer lives here, above the permission layer, because editing them is a national
coordinator's change to the network's public face, as editing its pages is.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.countries.models import CONTACT_FIELDS, Country
from asphub.roles.permissions import Actor, can_edit_country, require_permission

from .models import Page


@transaction.atomic
def pages_load_defaults(*, country: Country, pages: list[dict]) -> int:
    """Create the national network's pages that do not exist yet; edited pages stay as they are."""
    created = 0
    for item in pages:
        values = dict(item)
        slug = values.pop("slug")
        _, made = Page.objects.get_or_create(country=country, slug=slug, defaults=values)
        created += int(made)
    return created


def country_contact_update(
    *,
    actor: Actor,
    country: Country,
    coordinator_name: str,
    contact_email: str,
    contact_phone: str,
    contact_address: str,
    commission_name_lv: str,
    commission_name_en: str,
    commission_website: str,
) -> Country:
    """The country's national coordinator (or an administrator) changes whom applicants and
    members contact. Recorded in the country's log with the changed details before and after;
    invalid details raise ValidationError and change nothing."""
    require_permission(
        actor,
        lambda person: can_edit_country(person, country),
        _("You may not change this country's contact details."),
    )
    wanted = {
        "coordinator_name": coordinator_name,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
        "contact_address": contact_address,
        "commission_name_lv": commission_name_lv,
        "commission_name_en": commission_name_en,
        "commission_website": commission_website,
    }
    wanted = {name: (value or "").strip() for name, value in wanted.items()}
    with transaction.atomic():
        stored = Country.objects.select_for_update().get(pk=country.pk)
        before = {name: getattr(stored, name) for name in CONTACT_FIELDS}
        changed = [name for name in CONTACT_FIELDS if before[name] != wanted[name]]
        if not changed:
            return stored
        for name in changed:
            setattr(stored, name, wanted[name])
        others = [field.name for field in Country._meta.fields if field.name not in changed]
        stored.clean_fields(exclude=others)
        stored.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=AuditAction.COUNTRY_CONTACT_CHANGED,
            obj=stored,
            country_code=stored.code,
            before={name: before[name] for name in changed},
            after={name: wanted[name] for name in changed},
        )
    return stored
