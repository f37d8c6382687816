"""URLs of the ready-to-run server: livecam at the root, Django admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("livecam.urls")),
]

handler404 = "livecam.views.errors.not_found"
handler500 = "livecam.views.errors.server_error"
