"""URLs of the ready-to-run server: livecam at the root, Django admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("livecam.urls")),
]

# Errors without internals: JSON {"detail": ...} on machine paths, themed pages elsewhere.
handler400 = "livecam.views.errors.bad_request"
handler403 = "livecam.views.errors.permission_denied"
handler404 = "livecam.views.errors.not_found"
handler500 = "livecam.views.errors.server_error"
