"""WSGI entry point: production serves Leadpool under WSGI (see docs/deploy.md)."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
application = get_wsgi_application()

# Import every route's views now (the URLconf imports them), then move all that start-up built out of the
# collector's sight: a full collection no longer walks the hundreds of thousands of objects of Django and our
# modules, a pause that shows in the slowest answers. (Under `gunicorn --preload`, as the benchmarks run it, the
# forked workers also keep sharing those pages with the master.)
import_module(settings.ROOT_URLCONF)
gc.freeze()
