"""The library's addresses: the public catalogue and items, what harvesters and feed readers
read, and the signed-in pages (asphub.practices.urls_workspace)."""

from django.urls import path

from . import urls_dissemination, urls_workspace
from .views import public

app_name = "practices"

urlpatterns = [
    path("library/", public.catalogue, name="catalogue"),
    path("library/<int:pk>/", public.detail, name="detail"),
    path("library/<int:pk>/files/<int:file_pk>/", public.download, name="download"),
    *urls_dissemination.urlpatterns,
    *urls_workspace.urlpatterns,
]
