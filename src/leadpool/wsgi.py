"""WSGI entry point: production serves Leadpool under WSGI (see docs/deploy.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
application = get_wsgi_application()
