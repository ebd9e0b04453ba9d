"""Reads of countries."""

from __future__ import annotations

from django.conf import settings

from .models import Country


def network_country(country_code: str | None = None) -> Country | None:
    """The country whose national network a page or e-mail speaks for (the deployment's own
    unless another is named), with its contact details; None if it is not loaded yet."""
    code = country_code or settings.ASPHUB_DEFAULT_COUNTRY
    return Country.objects.filter(code=code).first()


def country_code(country_id: int) -> str:
    """The code of the country with this id (what an audit entry is filed under)."""
    return Country.objects.values_list("code", flat=True).get(pk=country_id)
