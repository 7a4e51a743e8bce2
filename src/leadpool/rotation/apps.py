from django.apps import AppConfig


class RotationConfig(AppConfig):
    name = "leadpool.rotation"
    label = "rotation"
