"""Developing library items: the items of a person's schools (and a national coordinator's
network materials), the editor, submitting, deleting a draft, an item's private page, its
versions and their differences, and private downloads.

Every item is fetched through selectors.visible_practices and the permission layer, so an item
of another school (or a draft of any school for anyone outside it) is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from asphub.core.edits import StaleEdit
from asphub.core.files import attachment_download
from asphub.core.forms import add_service_error, links_from, show_stale_edit
from asphub.core.html import render_markdown
from asphub.core.http import page_with_form, post_only, read_only
from asphub.countries.models import Country
from asphub.roles import permissions
from asphub.roles.permissions import roles_of
from asphub.schools.models import School

from ..diff import revision_diff
from ..forms import (
    ArchiveForm,
    PracticeForm,
    RecommendForm,
    SubmitForm,
    link_formset,
)
from ..models import (
    EducationLevel,
    Practice,
    PracticeFile,
    PracticeStatus,
    ReviewAssignment,
    ReviewScore,
)
from ..selectors import (
    authored_practices,
    current_assignments,
    visible_practices,
    with_page_details,
)
from ..services import (
    files_hold,
    held_files,
    practice_create,
    practice_delete_draft,
    practice_submit,
    practice_update,
)

PAGE_SIZE = 50
# The newest versions the item's page lists (all of them are on the versions page).
VERSIONS_SHOWN = 10


def level_labels(practice: Practice) -> list[str]:
    labels = dict(EducationLevel.choices)
    return [str(labels[level]) for level in practice.education_levels or [] if level in labels]


def private_practice(request: HttpRequest, pk: int) -> Practice:
    """An item for its workspace pages: its authors, its country's national coordinator and
    its reviewers open it; for anyone else it does not exist here (the public page is the
    catalogue's)."""
    practice = get_object_or_404(
        with_page_details(visible_practices(request.user)).select_related("created_by"), pk=pk
    )
    roles = roles_of(request.user)
    if (
        permissions.is_practice_author(request.user, practice)
        or practice.country_id in roles.national_coordinator_in
        or (
            practice.country_id in roles.reviewer_in
            and ReviewAssignment.objects.filter(
                practice=practice, reviewer_id=request.user.pk
            ).exists()
        )
    ):
        return practice
    raise Http404


def _edit_practice(request: HttpRequest, pk: int) -> Practice:
    practice = private_practice(request, pk)
    if not permissions.can_edit_practice(request.user, practice):
        raise PermissionDenied(_("This item cannot be changed now."))
    return practice


@login_required
@read_only
def mine(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if not (roles.schools or roles.national_coordinator_in or roles.administrator):
        raise PermissionDenied(_("The library's items are written by schools' teams."))
    items = authored_practices(request.user)
    status = request.GET.get("status", "")
    if status in PracticeStatus.values:
        items = items.filter(status=status)
    else:
        status = ""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "practices/workspace/mine.html",
        {
            "page": page,
            "status": status,
            "statuses": PracticeStatus.choices,
            "schools": list(School.objects.filter(pk__in=roles.schools).order_by("sort_key")),
            "countries": list(Country.objects.filter(pk__in=roles.national_coordinator_in)),
        },
    )


def _editor(
    request: HttpRequest,
    *,
    practice: Practice | None = None,
    school: School | None = None,
    country: Country | None = None,
) -> HttpResponse:
    """The one editor for a new item and a change: every field of the metadata, links and
    files. An error anywhere keeps what was typed and every file that passed its checks."""
    post = request.POST if request.method == "POST" else None
    instance = practice or Practice(
        school=school, country=country if school is None else school.country
    )
    form = PracticeForm(post, request.FILES if post is not None else None, instance=instance)
    links = link_formset(post, practice=practice)
    held: list[PracticeFile] = []
    stale = False
    if post is not None:
        held = held_files(request.user, request.POST.getlist("held"))
        form_valid, links_valid = form.is_valid(), links.is_valid()
        if form.checked_attachments:
            held += files_hold(actor=request.user, attachments=form.checked_attachments)
        if form_valid and links_valid:
            try:
                if practice is None:
                    saved = practice_create(
                        actor=request.user,
                        data=form.service_data(),
                        school=school,
                        country=country,
                        links=links_from(links),
                        files=held,
                    )
                else:
                    saved = practice_update(
                        actor=request.user,
                        practice=practice,
                        data=form.service_data(),
                        seen_version=form.cleaned_data.get("seen_version"),
                        links=links_from(links),
                        files=held,
                        remove_file_ids=[file.pk for file in form.cleaned_data["remove_files"]],
                    )
            except PermissionDenied as refused:
                # Someone submitted the item meanwhile (or a role was taken back): the form
                # comes back with what was typed, so nothing is lost, and says why.
                form.add_error(None, str(refused))
            except StaleEdit as error:
                stale = True
                show_stale_edit(form, error, field="seen_version")
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The item is saved."))
                return redirect("practices:item", pk=saved.pk)
    return render(
        request,
        "practices/workspace/edit.html",
        {
            "form": form,
            "links": links,
            "held": held,
            "stale": stale,
            "practice": practice,
            "school": school if practice is None else practice.school,
            "country": country,
        },
        status=200,
    )


@login_required
@page_with_form
def create(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = get_object_or_404(
        permissions.workspace_schools(request.user, School.objects.select_related("country")),
        pk=school_pk,
    )
    if not permissions.can_author_practice(request.user, school):
        raise PermissionDenied(
            _("Only the school's teachers and coordinator may add to its library.")
        )
    return _editor(request, school=school)


@login_required
@page_with_form
def create_network(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    return _editor(request, country=country)


@login_required
@page_with_form
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, practice=_edit_practice(request, pk))


@login_required
@read_only
def item(request: HttpRequest, pk: int) -> HttpResponse:
    practice = private_practice(request, pk)
    user = request.user
    author = permissions.is_practice_author(request.user, practice)
    manager = permissions.can_manage_library(user, practice.country)
    decisions = (
        list(practice.decisions.select_related("decided_by").order_by("round", "id"))
        if manager or author
        else []
    )
    # The authors read the reviews of a round once it is decided; the national coordinator
    # reads them as they arrive.
    shown_rounds = None if manager else {decision.round for decision in decisions}
    reviews = []
    if manager or author:
        sent = (
            ReviewAssignment.objects.filter(practice=practice, submitted_at__isnull=False)
            .select_related("reviewer")
            .prefetch_related(
                Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
            )
            .order_by("round", "submitted_at", "id")
        )
        if shown_rounds is not None:
            sent = sent.filter(round__in=shown_rounds)
        reviews = list(sent)
    rounds = []
    for number in sorted({review.round for review in reviews} | {d.round for d in decisions}):
        rounds.append(
            {
                "number": number,
                "reviews": [review for review in reviews if review.round == number],
                "decisions": [decision for decision in decisions if decision.round == number],
            }
        )
    own_assignment = (
        ReviewAssignment.objects.filter(
            practice=practice, reviewer_id=user.pk, round=practice.round
        )
        .only("pk", "submitted_at")
        .first()
    )
    revisions = list(practice.revisions.order_by("-number")[: VERSIONS_SHOWN + 1])
    context = {
        "practice": practice,
        "body_html": render_markdown(practice.body),
        "levels": level_labels(practice),
        "is_author": author,
        "is_manager": manager,
        "can_edit": permissions.can_edit_practice(user, practice),
        "can_submit": permissions.can_submit_practice(user, practice),
        "can_delete": permissions.can_edit_practice(user, practice) and practice.round == 0,
        "submit_form": SubmitForm(initial={"seen_version": practice.edit_version}),
        "rounds": rounds,
        "show_reviewer_names": manager,
        "revisions": revisions[:VERSIONS_SHOWN],
        "more_revisions": len(revisions) > VERSIONS_SHOWN,
        "assignments": list(current_assignments(practice)) if manager else [],
        "own_assignment": own_assignment,
        "recommend_form": RecommendForm(initial={"recommended": not practice.recommended}),
        "archive_form": ArchiveForm(),
    }
    return render(request, "practices/workspace/item.html", context)


@login_required
@post_only
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    practice = private_practice(request, pk)
    form = SubmitForm(request.POST)
    seen = form.cleaned_data.get("seen_version") if form.is_valid() else None
    try:
        practice_submit(actor=request.user, practice=practice, seen_version=seen)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The item is sent for review. The national coordinator is told.")
        )
    return redirect("practices:item", pk=practice.pk)


@login_required
@post_only
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    practice = private_practice(request, pk)
    practice_delete_draft(actor=request.user, practice=practice)
    messages.success(request, _("The draft is deleted."))
    return redirect("practices:mine")


@login_required
@read_only
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    practice = private_practice(request, pk)
    revisions = practice.revisions.select_related("created_by").order_by("-number")
    chosen = (request.GET.get("from", ""), request.GET.get("to", ""))
    if all(value.isascii() and value.isdigit() and len(value) <= 5 for value in chosen):
        return redirect("practices:diff", practice.pk, int(chosen[0]), int(chosen[1]))
    page = Paginator(revisions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "practices/workspace/versions.html",
        {
            "practice": practice,
            "page": page,
            "numbers": list(revisions.values_list("number", flat=True)[:200]),
        },
    )


@login_required
@read_only
def diff(request: HttpRequest, pk: int, from_number: int, to_number: int) -> HttpResponse:
    practice = private_practice(request, pk)
    old = get_object_or_404(practice.revisions, number=from_number)
    new = get_object_or_404(practice.revisions, number=to_number)
    fields = revision_diff(old, new)
    return render(
        request,
        "practices/workspace/diff.html",
        {
            "practice": practice,
            "old": old,
            "new": new,
            "changed": [field for field in fields if field.changed],
            "unchanged": [field for field in fields if not field.changed],
        },
    )


@login_required
@read_only
def file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """An attached file for whoever may read the item (drafts: its school; in review: the
    national coordinator and the reviewers assigned)."""
    practice = get_object_or_404(visible_practices(request.user), pk=pk)
    stored = get_object_or_404(PracticeFile.objects.filter(practice=practice), pk=file_pk)
    return attachment_download(
        stored.file, filename=stored.original_name, content_type=stored.content_type
    )
