"""livecam's URLs; include them at the site root."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from livecam.views import (
    camera_forms,
    camera_pages,
    config_pages,
    health,
    manage,
    media,
    notify_page,
    pages,
    pwa,
    share,
    stream,
    tiles,
    timeline,
)
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
    path("manage/cameras/new/", camera_pages.camera_add, name="camera_add"),
    path("manage/config/", config_pages.config_page, name="config"),
    path("manage/config/export", config_pages.config_export, name="config_export"),
    path("manage/cameras/<slug:camera_id>/", camera_pages.camera_edit, name="camera_edit"),
    path(
        "manage/cameras/<slug:camera_id>/remove", camera_pages.camera_remove, name="camera_remove"
    ),
    path("cameras/<slug:camera_id>/power", pages.power, name="power"),
    path("cameras/<slug:camera_id>/settings", camera_forms.camera_settings, name="settings"),
    path(
        "cameras/<slug:camera_id>/motion-settings",
        camera_forms.motion_settings,
        name="motion_settings",
    ),
    path("cameras/power", pages.power_all, name="power_all"),
    path("language", login_not_required(set_language), name="set_language"),
    path("cameras/<slug:camera_id>/stream.mjpg", stream.stream, name="stream"),
    path("cameras/<slug:camera_id>/stream.mp4", stream.stream_mp4, name="stream_mp4"),
    path("cameras/<slug:camera_id>/snapshot.jpg", stream.snapshot, name="snapshot"),
    path("cameras/tiles.mjpg", tiles.tiles, name="tiles"),
    path("cameras/<slug:camera_id>/share/", manage.shares, name="shares"),
    path(
        "cameras/<slug:camera_id>/share/<int:link_id>/revoke",
        manage.share_revoke,
        name="share_revoke",
    ),
    path("account/tokens/", manage.tokens, name="tokens"),
    path("account/notifications/", notify_page.notifications, name="notifications"),
    path("account/tokens/<int:token_id>/revoke", manage.token_revoke, name="token_revoke"),
    path("share/<slug:secret>/", share.share_page, name="share_page"),
    path("share/<slug:secret>/stream.mjpg", share.share_stream, name="share_stream"),
    path("share/<slug:secret>/stream.mp4", share.share_stream_mp4, name="share_stream_mp4"),
    path("share/<slug:secret>/snapshot.jpg", share.share_snapshot, name="share_snapshot"),
    path("cameras/<slug:camera_id>/media", media.media_page, name="media"),
    path("cameras/<slug:camera_id>/clip.mp4", timeline.clip_mp4, name="clip"),
    path(
        "cameras/<slug:camera_id>/segments/<int:segment_id>.mp4",
        timeline.segment_mp4,
        name="segment",
    ),
    path("cameras/<slug:camera_id>/record", media.record, name="record"),
    path(
        "cameras/<slug:camera_id>/events/<int:event_id>.jpg",
        media.event_snapshot,
        name="event_snapshot",
    ),
    path(
        "cameras/<slug:camera_id>/recordings/<int:recording_id>.mp4",
        media.recording_file,
        name="recording_file",
    ),
    path(
        "cameras/<slug:camera_id>/recordings/<int:recording_id>/delete",
        media.delete_recording,
        name="delete_recording",
    ),
    path("api/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("metrics", health.metrics, name="metrics"),
]
