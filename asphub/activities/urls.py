"""The activities' addresses: an activity's page and photos and a school's public activities
(under /activities/ and /schools/<slug>/activities/), and the school workspace's pages (under
/dashboard/, beside the school's team page)."""

from django.urls import path

from .views import public, workspace

app_name = "activities"

urlpatterns = [
    path("activities/<int:pk>/", public.detail, name="detail"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", public.photo, name="photo"),
    path("schools/<slug:slug>/activities/", public.school_public, name="school_public"),
    path(
        "dashboard/schools/<int:school_pk>/activities/",
        workspace.school_list,
        name="school_activities",
    ),
    path("dashboard/schools/<int:school_pk>/activities/new/", workspace.create, name="create"),
    path("dashboard/activities/<int:pk>/edit/", workspace.edit, name="edit"),
    path("dashboard/activities/<int:pk>/delete/", workspace.delete, name="delete"),
    path("dashboard/activities/<int:pk>/photos/new/", workspace.photo_add, name="photo_add"),
    path(
        "dashboard/activities/<int:pk>/photos/<int:photo_pk>/remove/",
        workspace.photo_remove,
        name="photo_remove",
    ),
]
