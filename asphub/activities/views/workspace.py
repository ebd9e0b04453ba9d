"""Recording activities in the school's workspace: the school's list, the editor (an error never
loses what was typed), deleting with a confirmation, adding a photo with its consent and taking
one off.

A school and its activities are found only through the permission layer's workspace_schools, so
another school's (for anyone outside it and its national coordinator) is not found (404); a
person who may see but not do something (the national coordinator recording for a school) is
refused (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from asphub.core.edits import StaleEdit
from asphub.core.forms import add_service_error, links_from, show_stale_edit
from asphub.core.http import page_with_form, read_only
from asphub.roles import permissions
from asphub.schools.models import School

from ..forms import FIND_PARTNERS, ActivityForm, PhotoForm, link_formset
from ..models import Activity, ActivityPhoto
from ..selectors import page_of, school_activities
from ..services import (
    activity_create,
    activity_delete,
    activity_photo_add,
    activity_photo_hold,
    activity_photo_remove,
    activity_update,
    held_photos,
    held_photos_discard,
)


def _workspace_school(request: HttpRequest, pk: int) -> School:
    return get_object_or_404(
        permissions.workspace_schools(request.user, School.objects.select_related("country")),
        pk=pk,
    )


def _workspace_activity(request: HttpRequest, pk: int) -> Activity:
    """An activity of a school whose workspace this person may open; for anyone else it does
    not exist here."""
    schools = permissions.workspace_schools(request.user, School.objects.all()).values("pk")
    return get_object_or_404(
        Activity.objects.select_related("school", "school__country", "country").filter(
            school__in=schools
        ),
        pk=pk,
    )


@login_required
@read_only
def school_list(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = _workspace_school(request, school_pk)
    page = page_of(school_activities(school, request.user), request.GET.get("page"))
    return render(
        request,
        "activities/workspace/school_list.html",
        {
            "school": school,
            "page": page,
            "can_record": permissions.can_record_activity(request.user, school),
        },
    )


def _editor(request: HttpRequest, *, school: School, activity: Activity | None) -> HttpResponse:
    """The one editor for a new activity and a change. An error anywhere keeps what was
    typed; a save over someone else's newer one is refused and shows why. The partner search
    button posts the form too: it saves nothing and shows the schools found."""
    post = request.POST if request.method == "POST" else None
    finding = post is not None and FIND_PARTNERS in post
    instance = activity or Activity(school=school, country_id=school.country_id)
    form = ActivityForm(post, instance=instance, school=school, finding=finding)
    links = link_formset(post, activity=activity)
    stale = False
    if post is not None and not finding:
        form_valid, links_valid = form.is_valid(), links.is_valid()
        if form_valid and links_valid:
            try:
                if activity is None:
                    saved = activity_create(
                        actor=request.user,
                        school=school,
                        data=form.service_data(),
                        links=links_from(links),
                    )
                else:
                    saved = activity_update(
                        actor=request.user,
                        activity=activity,
                        data=form.service_data(),
                        seen_sequence=form.cleaned_data.get("seen_sequence"),
                        links=links_from(links),
                    )
            except PermissionDenied as refused:
                form.add_error(None, str(refused))
            except StaleEdit as error:
                stale = True
                show_stale_edit(form, error, field="seen_sequence")
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The activity is saved."))
                return redirect("activities:detail", pk=saved.pk)
    return render(
        request,
        "activities/workspace/edit.html",
        {
            "form": form,
            "links": links,
            "stale": stale,
            "finding": finding,
            "activity": activity,
            "school": school,
        },
    )


@login_required
@page_with_form
def create(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = _workspace_school(request, school_pk)
    if not permissions.can_record_activity(request.user, school):
        raise PermissionDenied(
            _("Only the school's teachers and coordinator record its activities.")
        )
    return _editor(request, school=school, activity=None)


@login_required
@page_with_form
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _workspace_activity(request, pk)
    if not permissions.can_edit_activity(request.user, activity):
        raise PermissionDenied(
            _("Only the school's teachers and coordinator change its activities.")
        )
    return _editor(request, school=activity.school, activity=activity)


@login_required
@page_with_form
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; the button posts back here and deletes."""
    activity = _workspace_activity(request, pk)
    if not permissions.can_delete_activity(request.user, activity):
        raise PermissionDenied(_("You may not delete this activity."))
    if request.method == "POST":
        activity_delete(actor=request.user, activity=activity)
        messages.success(request, _("The activity is deleted."))
        return redirect("activities:school_activities", school_pk=activity.school_id)
    return render(
        request,
        "activities/workspace/delete.html",
        {"activity": activity, "photo_count": activity.photos.count()},
    )


@login_required
@page_with_form
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo with what it shows and the consent of the people shown. Without the consent
    the photo is refused and not kept; everything typed stays in the form."""
    activity = _workspace_activity(request, pk)
    if not permissions.can_edit_activity(request.user, activity):
        raise PermissionDenied(_("Only the school's teachers and coordinator add photos."))
    held: list[ActivityPhoto] = []
    if request.method == "POST":
        held = held_photos(request.user, [request.POST.get("held", "")])
        form = PhotoForm(request.POST, request.FILES, has_held=bool(held))
        valid = form.is_valid()
        if not form.cleaned_data.get("consent_confirmed") and held:
            # The consent was taken back: what was held for it goes.
            held_photos_discard(actor=request.user, photos=held)
            held = []
        if form.checked is not None and not valid:
            # The photo passed its checks and its consent is confirmed: kept for the next
            # try, so it need not be chosen again (in place of one held before).
            held_photos_discard(actor=request.user, photos=held)
            held = [
                activity_photo_hold(
                    actor=request.user,
                    activity=activity,
                    image=form.checked,
                    consent_confirmed=True,
                )
            ]
        if valid:
            try:
                activity_photo_add(
                    actor=request.user,
                    activity=activity,
                    image=form.checked,
                    held=held[0] if form.checked is None and held else None,
                    caption=form.cleaned_data["caption"],
                    alt_text=form.cleaned_data["alt_text"],
                    consent_confirmed=form.cleaned_data["consent_confirmed"],
                    consent_note=form.cleaned_data["consent_note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The photo is added, with its consent recorded."))
                return redirect("activities:detail", pk=activity.pk)
    else:
        form = PhotoForm()
    return render(
        request,
        "activities/workspace/photo_add.html",
        {"activity": activity, "form": form, "held": held[0] if held else None},
    )


@login_required
@page_with_form
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    activity = _workspace_activity(request, pk)
    photo = get_object_or_404(ActivityPhoto.objects.filter(activity=activity), pk=photo_pk)
    if not permissions.can_remove_activity_photo(request.user, activity):
        raise PermissionDenied(_("You may not remove this photo."))
    if request.method == "POST":
        activity_photo_remove(actor=request.user, photo=photo)
        messages.success(request, _("The photo is removed."))
        return redirect("activities:detail", pk=activity.pk)
    return render(
        request, "activities/workspace/photo_remove.html", {"activity": activity, "photo": photo}
    )
