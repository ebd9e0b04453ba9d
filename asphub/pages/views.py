from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from asphub.core.http import read_only
from asphub.countries.selectors import network_country
from asphub.schools.selectors import (
    active_flagships_with_schools_count,
    directory_counts,
    flagship_schools,
    flagships_with_counts,
    newest_members,
)
from asphub.taxonomy.models import FlagshipNetwork, Pillar, ThematicArea

from .models import Page
from .selectors import page_for


@read_only
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "page": page_for(Page.Slug.HOME),
        "counts": directory_counts(),
        "flagship_count": active_flagships_with_schools_count(),
        "newest_members": newest_members(),
        "home_country": settings.ASPHUB_DEFAULT_COUNTRY,
    }
    return render(request, "pages/home.html", context)


@read_only
def about(request: HttpRequest) -> HttpResponse:
    context = {
        "page": page_for(Page.Slug.ABOUT),
        "pillars": Pillar.objects.all(),
        "thematic_areas": ThematicArea.objects.all(),
    }
    return render(request, "pages/about.html", context)


@read_only
def join(request: HttpRequest) -> HttpResponse:
    page = page_for(Page.Slug.JOIN)
    if page is None:
        raise Http404
    return render(request, "pages/join.html", {"page": page, "network": page.country})


@read_only
def privacy(request: HttpRequest) -> HttpResponse:
    """What personal data the platform keeps: the national network's own text (linked from
    every page's footer, so it answers even before the network has written it)."""
    page = page_for(Page.Slug.PRIVACY)
    network = page.country if page is not None else network_country()
    return render(request, "pages/privacy.html", {"page": page, "network": network})


@read_only
def flagship_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/flagship_list.html", {"flagships": flagships_with_counts()})


@read_only
def flagship_detail(request: HttpRequest, slug: str) -> HttpResponse:
    flagship = get_object_or_404(FlagshipNetwork, slug=slug)
    return render(
        request,
        "pages/flagship_detail.html",
        {"flagship": flagship, "schools": flagship_schools(flagship)},
    )
