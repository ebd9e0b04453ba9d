"""Partner finding's addresses: the list and a message to a listed school (public pages), and
the school coordinator's notice in the school's workspace."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/<int:school_pk>/write/", views.partner_contact, name="contact"),
    path(
        "dashboard/schools/<int:school_pk>/partners/",
        views.partner_search_edit,
        name="edit",
    ),
]
