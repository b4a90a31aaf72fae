"""Times staff see in the admin: in the shop's zone, zone named (steadfast.shoptime, adminkit.ShopTimeAdminMixin)."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from steadfast.adminkit import ShopTimeAdminMixin
from steadfast.checkout.services import order_place
from steadfast.orders.models import Order, OrderEvent
from steadfast.orders.services import SYSTEM, order_mark_paid
from steadfast.payments.models import Payment
from steadfast.providers.models import Provider
from steadfast.status.incidents import incident_open
from steadfast.status.models import Incident

EVENING = datetime(2026, 11, 30, 16, 56, tzinfo=UTC)  # 17:56 in Warsaw (CET, UTC+1)
NAMED = "30 Nov 2026, 17:56 CET"
pytestmark = pytest.mark.django_db


def cell(html, css_class):
    """The text of the first readonly field, inline cell or list column named `css_class` (field-created_at_shop)."""
    found = re.findall(rf'class="[^"]*\b{css_class}"[^>]*>\s*(?:<label[^>]*>[^<]*</label>\s*)?'
                       rf'(?:<div class="readonly">|<p>)?([^<]*)<', html)
    texts = [text.strip() for text in found if text.strip()]  # not the form row that wraps several fields
    assert texts, css_class
    return texts[0]


@pytest.fixture
def order(make_variant, details, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    placed, _ = order_place(lines=[(make_variant(stock=5).pk, 1)], details=details, idempotency_key="zone-1")
    order_mark_paid(placed, SYSTEM)
    provider = Provider.objects.create(kind="payment", code="zone-card", adapter="stripe", name="Card (Zone)")
    Payment.objects.create(order=placed, provider=provider, state=Payment.State.UNKNOWN, amount=placed.total,
                           currency=placed.currency)
    Order.objects.filter(pk=placed.pk).update(created_at=EVENING, paid_at=EVENING)
    OrderEvent.objects.filter(order=placed).update(created_at=EVENING)
    Payment.objects.filter(order=placed).update(created_at=EVENING, updated_at=EVENING)
    return placed


def test_order_page_list_and_dashboard_name_the_shop_zone(admin_client, order):
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert NAMED in cell(page, "field-created_at_shop") and NAMED in cell(page, "field-paid_at_shop")
    timeline = page[page.index('id="events-group"'):]
    assert cell(timeline, "field-created_at_shop") == NAMED  # the order's timeline
    payments = page[page.index('id="payments-group"'):]
    assert cell(payments, "field-created_at_shop") == NAMED  # its payment lines
    assert "16:56" not in page  # nothing left in UTC

    listing = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert cell(listing, "field-placed") == NAMED

    incident = incident_open("Card payments failing", "Looking into it.", components=[])
    Incident.objects.filter(pk=incident.pk).update(created_at=EVENING)
    dashboard = admin_client.get(reverse("admin:index")).content.decode()
    latest = dashboard[dashboard.index('id="sf-recent-orders"'):]
    assert "30 Nov, 17:56 CET" in latest[:latest.index("</table>")]
    assert "since 30 Nov, 17:56 CET" in dashboard  # the open incident on the outage panel
    assert "16:56" not in dashboard


def test_every_admin_list_and_record_still_opens(admin_client, order):
    """The mixin swaps field names on some twenty admins: each list and one record of each opens, times named."""
    incident_open("Card payments failing", "Looking into it.", components=[])
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ShopTimeAdminMixin):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listing = admin_client.get(reverse(f"{info}_changelist"), follow=True)  # provider health redirects
        assert listing.status_code == 200, info
        record = model.objects.first()
        if record is not None:
            page = admin_client.get(reverse(f"{info}_change", args=[record.pk]), follow=True)
            assert page.status_code == 200, info
            assert " UTC" not in page.content.decode(), info


def test_no_record_page_shows_a_time_twice(rf, admin_user):
    """A time field listed as read-only is taken out of the form and shown once, in the shop's zone (Django lists the
    form's fields and then the read-only ones: without care a swapped name comes twice)."""
    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ShopTimeAdminMixin):
            fields = [name for _title, options in model_admin.get_fieldsets(request) for entry in options["fields"]
                      for name in (entry if isinstance(entry, (list, tuple)) else [entry])]
            shown_twice = {name for name in fields if fields.count(name) > 1}
            assert not shown_twice, f"{model._meta.label}: {sorted(shown_twice)}"
