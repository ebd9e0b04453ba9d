"""Evaluating library items: the national coordinator's queues, assigning reviewers, the
decision, recommending and archiving, the country's rubric; and the reviewer's own pages (what
is assigned to them, what they sent, a review).

A national coordinator finds only items of their countries (never a school's draft); a reviewer
finds only the reviews assigned to them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from asphub.core.html import render_markdown
from asphub.core.http import page_with_form, post_only, read_only
from asphub.roles import permissions

from ..forms import (
    ArchiveForm,
    AssignForm,
    DecisionForm,
    RecommendForm,
    RemoveReviewerForm,
    ReviewForm,
    RubricFormSet,
)
from ..models import (
    Practice,
    PracticeStatus,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)
from ..selectors import (
    Queue,
    assigned_reviews,
    current_assignments,
    library_queue,
    library_queue_counts,
    sent_reviews,
    sent_reviews_of_round,
    with_page_details,
)
from ..services import (
    MIN_REVIEWERS,
    eligible_reviewers,
    practice_archive,
    practice_decide,
    practice_set_recommended,
    review_save,
    reviewer_remove,
    reviewers_assign,
    rubric_for,
    rubric_update,
)
from .workspace import PAGE_SIZE, level_labels


def _queue_labels() -> list[tuple[str, str]]:
    return [
        (Queue.TO_ASSIGN, _("To assign reviewers")),
        (Queue.WAITING_FOR_REVIEWERS, _("Waiting for reviewers")),
        (Queue.AWAITING_DECISION, _("Reviewed, awaiting decision")),
        (Queue.PUBLISHED, pgettext("library queue", "Published")),
        (Queue.ARCHIVED, pgettext("library queue", "Archived")),
    ]


def managed_practice(request: HttpRequest, pk: int) -> Practice:
    """An item of a country this person coordinates; a school's draft is not found."""
    countries = permissions.coordinated_countries(request.user)
    return get_object_or_404(
        Practice.objects.filter(country__in=countries)
        .exclude(status=PracticeStatus.DRAFT, school__isnull=False)
        .select_related("country", "school"),
        pk=pk,
    )


