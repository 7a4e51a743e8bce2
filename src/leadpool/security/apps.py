from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "leadpool.security"
    label = "security"
    verbose_name = "Bảo mật"
