"""The membership certificate's addresses: the national coordinator's (under
/dashboard/membership/), the school's download (under its workspace, /dashboard/schools/) and
the public verification page (/certificates/). config/urls.py includes them at the site's root,
in the namespace that views/certificates.py names (URL_NAMESPACE)."""

from django.urls import path

from .views import certificates

urlpatterns = [
    path(
        "dashboard/membership/schools/<int:pk>/certificate/",
        certificates.certificate_record_page,
        name="certificate_record",
    ),
    path(
        "dashboard/membership/schools/<int:pk>/certificate/file",
        certificates.certificate_uploaded_file,
        name="certificate_file",
    ),
    path(
        "dashboard/schools/<int:pk>/certificate.pdf",
        certificates.certificate_download,
        name="certificate_download",
    ),
    path("certificates/verify/", certificates.certificate_verify, name="certificate_verify"),
    # A number may hold slashes ("LV/2026/17"): the rest of the address is the number.
    path(
        "certificates/<path:number>/",
        certificates.certificate_verify,
        name="certificate_verify_number",
    ),
]
