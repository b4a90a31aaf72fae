from django.urls import path

from steadfast.notify import views, webhooks

app_name = "notify"
urlpatterns = [
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notify/webhooks/<slug:code>/", webhooks.esp_webhook, name="esp_webhook"),
]
