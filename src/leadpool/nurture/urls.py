"""Routes of the nurture app."""

app_name = "nurture"
urlpatterns: list = []
