from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - never used outside a developer's machine
ALLOWED_HOSTS = ["*"]
