from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("join/", views.join, name="join"),
    path("privacy/", views.privacy, name="privacy"),
    path("flagships/", views.flagship_list, name="flagship_list"),
    path("flagships/<slug:slug>/", views.flagship_detail, name="flagship_detail"),
]
