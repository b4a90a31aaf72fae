from django.urls import path

from steadfast.shipping import webhooks

app_name = "shipping"
urlpatterns = [
    path("webhooks/<slug:code>/<str:token>/", webhooks.carrier_webhook, name="webhook"),
]
