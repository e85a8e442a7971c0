import math

from django.conf import settings
from django.shortcuts import render
from django.utils import translation


def locked_out(request, original_response=None, credentials=None):
    """The answer to a login refused by the throttle (settings.AXES_LOCKOUT_CALLABLE), on either admin's login page.

    It names neither the account nor the address, so that it tells nothing about which accounts exist. Each refused
    attempt starts the cool-off again (django-axes' default), so the wait is the whole cool-off from now.
    """
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    # The admins' addresses have no language prefix, which makes them English to LocaleMiddleware; nobody is logged
    # in to have chosen a language either, so the site's language cookie or the browser's languages decide.
    with translation.override(translation.get_language_from_request(request)):
        return render(
            request,
            "logins/locked_out.html",
            {"minutes": minutes, "login_url": request.path},
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
