from django.urls import path

from . import duplicates, privacy_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("duplicates/", duplicates.queue, name="duplicates"),
    path("duplicates/<int:candidate_id>/dismiss/", duplicates.dismiss, name="duplicate_dismiss"),
    path("<int:customer_id>/merge/<int:other_id>/", duplicates.compare, name="merge"),
    path("<int:customer_id>/privacy/", privacy_views.privacy_page, name="privacy"),
    path("<int:customer_id>/privacy/withdraw/", privacy_views.withdraw_consent, name="privacy_withdraw"),
    path("<int:customer_id>/privacy/export/", privacy_views.export_personal_data, name="privacy_export"),
    path("<int:customer_id>/privacy/erase/", privacy_views.erase, name="privacy_erase"),
]
