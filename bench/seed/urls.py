"""URLs of the seed baseline."""

from django.urls import path

from bench.seed import views

urlpatterns = [
    path("stream/", views.stream),
    path("video_control/", views.video_control),
]
