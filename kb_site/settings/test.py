from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every test sees its own writes at once, however busy the machine: the background rebuild has a test of its own.
SEARCH_TEXT_INDEX_SYNCHRONOUS_SECONDS = 60.0
