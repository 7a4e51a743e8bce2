from django.urls import path

from . import views, work_views
from .page import PANELS

app_name = "sales"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("dont-forget/", views.dont_forget, name="dont_forget"),
    path("team/", views.team_overview, name="team"),
    path("attendance/check-in/", views.check_in, name="check_in"),
    path("attendance/check-out/", views.check_out, name="check_out"),
    path("customers/<int:customer_id>/call/", work_views.log_call, name="log_call"),
    path("customers/<int:customer_id>/note/", work_views.add_note, name="add_note"),
    path("customers/<int:customer_id>/message/", work_views.record_message, name="record_message"),
    path("customers/<int:customer_id>/status/", work_views.change_status, name="change_status"),
    path("customers/<int:customer_id>/status/fields/", work_views.status_fields, name="status_fields"),
    *[
        path(f"customers/<int:customer_id>/panel/{name}/", work_views.panel, {"name": name}, name=f"panel_{name}")
        for name in PANELS
    ],
    path("customers/<int:customer_id>/follow-up/", work_views.schedule, name="schedule"),
    path("customers/<int:customer_id>/meeting/", work_views.meeting_result, name="meeting_result"),
    path("customers/<int:customer_id>/activities/<int:activity_id>/correct/", work_views.correct, name="correct"),
]
