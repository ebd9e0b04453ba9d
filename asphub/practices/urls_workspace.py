"""The library's signed-in pages: authoring, versions, the coordinator's queues, reviews."""

from django.urls import path

from .views import reviews, workspace

urlpatterns = [
    path("dashboard/library/", workspace.mine, name="mine"),
    path("dashboard/library/new/school/<int:school_pk>/", workspace.create, name="create"),
    path(
        "dashboard/library/new/network/<str:code>/", workspace.create_network, name="create_network"
    ),
    path("dashboard/library/<int:pk>/", workspace.item, name="item"),
    path("dashboard/library/<int:pk>/edit/", workspace.edit, name="edit"),
    path("dashboard/library/<int:pk>/submit/", workspace.submit, name="submit"),
    path("dashboard/library/<int:pk>/delete/", workspace.delete, name="delete"),
    path("dashboard/library/<int:pk>/versions/", workspace.versions, name="versions"),
    path(
        "dashboard/library/<int:pk>/versions/<int:from_number>/<int:to_number>/",
        workspace.diff,
        name="diff",
    ),
    path("dashboard/library/<int:pk>/files/<int:file_pk>/", workspace.file, name="file"),
    path("dashboard/library/<int:pk>/reviewers/", reviews.assign, name="assign"),
    path("dashboard/library/<int:pk>/decide/", reviews.decide, name="decide"),
    path("dashboard/library/<int:pk>/recommend/", reviews.recommend, name="recommend"),
    path("dashboard/library/<int:pk>/archive/", reviews.archive, name="archive"),
    path("dashboard/library/queue/<str:code>/", reviews.queue, name="queue"),
    path("dashboard/library/rubric/<str:code>/", reviews.rubric, name="rubric"),
    path("dashboard/reviews/", reviews.reviews, name="reviews"),
    path("dashboard/reviews/<int:pk>/", reviews.review, name="review"),
]
