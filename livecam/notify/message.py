"""One notification, whatever the channel: what happened, where, a link and maybe a picture."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from livecam import conf

KINDS = ("motion", "offline", "back")


@dataclasses.dataclass(frozen=True, slots=True)
class Notification:
    """Something a person may want to hear about a camera.

    It never carries a secret: no source URL, token, share link or webhook address, only the
    site's own pages.
    """

    kind: str
    camera_id: str
    label: str
    at: float
    event_id: int | None = None
    snapshot: bytes | None = dataclasses.field(default=None, repr=False)

    @property
    def link(self) -> str:
        """Return the absolute URL of the event (or of the camera)."""
        if self.event_id is not None:
            path = reverse("livecam:media", args=[self.camera_id]) + f"#event-{self.event_id}"
        else:
            path = reverse("livecam:camera", args=[self.camera_id])
        return site_url() + path

    @property
    def subject(self) -> str:
        """Return a one-line summary (e-mail subject)."""
        name = self.label or self.camera_id
        if self.kind == "motion":
            return _("Motion at %(camera)s") % {"camera": name}
        if self.kind == "offline":
            return _("%(camera)s went offline") % {"camera": name}
        return _("%(camera)s is back online") % {"camera": name}

    @property
    def body(self) -> str:
        """Return the plain-text message (e-mail body)."""
        when = timezone.localtime(dt.datetime.fromtimestamp(self.at, tz=dt.UTC))
        return "\n".join(
            [
                self.subject,
                _("When: %(when)s") % {"when": when.strftime("%Y-%m-%d %H:%M:%S %Z")},
                _("See it: %(link)s") % {"link": self.link},
                "",
                _("Change what you are sent: %(link)s")
                % {"link": site_url() + reverse("livecam:notifications")},
            ]
        )

    def webhook_json(self) -> dict[str, Any]:
        """Return the JSON a webhook receives (``motion_*`` events come from capture)."""
        return {
            "event": f"camera_{self.kind}",
            "camera": self.camera_id,
            "at": round(self.at, 3),
            "url": self.link,
        }


def site_url() -> str:
    """Return the site's address for links: LIVECAM_PUBLIC_URL, else http://HOST:PORT."""
    import os

    configured = str(conf.get("PUBLIC_URL") or "")
    if configured:
        return configured
    host = os.environ.get("LIVECAM_HOST", "127.0.0.1")
    return f"http://{host}:{os.environ.get('LIVECAM_PORT', '8000')}"
