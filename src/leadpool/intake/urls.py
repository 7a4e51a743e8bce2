"""Intake routes: public webhooks, the inbox for admins, manual entry and file import."""

from django.urls import path

from . import capture_views, channel_views, comment_views, endpoints, import_views, views

app_name = "intake"
urlpatterns = [
    # The generic webhook answers other origins (CORS), for the website snippet; same URL as intake:hook.
    path("hook/generic/<str:token>/", capture_views.generic_hook, name="generic_hook"),
    path("hook/<slug:kind>/<str:token>/", endpoints.hook, name="hook"),
    path("capture.js", capture_views.capture_js, name="capture_js"),
    path("f/<str:token>/", capture_views.hosted_form, name="hosted_form"),
    path("channels/", channel_views.channels, name="channels"),
    path("channels/new/", channel_views.channel_new, name="channel_new"),
    path("channels/<int:config_id>/", channel_views.channel_edit, name="channel_edit"),
    path("channels/<int:config_id>/toggle/", channel_views.channel_toggle, name="channel_toggle"),
    path("comments/", comment_views.comments, name="comments"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/replay-failed/", views.replay_failed, name="replay_failed"),
    path("inbox/<int:item_id>/", views.inbox_item, name="inbox_item"),
    path("inbox/<int:item_id>/replay/", views.replay, name="replay"),
    path("new/", views.manual_entry, name="new"),
    path("import/", import_views.upload, name="import"),
    path("import/<int:job_id>/", import_views.job, name="import_job"),
    path("import/<int:job_id>/progress/", import_views.progress, name="import_progress"),
    path("import/<int:job_id>/invalid.csv", import_views.invalid_report, name="import_invalid"),
]
