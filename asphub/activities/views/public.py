"""An activity's page, its photos, and a school's public activities.

An activity is fetched through selectors.activities_visible_to: a network-only activity (and its
photos) is not found (404) by anyone without a role in its country's network, so nothing says
that it exists."""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString

from asphub.core.html import render_markdown
from asphub.core.http import read_only
from asphub.practices.models import READABLE_STATUSES
from asphub.roles import permissions
from asphub.schools.models import PUBLIC_STATUSES, School

from ..models import Activity, ActivityPhoto
from ..selectors import activity_for, page_of, school_public_activities, visible_photo

# A sent photo may do nothing if a browser showed it as a page: no scripts, no loads.
PHOTO_CSP = "sandbox; default-src 'none'"
# A description's HTML is kept by its text's digest (never stale, whoever changed the text),
# so that a long one is rendered once, not on every view.
DESCRIPTION_HTML_SECONDS = 24 * 60 * 60


def description_html(text: str) -> SafeString:
    """The Markdown text as clean HTML (asphub.core.html.render_markdown), from the process's
    cache when the same text was rendered before."""
    if not text:
        return SafeString("")
    cache = caches["pages"]
    key = "activity-description:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = str(render_markdown(text))
        cache.set(key, html, DESCRIPTION_HTML_SECONDS)
    # The cached value is render_markdown's output, cleaned by nh3 before it was stored.
    return SafeString(html)


@read_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        activity = activity_for(request.user, pk)
    except Activity.DoesNotExist:
        raise Http404 from None
    user = request.user
    can_edit = permissions.can_edit_activity(user, activity)
    practice = activity.produced_practice if activity.produced_practice_id else None
    context = {
        "activity": activity,
        "description_html": description_html(activity.display_description),
        "original_description_html": (
            description_html(activity.description)
            if activity.description_language != activity.language
            else ""
        ),
        "links": list(activity.links.all()),
        "photos": list(activity.photos.all()),
        "partners": list(activity.partner_schools.all()),
        # Named publicly only once it is in the public library; the school's own people see
        # their draft named (and find it among their library items).
        "practice_public": practice is not None and practice.status in READABLE_STATUSES,
        "practice_own": practice is not None and can_edit,
        "can_edit": can_edit,
        "can_delete": permissions.can_delete_activity(user, activity),
        "can_remove_photos": permissions.can_remove_activity_photo(user, activity),
    }
    return render(request, "activities/detail.html", context)


@read_only
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of an activity, to whoever may read the activity."""
    try:
        stored = visible_photo(request.user, pk, photo_pk)
    except ActivityPhoto.DoesNotExist:
        raise Http404 from None
    try:
        opened = stored.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(opened, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PHOTO_CSP
    # Kept only by the reader's own browser: a network-only photo is theirs alone.
    response["Cache-Control"] = "private, max-age=300"
    return response


@read_only
def school_public(request: HttpRequest, slug: str) -> HttpResponse:
    """A school of the directory's public activities, newest first."""
    school = get_object_or_404(
        School.objects.filter(membership_status__in=PUBLIC_STATUSES).select_related("country"),
        slug=slug,
    )
    page = page_of(school_public_activities(school), request.GET.get("page"))
    return render(request, "activities/school_public.html", {"school": school, "page": page})
