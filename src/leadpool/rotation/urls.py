"""Rotation's pages under /rotation/."""

from django.urls import path

from . import views

app_name = "rotation"
urlpatterns = [
    path("", views.candidates, name="candidates"),
    path("<int:candidate_id>/decide/", views.decide, name="decide"),
    path("decide/", views.decide_bulk, name="decide_bulk"),
    path("pool/<int:team_id>/hand-out/", views.hand_out_pool, name="hand_out_pool"),
    path("mine/", views.mine, name="mine"),
    path("customers/<int:customer_id>/", views.explain, name="explain"),
    path("rules/", views.rules, name="rules"),
]
