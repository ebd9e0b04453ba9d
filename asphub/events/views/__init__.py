"""Network events' pages: the public list and event page with a school's registration
(public.py), and the national coordinator's workspace (workspace.py).

An event's times are shown in the time zone of its country (Country.zone), whoever reads
them: every page of one event is rendered under timezone.override of it (render_in_zone), and
the lists set it per event in their templates ({% timezone event.country.zone %})."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..models import NetworkEvent


def render_in_zone(
    request: HttpRequest, event: NetworkEvent, template: str, context: dict[str, Any]
) -> HttpResponse:
    """`render`, with the times in the time zone of the event's country."""
    with timezone.override(event.country.zone):
        return render(request, template, context)
