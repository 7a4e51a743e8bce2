from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "leadpool.notify"
    label = "notify"
