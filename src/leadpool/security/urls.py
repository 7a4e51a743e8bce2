"""Security pages: the second factor and API tokens."""

from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("otp/", views.otp_step, name="otp"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
