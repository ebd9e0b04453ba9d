from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<int:pk>/", views.school_workspace, name="school"),
    path("countries/<str:code>/", views.country_workspace, name="country"),
    path("roles/<int:pk>/revoke/", views.revoke_role, name="revoke_role"),
    path("invitations/<int:pk>/withdraw/", views.withdraw_invitation, name="withdraw_invitation"),
]
