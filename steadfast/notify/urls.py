from django.urls import path

from steadfast.notify import account_views, sms_receipts, telegram_link, views, webhooks

app_name = "notify"
urlpatterns = [
    path("newsletter/", views.newsletter_signup, name="newsletter"),
    path("newsletter/confirm/<str:token>/", views.newsletter_confirm_view, name="newsletter_confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notify/webhooks/<slug:code>/", webhooks.esp_webhook, name="esp_webhook"),
    path("notify/telegram/<slug:code>/", telegram_link.telegram_webhook, name="telegram_webhook"),
    path("account/messages/", account_views.message_settings, name="message_settings"),
    path("notify/receipts/twilio/<slug:code>/", sms_receipts.twilio_status, name="twilio_status"),
    path("notify/receipts/smsru/<slug:code>/<str:secret>/", sms_receipts.smsru_callback, name="smsru_callback"),
]
