from django.urls import path

from steadfast.status import pages, subscribe_views

app_name = "status"
urlpatterns = [
    path("", pages.status_page, name="page"),
    path("contacts/", pages.contacts_page, name="contacts"),
    path("api/v2/summary.json", pages.summary, name="summary"),
    path("api/v2/status.json", pages.status, name="status"),
    path("feed.atom", pages.feed, name="feed"),
    path("banner/dismiss", pages.banner_dismiss, name="banner_dismiss"),
    path("subscribe", subscribe_views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", subscribe_views.subscribe_confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>", subscribe_views.unsubscribe, name="unsubscribe"),
]
