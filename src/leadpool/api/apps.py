from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "leadpool.api"
    label = "api"
