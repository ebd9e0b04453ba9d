"""The national coordinator's workbench: the queue, a school's case (its application, checklist,
notes, history and the next steps), the schools to act on, and the country's rules. Every
school is fetched through the permission layer, so a school of another country is not found."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asphub.audit.models import label_of
from asphub.core.files import private_download
from asphub.core.http import page_with_form, post_only, read_only
from asphub.countries.models import Country
from asphub.roles import permissions
from asphub.schools.lifecycle import MembershipAction, available_actions
from asphub.schools.models import MembershipStatus, School, TeamRole
from asphub.schools.profile_services import withdrawal_request_pending

from ..checklist import CHECKLIST_CRITERIA
from ..forms import ChecklistForm, CountryRulesForm, DecisionForm, NoteForm, QuestionFormSet
from ..models import Application
from ..selectors import (
    QUEUE_STATUSES,
    extra_answers,
    membership_history,
    membership_queue,
    planned_activities,
    schools_to_act_on,
)
from ..services.applications import team_rule_problems
from ..services.decisions import (
    DECISIONS,
    application_checklist_update,
    application_note_add,
)
from ..services.rules import QUESTION_FIELDS, RULE_FIELDS, country_rules_update

PAGE_SIZE = 50
# The newest notes and history steps a school's page shows (the rest on their own pages).
CASE_ROWS = 20
# What each step's button says (the lifecycle's labels say what happened, for the history).
ACTION_BUTTONS = {
    MembershipAction.START_REVIEW: gettext_lazy("Start the review"),
    MembershipAction.REQUEST_CHANGES: gettext_lazy("Ask for changes"),
    MembershipAction.REJECT: gettext_lazy("Reject the application"),
    MembershipAction.ENDORSE: gettext_lazy("Endorse to UNESCO"),
    MembershipAction.MAKE_CANDIDATE: gettext_lazy("Make it a candidate"),
    MembershipAction.MAKE_MEMBER: gettext_lazy("Make it a member"),
    MembershipAction.MARK_DORMANT: gettext_lazy("Mark it dormant"),
    MembershipAction.REACTIVATE: gettext_lazy("Make it active again"),
    MembershipAction.RECORD_WITHDRAWAL: gettext_lazy("Record the withdrawal"),
    MembershipAction.EXCLUDE: gettext_lazy("Exclude it"),
}
AGE_CHOICES = (7, 30, 90)


def _countries(request: HttpRequest):
    countries = permissions.coordinated_countries(request.user)
    if not countries.exists():
        raise PermissionDenied(_("Only national coordinators decide memberships."))
    return countries


def _school(request: HttpRequest, pk: int) -> School:
    return get_object_or_404(
        School.objects.select_related("country", "subdivision").filter(
            country__in=permissions.coordinated_countries(request.user)
        ),
        pk=pk,
    )


@login_required
@read_only
def queue(request: HttpRequest) -> HttpResponse:
    countries = _countries(request)
    code = (request.GET.get("country") or "").upper()
    if code:
        countries = countries.filter(code=code)
    status = request.GET.get("status", "")
    if status not in MembershipStatus.values:
        status = ""
    try:
        older = int(request.GET.get("older_than", ""))
    except ValueError:
        older = None
    if older not in AGE_CHOICES:
        older = None
    page = Paginator(
        membership_queue(countries, status=status, older_than_days=older), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "membership/queue.html",
        {
            "page": page,
            "countries": list(permissions.coordinated_countries(request.user)[:300]),
            "country_code": code,
            "statuses": MembershipStatus.choices,
            "queue_statuses": QUEUE_STATUSES,
            "status": status,
            "older_than": older,
            "age_choices": AGE_CHOICES,
        },
    )


@login_required
@read_only
def school_case(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk)
    application = (
        Application.objects.filter(school=school).prefetch_related("flagship_interests").first()
    )
    unsent = request.session.pop("asphub_unsent_reason", None) or {}
    if unsent.get("school") != school.pk:
        unsent = {}

    def decision_form(action: str) -> DecisionForm:
        reason = unsent.get("reason", "") if unsent.get("action") == action else ""
        return DecisionForm(
            initial={"action": action, "seen_status": school.membership_status, "reason": reason}
        )

    context = {
        "school": school,
        "unsent_reason": unsent.get("reason", ""),
        "case_rows": CASE_ROWS,
        "application": application,
        "history": list(membership_history(school)[: CASE_ROWS + 1]),
        "actions": [
            (transition, ACTION_BUTTONS[transition.action], decision_form(transition.action))
            for transition in available_actions(school.membership_status, school.country)
            if not transition.by_applicant
        ],
        "waiting_for_applicant": school.membership_status == MembershipStatus.CHANGES_REQUESTED,
        "withdrawal_request": withdrawal_request_pending(school),
        "can_record_certificate": school.membership_status
        in (
            MembershipStatus.ENDORSED,
            MembershipStatus.CANDIDATE,
            MembershipStatus.MEMBER,
            MembershipStatus.DORMANT,
        ),  # fmt: skip
    }
    if application is not None:
        ticked = {code for code, value in (application.checklist or {}).items() if value}
        context.update(
            {
                "checklist": [(code, label, code in ticked) for code, label in CHECKLIST_CRITERIA],
                "checklist_form": ChecklistForm(initial={"ticked": sorted(ticked)}),
                "notes": list(application.notes.order_by("-created_at", "-id")[: CASE_ROWS + 1]),
                "note_form": NoteForm(),
                "team_problems": team_rule_problems(school.country, application.team or []),
                "team": [
                    {**member, "team_role_label": label_of(TeamRole, member.get("team_role", ""))}
                    for member in application.team or []
                ],
                "planned": planned_activities(application),
                "answers": extra_answers(application),
            }
        )
    return render(request, "membership/case.html", context)


@login_required
@post_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read; try again."))
        return redirect("membership:school", pk=school.pk)
    action = MembershipAction(form.cleaned_data["action"])
    service = DECISIONS.get(action)
    if service is None:
        raise Http404
    try:
        change = service(
            actor=request.user,
            school=school,
            reason=form.cleaned_data["reason"],
            seen_status=form.cleaned_data["seen_status"],
            site_url=request.build_absolute_uri("/"),
        )
    except PermissionDenied as refused:
        return HttpResponseForbidden(str(refused))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        # What was typed comes back with the page (the reason may be long).
        request.session["asphub_unsent_reason"] = {
            "school": school.pk,
            "action": action.value,
            "reason": form.cleaned_data["reason"],
        }
    else:
        messages.success(
            request,
            _("Done: %(school)s is now “%(status)s”.")
            % {"school": school.name, "status": MembershipStatus(change.to_status).label},
        )
    return redirect("membership:school", pk=school.pk)


@login_required
@read_only
def application_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The principal's signed letter, for the national network's team only."""
    school = _school(request, pk)
    application = get_object_or_404(Application, school=school)
    return private_download(application.letter, f"letter-{slugify(application.reference)}")


