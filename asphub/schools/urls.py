from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("map/", views.map_page, name="map"),
    path("map.json", views.map_points, name="map_points"),
    path("map/place.json", views.map_place, name="map_place"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.json", views.export_json, name="export_json"),
    path("<slug:slug>/", views.detail, name="detail"),
]
