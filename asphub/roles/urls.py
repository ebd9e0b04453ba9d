from django.urls import path

from . import views

app_name = "roles"

urlpatterns = [
    path("<str:token>/", views.accept, name="accept"),
]
