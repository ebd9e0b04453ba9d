"""Network events' addresses: the public list and event pages with a school's registration,
and the national coordinator's pages under /dashboard/events/."""

from django.urls import path

from .views import public, workspace

app_name = "events"

urlpatterns = [
    path("events/", public.event_list, name="list"),
    path("events/<int:pk>/", public.detail, name="detail"),
    path("events/<int:pk>/register/", public.register, name="register"),
    path(
        "events/<int:pk>/registrations/<int:registration_pk>/participants/",
        public.participants,
        name="participants",
    ),
    path(
        "events/<int:pk>/registrations/<int:registration_pk>/cancel/",
        public.cancel_registration,
        name="cancel_registration",
    ),
    path("dashboard/events/", workspace.event_list, name="manage_list"),
    path("dashboard/events/new/<str:code>/", workspace.create, name="create"),
    path("dashboard/events/<int:pk>/", workspace.manage, name="manage"),
    path("dashboard/events/<int:pk>/edit/", workspace.edit, name="edit"),
    path("dashboard/events/<int:pk>/publish/", workspace.publish, name="publish"),
    path("dashboard/events/<int:pk>/cancel/", workspace.cancel, name="cancel"),
    path("dashboard/events/<int:pk>/registrations/", workspace.registrations, name="registrations"),
    path("dashboard/events/<int:pk>/attendance/", workspace.attendance, name="attendance"),
]
