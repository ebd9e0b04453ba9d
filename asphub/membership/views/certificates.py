"""The membership certificate's pages: the national coordinator records UNESCO's certificate
and reads the file UNESCO sent; the school's people download the certificate as a PDF; anyone
checks a certificate's number on the public verification page.

Schools are fetched through the permission layer's querysets, so a school outside a person's
scope is not found (404), which reveals nothing about it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from asphub.core.files import private_download
from asphub.core.http import page_with_form, read_only
from asphub.roles import permissions
from asphub.schools.models import School

from ..certificate_forms import CertificateLookupForm, CertificateRecordForm
from ..certificates import (
    NoCertificate,
    certificate_pdf,
    certificate_verification,
    has_certificate,
)
from ..services.certificates import RECORDABLE_STATUSES, certificate_record

# The namespace config/urls.py includes certificate_urls under: the one place to change it.
URL_NAMESPACE = "certificates"


# What the stored file's first bytes say it is (the service stored only these kinds).
def certificate_url(name: str, **kwargs) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", kwargs=kwargs)


def verification_url(number: str) -> str:
    """The public page that verifies `number`, in the site's default language (the page has
    a language switch): the address printed on the certificate and in its QR code."""
    with translation.override(settings.LANGUAGE_CODE):
        return certificate_url("certificate_verify_number", number=number)


def _decided_schools(user) -> QuerySet[School]:
    """Schools whose membership this person decides: their countries' (all, for an
    administrator)."""
    return School.objects.filter(
        country__in=permissions.coordinated_countries(user)
    ).select_related("country")


def _file_name(school: School) -> str:
    """A name any browser and file system takes: ASCII letters, digits and hyphens."""
    slug = slugify(school.name)[:60].strip("-") or f"school-{school.pk}"
    return f"unesco-aspnet-certificate-{slug}"


@login_required
@page_with_form
def certificate_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The national coordinator records UNESCO's certificate of a school (or corrects it)."""
    school = get_object_or_404(_decided_schools(request.user), pk=pk)
    initial = {"number": school.certificate_number, "date": school.certificate_date}
    form = CertificateRecordForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_record(
                actor=request.user,
                school=school,
                number=form.cleaned_data["number"],
                date=form.cleaned_data["date"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The certificate %(number)s is recorded.")
                % {"number": school.certificate_number},
            )
            return redirect(certificate_url("certificate_record", pk=school.pk))
    context = {
        "school": school,
        "form": form,
        "can_record": school.membership_status in RECORDABLE_STATUSES,
        "file_url": (
            certificate_url("certificate_file", pk=school.pk) if school.certificate_file else ""
        ),
        "download_url": (
            certificate_url("certificate_download", pk=school.pk) if has_certificate(school) else ""
        ),
        "verify_url": (
            certificate_url("certificate_verify_number", number=school.certificate_number)
            if school.certificate_number
            else ""
        ),
    }
    return render(request, "membership/certificate_record.html", context)


@login_required
@read_only
def certificate_uploaded_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file UNESCO sent, for the national coordinator: always as a download, of the type
    its content shows, so that no browser runs or displays it as a page of this site."""
    school = get_object_or_404(_decided_schools(request.user), pk=pk)
    return private_download(school.certificate_file, _file_name(school))


@login_required
@read_only
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's certificate as a PDF, for its teachers and coordinators, its national
    coordinator and administrators."""
    school = get_object_or_404(
        permissions.workspace_schools(request.user, School.objects.select_related("country")),
        pk=pk,
    )
    if not has_certificate(school):
        raise Http404
    verify_url = request.build_absolute_uri(verification_url(school.certificate_number))
    try:
        content = certificate_pdf(school, verify_url=verify_url)
    except NoCertificate:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(school)}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@read_only
def certificate_verify(request: HttpRequest, number: str | None = None) -> HttpResponse:
    """Anyone checks a certificate: by the number in the address (the QR code's link) or typed
    into the form. The answer is in words: valid, not valid and why, or unknown."""
    if number is None and "number" in request.GET:
        form = CertificateLookupForm(request.GET)
        typed = form.cleaned_data["number"] if form.is_valid() else ""
    else:
        form = CertificateLookupForm(initial={"number": number or ""})
        typed = number or ""
    result = certificate_verification(typed) if typed.strip() else None
    context = {
        "form": form,
        "result": result,
        "lookup_url": certificate_url("certificate_verify"),
    }
    return render(request, "membership/certificate_verify.html", context)
