"""Webhook pages for managers."""

from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscriptions, name="subscriptions"),
    path("<int:subscription_id>/toggle/", views.toggle, name="toggle"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/replay/", views.replay, name="replay"),
]
