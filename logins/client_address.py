"""The address of the client a login comes from, as django-axes counts it (settings.AXES_CLIENT_IP_CALLABLE)."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The connection's address, or the one the trusted proxy names in settings.CLIENT_IP_HEADER.

    A proxy appends the address it received the request from to a list header such as X-Forwarded-For, after
    whatever the client wrote there itself, so only the last entry is the proxy's word. A request without the header
    (or with something that is not an address in it) did not come through the proxy: its connection counts.
    """
    if settings.CLIENT_IP_HEADER:
        header = request.headers.get(settings.CLIENT_IP_HEADER, "")
        named = header.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(named))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")
