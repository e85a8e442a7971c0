from axes.backends import AxesStandaloneBackend


class WebLoginThrottlingBackend(AxesStandaloneBackend):
    """Refuses a login from a locked-out account or address, before the password is checked.

    Only logins through a request can be throttled: the login pages always pass one. Code that authenticates
    without one (the test client's ``login()``, a shell) has no client address to count, so it is left to the next
    backend, where django-axes would refuse it with an error.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
