from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from asphub.schools.selectors import (
    directory_counts,
    flagship_schools,
    flagships_with_counts,
    newest_schools,
)
from asphub.taxonomy.models import FlagshipNetwork, Pillar, ThematicArea

from .models import Page
from .selectors import page_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "page": page_for(Page.Slug.HOME),
        "counts": directory_counts(),
        "flagship_count": FlagshipNetwork.objects.filter(status="active").count(),
        "newest_schools": newest_schools(),
    }
    return render(request, "pages/home.html", context)


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    context = {
        "page": page_for(Page.Slug.ABOUT),
        "pillars": Pillar.objects.all(),
        "thematic_areas": ThematicArea.objects.all(),
    }
    return render(request, "pages/about.html", context)


@require_GET
def join(request: HttpRequest) -> HttpResponse:
    page = page_for(Page.Slug.JOIN)
    if page is None:
        raise Http404
    return render(request, "pages/join.html", {"page": page})


@require_GET
def flagship_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/flagship_list.html", {"flagships": flagships_with_counts()})


@require_GET
def flagship_detail(request: HttpRequest, slug: str) -> HttpResponse:
    flagship = get_object_or_404(FlagshipNetwork, slug=slug)
    return render(
        request,
        "pages/flagship_detail.html",
        {"flagship": flagship, "schools": flagship_schools(flagship)},
    )
