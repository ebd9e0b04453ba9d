from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils import translation
from django.views.i18n import set_language as django_set_language

from asphub.core.http import allow_methods, read_only


@read_only
def health(request: HttpRequest) -> HttpResponse:
    """Liveness check for load balancers; also the bare baseline the benchmark compares with."""
    return HttpResponse("ok", content_type="text/plain")


@allow_methods("GET", "POST")
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, reading the page being left in its own language.

    Unprefixed URLs are Latvian, so Django would resolve "/en/..." as Latvian and fail to
    translate it; activating the language of `next` first makes the switch keep the page.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    language = translation.get_language_from_path(urlsplit(next_url).path)
    with translation.override(language or settings.LANGUAGE_CODE):
        return django_set_language(request)


@read_only
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
