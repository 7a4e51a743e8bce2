"""Routes of the nurture app."""

from django.urls import path

from . import views

app_name = "nurture"
urlpatterns = [
    path("", views.today, name="today"),
    path("u/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("callback/esms/<str:token>/", views.esms_callback, name="esms_callback"),
    path("callback/zalo/", views.zalo_callback, name="zalo_callback"),
]
