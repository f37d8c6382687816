"""Who may see and switch which camera: the one authorization module every endpoint uses.

A *principal* is whoever makes a request: a logged-in user (session) or an API token with its
user and scope. A camera is visible to a principal when its user is active and has the viewer
role, the camera is not restricted or the user (or one of the user's groups) is on its access
list (admins see every camera), and the token, if any, is not limited to other cameras.
Hidden cameras are answered exactly like missing ones.
"""

from __future__ import annotations

import dataclasses
import logging
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import aget_user, get_user_model
from django.db.models import Q, QuerySet

from livecam.models import ApiToken, Camera, ShareLink

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "livecam.view_camera"
SWITCH_PERMISSION = "livecam.switch_camera"
SEE_ALL_PERMISSION = "livecam.see_all_cameras"
METRICS_PERMISSION = "livecam.view_metrics"
SHARE_PERMISSION = "livecam.add_sharelink"


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is asking: a user, and the token or session they authenticated with."""

    user: Any
    token: ApiToken | None = None
    session_key: str | None = None

    @property
    def key(self) -> tuple[str, object]:
        """Return what identifies this principal's credentials (for caches and limits)."""
        if self.token is not None:
            return ("token", self.token.pk)
        if self.session_key:
            return ("session", self.session_key)
        return ("user", self.user.pk)

    @property
    def read_only(self) -> bool:
        """Return True when the credentials may only watch and read."""
        return self.token is not None and self.token.read_only


async def principal_of(request: Any) -> Principal | None:
    """Return the request's principal, or None for an anonymous request."""
    user = await request.auser()
    if not user.is_authenticated or not user.is_active:
        return None
    token = getattr(request, "auth_token", None)
    session = getattr(request, "session", None)
    session_key = None if token is not None or session is None else session.session_key
    return Principal(user, token, session_key)


async def refresh(principal: Principal) -> Principal | None:
    """Load the principal afresh; None once its token or session is gone or its user disabled.

    Long-lived streams call this periodically, so a revocation, a logout, a password change or
    a deactivation ends them.
    """
    if principal.token is not None:
        token = (
            await ApiToken.objects.usable()
            .select_related("user")
            .filter(pk=principal.token.pk)
            .afirst()
        )
        return None if token is None else Principal(token.user, token)
    if principal.session_key:
        engine = import_module(settings.SESSION_ENGINE)
        holder = SimpleNamespace(session=engine.SessionStore(principal.session_key))
        user: Any = await aget_user(holder)  # type: ignore[arg-type]
        if not user.is_authenticated or user.pk != principal.user.pk or not user.is_active:
            return None
        return Principal(user, None, principal.session_key)
    fresh = await type(principal.user).objects.filter(pk=principal.user.pk, is_active=True).afirst()
    return None if fresh is None else Principal(fresh)


async def sees_all(user: Any) -> bool:
    """Return True for users who see every camera, restricted or not (admins)."""
    return bool(user.is_superuser or await user.ahas_perm(SEE_ALL_PERMISSION))


async def camera_queryset(principal: Principal | None) -> QuerySet[Camera]:
    """Return the cameras this principal may see."""
    if principal is None or not principal.user.is_active:
        return Camera.objects.none()
    user = principal.user
    if not await user.ahas_perm(VIEW_PERMISSION):
        return Camera.objects.none()
    cameras = Camera.objects.all()
    if not await sees_all(user):
        cameras = cameras.filter(
            Q(access__isnull=True) | Q(access__users=user) | Q(access__groups__user=user)
        ).distinct()
    token = principal.token
    if token is not None and token.limited:
        # A limited token stays limited: with no cameras left it sees none.
        cameras = cameras.filter(pk__in=token.cameras.values("pk"))
    return cameras


async def visible_cameras(principal: Principal | None) -> list[Camera]:
    """Return the cameras this principal may see, in id order (pages sort by label)."""
    return [camera async for camera in await camera_queryset(principal)]


async def visible_camera(principal: Principal | None, camera_id: str) -> Camera | None:
    """Return the camera if it exists and this principal may see it, else None."""
    return await (await camera_queryset(principal)).filter(pk=camera_id).afirst()


async def visible_among(principal: Principal | None, camera_ids: list[str]) -> list[str]:
    """Return those of camera_ids this principal may see, in the order given."""
    if not camera_ids:
        return []
    cameras = (await camera_queryset(principal)).filter(pk__in=camera_ids)
    found = {pk async for pk in cameras.values_list("pk", flat=True)}
    return [camera_id for camera_id in camera_ids if camera_id in found]


async def may_switch(principal: Principal | None) -> bool:
    """Return True when the principal may switch (visible) cameras ON and OFF."""
    if principal is None or principal.read_only or not principal.user.is_active:
        return False
    return bool(await principal.user.ahas_perm(SWITCH_PERMISSION))


async def may_see_sources(principal: Principal | None) -> bool:
    """Return True for admins: they may see where sources are (addresses in error reasons)."""
    if principal is None or not principal.user.is_active:
        return False
    return bool(await principal.user.ahas_perm("livecam.change_camera"))


async def may_view_metrics(principal: Principal | None) -> bool:
    """Return True for admins (metrics name every camera, so camera-scoped tokens may not)."""
    if principal is None or not principal.user.is_active:
        return False
    if principal.token is not None and principal.token.limited:
        return False
    return bool(await principal.user.ahas_perm(METRICS_PERMISSION))


async def may_still_watch(principal: Principal, camera_id: str) -> bool:
    """Return True while the principal's credentials are valid and the camera visible."""
    fresh = await refresh(principal)
    if fresh is None:
        logger.info("credentials of %s are no longer valid", principal.key[0])
        return False
    return await visible_camera(fresh, camera_id) is not None


async def may_still_watch_all(principal: Principal, camera_ids: list[str]) -> bool:
    """Return True while the principal's credentials are valid and every camera visible."""
    fresh = await refresh(principal)
    if fresh is None:
        logger.info("credentials of %s are no longer valid", principal.key[0])
        return False
    return await visible_among(fresh, camera_ids) == camera_ids


async def may_share(principal: Principal | None, camera_id: str) -> bool:
    """Return True when the principal may make share links of this camera (admins)."""
    if principal is None or principal.token is not None or not principal.user.is_active:
        return False
    if not await principal.user.ahas_perm(SHARE_PERMISSION):
        return False
    return await visible_camera(principal, camera_id) is not None


async def share_link_works(link: ShareLink) -> bool:
    """Return True while a share link's creator could still make it.

    Like a token, a link stops when its creator is disabled, loses the right to share or the
    camera, or is deleted (the link goes with them). A link without a creator was made on the
    command line by whoever runs the server: it belongs to the site and works until revoked
    or expired.
    """
    if link.created_by_id is None:
        return True
    owner = await get_user_model().objects.filter(pk=link.created_by_id, is_active=True).afirst()
    return owner is not None and await may_share(Principal(owner), link.camera_id)
