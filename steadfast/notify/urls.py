from django.urls import path

from steadfast.notify import sms_receipts, views, webhooks

app_name = "notify"
urlpatterns = [
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notify/webhooks/<slug:code>/", webhooks.esp_webhook, name="esp_webhook"),
    path("notify/receipts/twilio/<slug:code>/", sms_receipts.twilio_status, name="twilio_status"),
    path("notify/receipts/smsru/<slug:code>/<str:secret>/", sms_receipts.smsru_callback, name="smsru_callback"),
]
