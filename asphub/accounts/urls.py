from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/personal-data.json", views.personal_data_download, name="personal_data"),
    path("profile/delete/", views.delete_account, name="delete"),
]
