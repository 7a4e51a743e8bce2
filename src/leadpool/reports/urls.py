"""Routes of the reports area, mounted at /reports/."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("targets/", views.targets_page, name="targets"),
    path("spend/", views.spend_page, name="spend"),
    path("audiences/", views.audiences_page, name="audiences"),
    path("refresh/", views.refresh_now, name="refresh"),
    path("leads/list/", views.lead_list, name="lead_list"),
    path("customers/list/", views.customer_list, name="customer_list"),
    path("<slug:slug>/", views.report, name="report"),
    path("<slug:slug>/export/<slug:table>.<str:fmt>", views.export, name="export"),
]
