from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from steadfast.metrics import views as metrics_views
from steadfast.payments import views as payment_views
from steadfast.sla import views as sla_views
from steadfast.status import views as status_views

urlpatterns = [
    path("healthz", status_views.healthz, name="healthz"),
    path("readyz", status_views.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("admin/sla/", sla_views.sla_report, name="sla_report"),
    path("admin/ack/", include("steadfast.oncall.urls")),  # alert acknowledge links: /admin/ works in every mode
    path("admin/", admin.site.urls),
    path("status/", include("steadfast.status.urls")),
    path("accounting/", include("steadfast.accounting.urls")),
    path("", include("steadfast.notify.urls")),  # /newsletter/unsubscribe/..., /notify/webhooks/...
    path("api/v1/", include("steadfast.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cart/", include("steadfast.cart.urls")),
    path("checkout/", include("steadfast.checkout.urls")),
    path("orders/", include("steadfast.orders.urls")),
    path("payments/", include("steadfast.payments.urls")),
    path("shipping/", include("steadfast.shipping.urls")),
    path("pay/<str:token>/", payment_views.payment_link, name="payment_link"),
    path("account/", include("steadfast.accounts.urls")),
    path("", include("steadfast.storefront.urls")),
]

if settings.SERVE_MEDIA:
    # The demo serves uploaded images itself; production lets nginx serve MEDIA_ROOT.
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = "steadfast.storefront.views.page_not_found"
handler500 = "steadfast.storefront.views.server_error"
