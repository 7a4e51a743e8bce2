from django.contrib.auth import views as auth_views
from django.urls import path

from leadpool.sales.views import my_day

from . import views

urlpatterns = [
    # Each role starts where its work is: the salesperson's day, a leader's team, marketing's counts.
    path("", my_day, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
