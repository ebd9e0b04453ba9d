from django.urls import path

from .views import apply, workbench

app_name = "membership"

urlpatterns = [
    # The applicant's pages (no account needed)
    path("apply/", apply.start, name="apply"),
    path("apply/application/", apply.apply_status, name="apply_status"),
    path("apply/application/<slug:step>/", apply.apply_step, name="apply_step"),
    path("apply/continue/<str:token>/", apply.apply_continue, name="apply_continue"),
    path("apply/<str:code>/", apply.apply_country, name="apply_country"),
    # The national coordinator's workbench
    path("dashboard/membership/", workbench.queue, name="queue"),
    path("dashboard/membership/schools/<int:pk>/", workbench.school_case, name="school"),
    path("dashboard/membership/schools/<int:pk>/decide/", workbench.decide, name="decide"),
    path("dashboard/membership/schools/<int:pk>/notes/", workbench.add_note, name="add_note"),
    path("dashboard/membership/schools/<int:pk>/history/", workbench.history, name="history"),
    path(
        "dashboard/membership/schools/<int:pk>/letter/",
        workbench.application_letter,
        name="application_letter",
    ),
    path(
        "dashboard/membership/schools/<int:pk>/checklist/",
        workbench.update_checklist,
        name="checklist",
    ),
    path("dashboard/membership/countries/<str:code>/act-on/", workbench.act_on, name="act_on"),
    path("dashboard/membership/countries/<str:code>/rules/", workbench.rules, name="rules"),
]
