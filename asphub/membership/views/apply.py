"""The public application, in four steps that work without JavaScript. The applicant's link
(e-mailed on request) puts the application's token in their session; the step pages find the
application through the session, so the token never stays in an address bar or a log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from asphub.accounts.signin import client_ip
from asphub.core.http import page_with_form, read_only
from asphub.countries.models import Country

from ..forms import ConfirmForm, InstitutionForm, PeopleForm, PlansForm, team_formset, team_from
from ..models import Application
from ..selectors import application_by_token
from ..services.applications import (
    ApplicationLocked,
    TooManyApplications,
    application_problems,
    application_resubmit,
    application_rotate_link,
    application_save,
    application_start,
    application_submit,
    applications_rate_check,
    is_editable,
    is_link_active,
    team_rule_problems,
)

SESSION_KEY = "asphub_application_token"
STEPS = ("institution", "people", "plans", "confirm")
STEP_TITLES = {
    "institution": gettext_lazy("The institution"),
    "people": gettext_lazy("The people"),
    "plans": gettext_lazy("Plans"),
    "confirm": gettext_lazy("Confirm and submit"),
}


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _networks():
    return Country.objects.filter(has_national_network=True).order_by("name_en")


@read_only
def start(request: HttpRequest) -> HttpResponse:
    """Which national network to apply to (straight to the form where there is one)."""
    networks = list(_networks())
    if len(networks) == 1:
        return redirect("membership:apply_country", code=networks[0].code)
    return render(request, "membership/apply_start.html", {"networks": networks})


def _session_application(request: HttpRequest) -> Application | None:
    application = application_by_token(request.session.get(SESSION_KEY, ""))
    if application is None or not is_link_active(application):
        return None
    return application


def _steps_context(current: str, application: Application | None) -> dict[str, Any]:
    return {
        "steps": [(step, STEP_TITLES[step]) for step in STEPS],
        "current_step": current,
        "step_number": STEPS.index(current) + 1,
        "step_count": len(STEPS),
        "application": application,
    }


@page_with_form
def apply_country(request: HttpRequest, code: str) -> HttpResponse:
    """Step one for a new application; saving it creates the draft."""
    country = get_object_or_404(_networks(), code=code.upper())
    form = InstitutionForm(request.POST or None, country=country)
    if request.method == "POST":
        if form.is_spam():
            return HttpResponseBadRequest(_("The form could not be accepted."))
        if form.is_valid():
            draft = _session_application(request)
            if draft is not None and draft.is_draft and draft.country_id == country.pk:
                # The same visitor again (a double click, Back to the first step): their
                # draft takes the values, and no second application is started.
                application_save(
                    application=draft,
                    values={name: form.cleaned_data[name] for name in form._meta.fields},
                )
                if "save_link" in request.POST:
                    return _send_link(request, draft)
                return redirect("membership:apply_step", step="people")
            try:
                applications_rate_check(client_ip(request))
                application, token = application_start(
                    country=country,
                    language=get_language() or "lv",
                    values={name: form.cleaned_data[name] for name in form._meta.fields},
                )
            except TooManyApplications as error:
                form.add_error(None, error)
            else:
                request.session[SESSION_KEY] = token
                request.session.cycle_key()
                if "save_link" in request.POST:
                    return _send_link(request, application)
                return redirect("membership:apply_step", step="people")
    context = {"form": form, "country": country, **_steps_context("institution", None)}
    return render(request, "membership/apply_institution.html", context)


def _send_link(request: HttpRequest, application: Application) -> HttpResponse:
    try:
        request.session[SESSION_KEY] = application_rotate_link(
            application=application, site_url=_site_url(request), client_key=client_ip(request)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Saved. We have e-mailed a link to %(address)s: open it to go on later.")
            % {"address": application.coordinator_email or application.email},
        )
    return redirect("membership:apply_status")


@page_with_form
def apply_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    application = _session_application(request)
    if application is None:
        return render(request, "membership/apply_link_problem.html", status=404)
    if not is_editable(application):
        return redirect("membership:apply_status")
    country = application.country
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    formset = None
    if step == "institution":
        form: Any = InstitutionForm(post, instance=_copy(application), country=country)
    elif step == "people":
        form = PeopleForm(post, instance=_copy(application))
        formset = team_formset(post, team=application.team or [], country=country)
    elif step == "plans":
        form = PlansForm(post, instance=_copy(application))
    else:
        form = ConfirmForm(post, files, application=application)

    if request.method == "POST":
        going_back = "back" in request.POST
        if getattr(form, "is_spam", lambda: False)():
            return HttpResponseBadRequest(_("The form could not be accepted."))
        valid = form.is_valid() and (formset is None or formset.is_valid())
        if valid:
            try:
                application = application_save(
                    application=application, values=_values(step, form, formset)
                )
            except ApplicationLocked:
                return redirect("membership:apply_status")
            if step == "people":
                for problem in team_rule_problems(country, application.team or []):
                    messages.warning(request, problem)
            if "save_link" in request.POST:
                return _send_link(request, application)
            if going_back:
                previous = STEPS[max(STEPS.index(step) - 1, 0)]
                return redirect("membership:apply_step", step=previous)
            if step != "confirm":
                return redirect("membership:apply_step", step=STEPS[STEPS.index(step) + 1])
            return _submit(request, application, form)
        # A step with errors stays, whichever button was pressed, so that nothing typed is
        # lost: the marked fields are corrected (or emptied) first.
        messages.error(
            request,
            _("Nothing on this step is saved yet: correct the marked fields (or empty them), "
              "then go on."),
        )  # fmt: skip
    context = {
        "form": form,
        "formset": formset,
        "country": country,
        "problems": _earlier_problems(application) if step == "confirm" else [],
        **_steps_context(step, application),
    }
    return render(request, f"membership/apply_{step}.html", context)


def _earlier_problems(application: Application) -> list:
    """What the earlier steps still lack (the confirm step's own fields show their errors)."""
    return [problem for problem in application_problems(application) if problem.step != "confirm"]


def _copy(application: Application) -> Application:
    """The form validates onto its own copy, so a rejected step leaves the stored one as it was."""
    return Application.objects.get(pk=application.pk)


def _values(step: str, form: Any, formset: Any) -> dict[str, Any]:
    if step == "institution":
        return {name: form.cleaned_data[name] for name in form._meta.fields}
    if step == "people":
        values = {name: form.cleaned_data[name] for name in form._meta.fields}
        values["team"] = team_from(formset)
        return values
    if step == "plans":
        return form.values()
    values = {"extra_answers": form.answers(), "consent_at": timezone.now()}
    if form.cleaned_data.get("letter"):
        values["letter"] = form.cleaned_data["letter"]
    return values


def _submit(request: HttpRequest, application: Application, form: Any) -> HttpResponse:
    resubmitting = not application.is_draft
    try:
        if resubmitting:
            application_resubmit(application=application, site_url=_site_url(request))
        else:
            application_submit(application=application, site_url=_site_url(request))
    except ApplicationLocked:
        return redirect("membership:apply_status")
    except ValidationError:
        # The box above the form lists what the earlier steps lack; the confirm step's own
        # problems are its fields' errors.
        context = {
            "form": form,
            "formset": None,
            "country": application.country,
            "problems": _earlier_problems(application),
            **_steps_context("confirm", application),
        }
        return render(request, "membership/apply_confirm.html", context)
    messages.success(
        request,
        _("Your application is sent again.") if resubmitting else _("Your application is sent."),
    )
    return redirect("membership:apply_status")


@read_only
def apply_status(request: HttpRequest) -> HttpResponse:
    """Where the applicant's application stands (and what to do next)."""
    application = application_by_token(request.session.get(SESSION_KEY, ""))
    if application is None:
        return render(request, "membership/apply_link_problem.html", status=404)
    history = []
    if application.school is not None:
        # The applicant's own application's steps, with the coordinator's reasons (a
        # rejection's too).
        history = list(application.school.history.order_by("-created_at", "-id")[:20])
    return render(
        request,
        "membership/apply_status.html",
        {
            "application": application,
            "editable": is_editable(application),
            "link_active": is_link_active(application),
            "history": history,
            "has_duplicates": bool(application.possible_duplicates),
        },
    )


@read_only
def apply_continue(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: remember the application in this browser, then go to it."""
    application = application_by_token(token)
    if application is None or not is_link_active(application):
        return render(request, "membership/apply_link_problem.html", status=404)
    # A new session for the application: a session identifier planted in this browser
    # before the link was opened does not lead to the application.
    request.session.cycle_key()
    request.session[SESSION_KEY] = token
    if is_editable(application):
        return redirect("membership:apply_step", step="institution")
    return redirect("membership:apply_status")
