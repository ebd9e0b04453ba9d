"""The calendar's addresses: the month and list views, the page of feed addresses, and the
iCal feeds (network, country, school, a person's own registrations)."""

from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("calendar/", views.month, name="month"),
    path("calendar/list/", views.list_view, name="list"),
    path("calendar/feeds/", views.feed_list, name="feeds"),
    path("calendar/feeds/personal/", views.feed_renew, name="feed_renew"),
    path("calendar/feeds/network.ics", views.feed_network, name="feed_network"),
    path("calendar/feeds/country/<str:code>.ics", views.feed_country, name="feed_country"),
    path("calendar/feeds/school/<int:pk>.ics", views.feed_school, name="feed_school"),
    path("calendar/feeds/event/<int:pk>.ics", views.feed_event, name="feed_event"),
    path("calendar/feeds/me/<str:token>.ics", views.feed_personal, name="feed_personal"),
]
