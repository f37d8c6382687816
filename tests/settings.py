"""Settings for in-process tests (ORM, units): the site settings on a throwaway data dir."""

import os
import tempfile

os.environ.setdefault("LIVECAM_DATA_DIR", tempfile.mkdtemp(prefix="livecam-test-"))
os.environ.setdefault("LIVECAM_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

from livecam.site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
