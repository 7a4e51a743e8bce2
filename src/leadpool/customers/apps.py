from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "leadpool.customers"
    label = "customers"
