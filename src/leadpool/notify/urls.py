from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("count/", views.count, name="count"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("settings/", views.preferences, name="preferences"),
    path("settings/test/", views.send_test, name="test"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
