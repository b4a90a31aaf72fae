from django.urls import path

from steadfast.payments import views, webhooks

app_name = "payments"
urlpatterns = [
    path("webhooks/<slug:code>/", webhooks.webhook, name="webhook"),
    path("order/<str:token>/pay/", views.order_pay, name="order_pay"),
]
