from django.urls import path

from steadfast.accounting.onec_views import exchange

app_name = "accounting"
urlpatterns = [path("1c/exchange", exchange, name="1c_exchange")]
