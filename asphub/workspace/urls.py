"""The workspace's pages, under the addresses people already know: /dashboard/, /audit/ and
/accounts/profile/ (each include keeps its own namespace)."""

from django.urls import path

from .views import account, audit_log, dashboard, school_profile

dashboard_urls = (
    [
        path("", dashboard.index, name="index"),
        path("schools/<int:pk>/", dashboard.school_workspace, name="school"),
        path("schools/<int:pk>/profile/", school_profile.school_profile, name="school_profile"),
        path("schools/<int:pk>/withdraw/", school_profile.school_withdraw, name="school_withdraw"),
        path("countries/<str:code>/", dashboard.country_workspace, name="country"),
        path("countries/<str:code>/contact/", dashboard.country_contact, name="country_contact"),
    ],
    "dashboard",
)

audit_urls = (
    [
        path("", audit_log.audit_log, name="log"),
        path("export.csv", audit_log.audit_log_csv, name="export_csv"),
    ],
    "audit",
)

account_urls = (
    [
        path("profile/", account.profile, name="profile"),
        path("profile/personal-data.json", account.personal_data_download, name="personal_data"),
        path("profile/delete/", account.delete_account, name="delete"),
    ],
    "accounts",
)
