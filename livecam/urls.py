"""livecam's URLs; include them at the site root."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from livecam.views import health, pages, stream, tokens
from livecam.views.api import api

app_name = "livecam"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="livecam/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cameras/<slug:camera_id>/", pages.camera_detail, name="camera"),
    path("cameras/<slug:camera_id>/power", pages.power, name="power"),
    path("cameras/<slug:camera_id>/settings", pages.camera_settings, name="settings"),
    path("cameras/power", pages.power_all, name="power_all"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke", tokens.revoke, name="revoke_token"),
    path("language", login_not_required(set_language), name="set_language"),
    path("cameras/<slug:camera_id>/stream.mjpg", stream.stream, name="stream"),
    path("cameras/<slug:camera_id>/snapshot.jpg", stream.snapshot, name="snapshot"),
    path("api/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", health.metrics, name="metrics"),
]
