from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "leadpool.sales"
    label = "sales"
