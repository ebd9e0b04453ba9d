"""Partner finding's pages: the list of schools looking for partners (public: it shows what
the public directory shows of a school, and the school's notice), the page that writes to one
of them, and the school coordinator's notice in the school's workspace.

A school that is not listed is not found (404) on the writing page, whoever asks; in the
workspace, a school outside a person's scope is not found (404), and a person who sees the
school's workspace but does not keep its notice (a teacher) is refused (403)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from asphub.core.forms import add_service_error
from asphub.core.http import page_with_form, read_only
from asphub.practices.models import ContentLanguage, EducationLevel
from asphub.roles import permissions
from asphub.roles.permissions import roles_of
from asphub.schools.models import School

from .filters import PartnerSearchFilter
from .forms import ContactForm, PartnerSearchForm
from .models import PartnerSearch
from .selectors import (
    countries_by_name,
    listed_partner_search,
    listed_partner_searches,
    ordered_languages,
    ordered_levels,
    partner_search_of,
    with_row_details,
)
from .services import ContactRefused, partner_contact_send, partner_search_update

PAGE_SIZE = 20


@dataclass(frozen=True)
class PartnerRow:
    """A listed notice with the words its row shows, worked out once per page."""

    search: PartnerSearch
    levels: list[str]
    languages: list[str]
    countries: list[str]  # wanted partners' countries, in the reader's alphabetical order
    own: bool  # one of the reader's own schools: no "write to" link


def _rows(searches, own_schools: frozenset[int]) -> list[PartnerRow]:
    levels = {value: str(label) for value, label in EducationLevel.choices}
    languages = {value: str(label) for value, label in ContentLanguage.choices}
    return [
        PartnerRow(
            search=search,
            levels=[levels[code] for code in ordered_levels(search)],
            languages=[languages[code] for code in ordered_languages(search)],
            countries=[country.name for country in countries_by_name(search.countries.all())],
            own=search.school_id in own_schools,
        )
        for search in searches
    ]


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@read_only
def partner_list(request: HttpRequest) -> HttpResponse:
    found = PartnerSearchFilter(request.GET or None, queryset=listed_partner_searches())
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_row_details(page.object_list)  # type: ignore[arg-type]
    context = {
        "filter": found,
        "page": page,
        "rows": _rows(page.object_list, roles_of(request.user).schools),
        "can_contact": permissions.can_contact_partner(request.user),
        "query_string": _query_without_page(request),
    }
    template = "partners/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@page_with_form
def partner_contact(request: HttpRequest, school_pk: int) -> HttpResponse:
    try:
        search = listed_partner_search(school_pk)
    except PartnerSearch.DoesNotExist:
        raise Http404 from None
    if not permissions.can_contact_partner(request.user):
        raise PermissionDenied(
            _(
                "Only people of the network's schools and national coordinators may write "
                "to partners."
            )
        )
    if search.school_id in roles_of(request.user).schools:
        raise PermissionDenied(_("This is your own school."))
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            partner_contact_send(
                sender=request.user,
                school=search.school,
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            if isinstance(error, ContactRefused) and error.code == "rate_limited":
                status = 429
        else:
            messages.success(
                request,
                _("Your message is on its way to the coordinator of %(school)s.")
                % {"school": search.school.name},
            )
            return redirect("partners:list")
    row = _rows([search], frozenset())[0]
    return render(request, "partners/contact.html", {"row": row, "form": form}, status=status)


@login_required
@page_with_form
def partner_search_edit(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = get_object_or_404(
        permissions.workspace_schools(request.user, School.objects.select_related("country")),
        pk=school_pk,
    )
    if not permissions.can_manage_partner_search(request.user, school):
        raise PermissionDenied(
            _("Only the school's coordinator may say that the school looks for partners.")
        )
    search = partner_search_of(school)
    initial = (
        {
            "active": search.active,
            "themes": list(search.themes.all()),
            "education_levels": ordered_levels(search),
            "languages": ordered_languages(search),
            "countries": list(search.countries.all()),
            "note": search.note,
        }
        if search is not None
        else {"active": True}
    )
    form = PartnerSearchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            partner_search_update(
                actor=request.user,
                school=school,
                active=form.cleaned_data["active"],
                themes=form.cleaned_data["themes"],
                education_levels=form.cleaned_data["education_levels"],
                languages=form.cleaned_data["languages"],
                countries=form.cleaned_data["countries"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if form.cleaned_data["active"]:
                done = _("The school is listed among schools looking for partners.")
            else:
                done = _("The school is not listed as looking for partners.")
            messages.success(request, done)
            return redirect("dashboard:school", pk=school.pk)
    return render(
        request,
        "partners/edit.html",
        {"school": school, "form": form, "search": search},
    )
