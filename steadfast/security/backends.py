"""django-axes in front of the model backend, for logins that come with a request."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Every web login passes a request (Django's login forms do). A call without one is code on the server itself
    (a management command, a test client's login()), which no remote attacker can reach: nothing to throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
