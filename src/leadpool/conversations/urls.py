"""Routes of the conversations app."""

app_name = "conversations"
urlpatterns: list = []
