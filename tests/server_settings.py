"""Settings for the real servers the tests start: the site settings with faster timings.

Only timings change (retry backoff, reconcile interval, timeouts) so tests end in seconds;
every code path is the product's own. More overrides come from LIVECAM_TEST_SETTINGS (JSON).
"""

import json
import os

from livecam.site.settings import *  # noqa: F403
from livecam.site.settings import LIVECAM

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
ROOT_URLCONF = "tests.support.debug_urls"  # the site plus /_test/runtime (leak probes)

LIVECAM.update(
    {
        "RECONCILE_INTERVAL": 0.5,
        "RETRY_INITIAL": 0.3,
        "RETRY_MAX": 2.0,
        "READ_TIMEOUT": 3.0,
        "SEND_TIMEOUT": 3.0,
    }
)
LIVECAM.update(json.loads(os.environ.get("LIVECAM_TEST_SETTINGS", "{}")))
