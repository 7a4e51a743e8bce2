"""ASGI entry point, kept for completeness; WSGI is the measured, recommended server interface."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpool.settings")
application = get_asgi_application()
