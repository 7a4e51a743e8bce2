"""Log-in throttling (django-axes) for every authentication made from a request."""

from axes.backends import AxesStandaloneBackend


class ThrottledLogin(AxesStandaloneBackend):
    """Axes refuses calls without a request; logins made in code (tests, shell) have no client to throttle."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
