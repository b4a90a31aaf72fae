from django.urls import path, re_path

from steadfast.status import pages, subscribe_views

app_name = "status"
urlpatterns = [
    path("", pages.status_page, name="page"),
    path("contacts/", pages.contacts_page, name="contacts"),
    path("history/", pages.history_page, name="history"),
    path("incidents/<int:incident_id>/", pages.incident_page, name="incident"),
    path("maintenance/<str:window_id>/", pages.maintenance_page, name="maintenance"),
    path("api/v2/summary.json", pages.api_document, {"name": "summary.json"}, name="summary"),
    path("api/v2/status.json", pages.api_document, {"name": "status.json"}, name="status"),
    re_path(r"^api/v2/(?P<name>[a-z/-]+\.json)$", pages.api_document, name="api"),
    path("feed.atom", pages.feed, name="feed"),
    path("banner/dismiss", pages.banner_dismiss, name="banner_dismiss"),
    path("subscribe", subscribe_views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", subscribe_views.subscribe_confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>", subscribe_views.unsubscribe, name="unsubscribe"),
]