@login_required
@read_only
def queue(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    chosen = request.GET.get("queue", "")
    if chosen not in Queue.ALL:
        chosen = Queue.TO_ASSIGN
    current_round = Q(assignments__round=F("round"))
    items = library_queue([country.pk], chosen).annotate(
        reviews_assigned=Count("assignments", filter=current_round),
        reviews_sent=Count(
            "assignments", filter=current_round & Q(assignments__submitted_at__isnull=False)
        ),
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = library_queue_counts([country.pk])
    return render(
        request,
        "practices/workspace/queue.html",
        {
            "country": country,
            "queue": chosen,
            "queues": [(key, label, counts.get(key, 0)) for key, label in _queue_labels()],
            "page": page,
        },
    )


@login_required
@page_with_form
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    practice = managed_practice(request, pk)
    assignments = list(current_assignments(practice))
    # A reviewer whose role was taken back (or who joined the item's school) cannot send the
    # review any more: marked, so the coordinator removes them and assigns someone else.
    still_eligible = set(
        eligible_reviewers(practice)
        .filter(pk__in=[assignment.reviewer_id for assignment in assignments])
        .values_list("pk", flat=True)
    )
    for assignment in assignments:
        assignment.can_still_review = assignment.reviewer_id in still_eligible
    candidates = eligible_reviewers(practice).exclude(
        pk__in=[assignment.reviewer_id for assignment in assignments]
    )
    form = AssignForm(reviewers=candidates)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                remove = RemoveReviewerForm({"assignment": request.POST.get("remove")})
                if remove.is_valid():
                    assignment = get_object_or_404(
                        practice.assignments.select_related("reviewer"),
                        pk=remove.cleaned_data["assignment"],
                    )
                    reviewer_remove(actor=request.user, assignment=assignment)
                    messages.success(
                        request,
                        _("%(reviewer)s no longer reviews this item.")
                        % {"reviewer": assignment.reviewer},
                    )
                    return redirect("practices:assign", pk=practice.pk)
            else:
                form = AssignForm(request.POST, reviewers=candidates)
                if form.is_valid():
                    reviewers_assign(
                        actor=request.user,
                        practice=practice,
                        reviewers=list(form.cleaned_data["reviewers"]),
                    )
                    messages.success(request, _("The reviewers are assigned and told by e-mail."))
                    return redirect("practices:assign", pk=practice.pk)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "practices/workspace/assign.html",
        {
            "practice": practice,
            "assignments": assignments,
            "form": form,
            "can_assign": practice.status in (PracticeStatus.SUBMITTED, PracticeStatus.IN_REVIEW),
            "minimum": MIN_REVIEWERS,
        },
    )


@login_required
@page_with_form
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    practice = managed_practice(request, pk)
    form = DecisionForm(initial={"seen_round": practice.round})
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                practice_decide(
                    actor=request.user,
                    practice=practice,
                    decision=form.cleaned_data["decision"],
                    message=form.cleaned_data["message"],
                    seen_round=form.cleaned_data.get("seen_round"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The decision is recorded and the authors are told."))
                return redirect("practices:item", pk=practice.pk)
    return render(
        request,
        "practices/workspace/decide.html",
        {
            "practice": practice,
            "form": form,
            "reviews": list(sent_reviews_of_round(practice, practice.round)),
            "open_reviews": [
                assignment
                for assignment in current_assignments(practice)
                if assignment.submitted_at is None
            ],
            "can_decide": practice.status == PracticeStatus.IN_REVIEW,
            "minimum": MIN_REVIEWERS,
        },
    )


@login_required
@post_only
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    practice = managed_practice(request, pk)
    form = RecommendForm(request.POST)
    form.is_valid()
    try:
        practice_set_recommended(
            actor=request.user,
            practice=practice,
            recommended=bool(form.cleaned_data.get("recommended")),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The recommendation is saved."))
    return redirect("practices:item", pk=practice.pk)


@login_required
@page_with_form
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    practice = managed_practice(request, pk)
    form = ArchiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            practice_archive(
                actor=request.user, practice=practice, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The item is archived."))
            return redirect("practices:item", pk=practice.pk)
    return render(request, "practices/workspace/archive.html", {"practice": practice, "form": form})


@login_required
@page_with_form
def rubric(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    rubric_for(country)  # a country's first visit starts from the default rubric
    criteria = RubricCriterion.objects.filter(country=country).order_by("position", "id")
    post = request.POST if request.method == "POST" else None
    formset = RubricFormSet(post, queryset=criteria, prefix="criteria")
    if post is not None and formset.is_valid():
        rows = []
        for criterion_form in formset.forms:
            data = criterion_form.cleaned_data
            if not data:
                continue
            row = {
                name: data.get(name)
                for name in ("name_lv", "name_en", "guidance_lv", "guidance_en", "position")
            }
            row["active"] = bool(data.get("active"))
            row["guidance_lv"] = row["guidance_lv"] or ""
            row["guidance_en"] = row["guidance_en"] or ""
            row["position"] = row["position"] or 0
            if criterion_form.instance.pk:
                row["pk"] = criterion_form.instance.pk
            rows.append(row)
        try:
            rubric_update(actor=request.user, country=country, criteria=rows)
        except ValidationError as error:
            formset.non_form_errors().extend(error.messages)
        else:
            messages.success(request, _("The rubric is saved."))
            return redirect("practices:rubric", code=country.code)
    return render(
        request, "practices/workspace/rubric.html", {"country": country, "formset": formset}
    )


# -- the reviewer ----------------------------------------------------------------------------


@login_required
@read_only
def reviews(request: HttpRequest) -> HttpResponse:
    if (
        not permissions.roles_of(request.user).reviewer_in
        and not sent_reviews(request.user).exists()
    ):
        raise PermissionDenied(_("Reviews are written by the network's reviewers."))
    assigned = Paginator(assigned_reviews(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sent = Paginator(sent_reviews(request.user), PAGE_SIZE).get_page(request.GET.get("sent_page"))
    return render(request, "practices/workspace/reviews.html", {"assigned": assigned, "sent": sent})


@login_required
@page_with_form
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ReviewAssignment.objects.filter(reviewer_id=request.user.pk).prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
        ),
        pk=pk,
    )
    practice = with_page_details(Practice.objects.filter(pk=assignment.practice_id)).get()
    if not permissions.can_review_practice(request.user, practice):
        # A reviewer who has since joined the item's school, or is no longer a reviewer.
        raise PermissionDenied(_("You may not review this item."))
    is_open = (
        assignment.submitted_at is None
        and assignment.round == practice.round
        and practice.status == PracticeStatus.IN_REVIEW
    )
    saved = {score.criterion_id: score for score in assignment.scores.all()}
    criteria = (
        rubric_for(practice.country)
        if is_open
        else [score.criterion for score in assignment.scores.all()]
    )
    form = ReviewForm(criteria=criteria, saved=saved, initial={"comment": assignment.comment})
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("This review is closed."))
            return redirect("practices:review", pk=assignment.pk)
        form = ReviewForm(request.POST, criteria=criteria, saved=saved)
        send = "send" in request.POST
        if form.is_valid():
            try:
                review_save(
                    actor=request.user,
                    assignment=assignment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    send=send,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if send:
                    messages.success(request, _("Your review is sent. Thank you."))
                    return redirect("practices:reviews")
                messages.success(request, _("Your review is saved as a draft."))
                return redirect("practices:review", pk=assignment.pk)
    return render(
        request,
        "practices/workspace/review.html",
        {
            "assignment": assignment,
            "practice": practice,
            "body_html": render_markdown(practice.body),
            "levels": level_labels(practice),
            "form": form,
            "is_open": is_open,
        },
    )
