"""The library's feed, harvest and export addresses (practices:oai, practices:feed,
practices:export_csv, practices:export_json), beside the catalogue under /library/."""

from django.urls import path

from . import views_dissemination as views

urlpatterns = [
    path("library/oai/", views.oai, name="oai"),
    path("library/feed.atom", views.feed, name="feed"),
    path("library/export.csv", views.export_csv, name="export_csv"),
    path("library/export.json", views.export_json, name="export_json"),
]