@login_required
@page_with_form
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """All of an application's notes, newest first, a page at a time (GET); a new one (POST)."""
    school = _school(request, pk)
    application = get_object_or_404(Application, school=school)
    if request.method != "POST":
        page = Paginator(application.notes.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "membership/notes.html",
            {"school": school, "application": application, "page": page, "note_form": NoteForm()},
        )
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            application_note_add(
                actor=request.user, application=application, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The note is saved."))
    else:
        messages.error(request, _("Write the note first."))
    return redirect("membership:school", pk=school.pk)


@login_required
@read_only
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A school's whole membership history, newest first, a page at a time."""
    school = _school(request, pk)
    page = Paginator(membership_history(school), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "membership/history.html", {"school": school, "page": page})


@login_required
@post_only
def update_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk)
    application = get_object_or_404(Application, school=school)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        application_checklist_update(
            actor=request.user, application=application, ticked=set(form.cleaned_data["ticked"])
        )
        messages.success(request, _("The checklist is saved."))
    return redirect("membership:school", pk=school.pk)


@login_required
@read_only
def act_on(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    page = Paginator(schools_to_act_on(country), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "membership/act_on.html", {"country": country, "page": page})


@login_required
@page_with_form
def rules(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    questions = country.application_questions.all()
    post = request.POST if request.method == "POST" else None
    form = CountryRulesForm(post, instance=Country.objects.get(pk=country.pk))
    formset = QuestionFormSet(post, queryset=questions, prefix="questions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = []
        for question_form in formset.forms:
            data = question_form.cleaned_data
            if not data:
                continue
            row = {name: data.get(name) for name in QUESTION_FIELDS}
            if question_form.instance.pk:
                row["pk"] = question_form.instance.pk
            rows.append(row)
        try:
            country_rules_update(
                actor=request.user,
                country=country,
                rules={name: form.cleaned_data[name] for name in RULE_FIELDS},
                questions=rows,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The membership rules are saved."))
            return redirect("membership:rules", code=country.code)
    return render(
        request, "membership/rules.html", {"country": country, "form": form, "formset": formset}
    )
