import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import flag


def required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = required("ALLOWED_HOSTS").split(",")
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

# Safe for a site behind a TLS-terminating proxy. Each can be turned off for plain HTTP on loopback, as
# `manage.py serve_production` does.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = flag("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
# Off for a domain whose subdomains are not all on HTTPS yet, or that is not meant for browsers' preload lists.
SECURE_HSTS_INCLUDE_SUBDOMAINS = flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = flag("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = flag("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = flag("CSRF_COOKIE_SECURE", True)
X_FRAME_OPTIONS = "DENY"

# Editors and superusers (the login audit included) work in the Wagtail admin: Django's admin would only be one more
# login page to guard, so it is left out unless an operator turns it on (README, "Login throttling").
DJANGO_ADMIN_ENABLED = flag("DJANGO_ADMIN_ENABLED", default=False)

# Email through the SMTP server named in the environment; without EMAIL_HOST the emails go to the console (standard
# output), as in development.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = flag("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = flag("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))


# WhiteNoise serves the collected static files, before any other middleware touches the request.
MIDDLEWARE.insert(  # noqa: F405
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Hashed file names so that browsers never keep stale CSS or JS after a deploy, and may keep each file forever
# (WhiteNoise sends far-future cache headers for hashed names); gzip and Brotli copies made once, at collectstatic.
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405

# One JSON line per request on standard output (operations.request_log); warnings and errors, tracebacks
# included, as JSON lines on standard error. Django's own "Not Found: /path" warnings would repeat the request line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "operations.log_format.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "operations.request_log": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}
