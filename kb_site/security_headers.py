"""The Content-Security-Policy and Permissions-Policy headers of every response.

Django 5.2 has no CSP of its own. Django 6.0 has, read from a SECURE_CSP setting of the same shape as the one here,
so moving to it is a matter of swapping this middleware for Django's (the admin's additions then set per view).

Every policy is a constant: no nonce, because public pages are cached whole and a nonce would be replayed to every
visitor who gets the cached copy. The public templates need none: their styles are a static file and they run no
script."""

from django.conf import settings


def policy_header(directives):
    """{"default-src": ["'self'"], "object-src": ["'none'"]} -> "default-src 'self'; object-src 'none'"."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in directives.items())


def permissions_header(features):
    """{"camera": [], "fullscreen": ["self"]} -> "camera=(), fullscreen=(self)"."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class SecurityHeadersMiddleware:
    """Placed before XFrameOptionsMiddleware so that it sees the X-Frame-Options a view chose: Wagtail's preview is
    framed by the editor (SAMEORIGIN), and the browsers that read frame-ancestors ignore X-Frame-Options."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policies_by_path = [
            (path, settings.SECURE_CSP | changes) for path, changes in settings.SECURE_CSP_BY_PATH.items()
        ]
        self.permissions_policy = permissions_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        # Django's debug pages (DEBUG only) style and script themselves inline.
        if settings.DEBUG and response.status_code >= 400:
            return response
        directives = next(
            (policy for path, policy in self.policies_by_path if request.path.startswith(path)), settings.SECURE_CSP
        )
        if response.get("X-Frame-Options") == "SAMEORIGIN":
            directives = directives | {"frame-ancestors": ["'self'"]}
        # Set over any policy already there: Wagtail's preview runs the previewed page through the middleware too.
        response.headers["Content-Security-Policy"] = policy_header(directives)
        response.headers["Permissions-Policy"] = self.permissions_policy
        return response
