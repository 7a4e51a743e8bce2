from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "leadpool.web"
    label = "web"
