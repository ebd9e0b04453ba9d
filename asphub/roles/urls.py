from django.urls import path

from . import views

app_name = "roles"

urlpatterns = [
    path("invitations/<int:pk>/withdraw/", views.withdraw_invitation, name="withdraw_invitation"),
    path("invitations/<int:pk>/resend/", views.resend_invitation, name="resend_invitation"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("roles/<int:pk>/revoke/", views.revoke_role, name="revoke_role"),
]
