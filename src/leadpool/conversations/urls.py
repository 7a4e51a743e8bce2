"""Routes of the conversations app: a customer's threads and the reply to one."""

from django.urls import path

from . import views

app_name = "conversations"
urlpatterns = [
    path("customers/<int:customer_id>/", views.customer_threads, name="customer"),
    path("<int:conversation_id>/reply/", views.reply, name="reply"),
]
