"""The staff dashboard during an outage: providers, mode, incidents, banner, drills, outbox, confirming payments."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.notify.models import OutboxMessage
from steadfast.orders.outage import outage_overview, payments_confirming
from steadfast.payments.models import Payment
from steadfast.providers.breaker import breaker_admit, breaker_record
from steadfast.providers.models import Attempt, Provider, ProviderAudit
from steadfast.status.incidents import incident_open
from steadfast.status.models import Banner
from steadfast.status.services import shop_mode_set

INDEX = reverse("admin:index")
pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(db):
    return Provider.objects.create(kind="payment", code="dash-card", adapter="stripe", name="Card (Dash)",
                                   config={"api_base": "http://127.0.0.1:9/"})


def open_breaker(provider):
    """Three Unavailable calls in a row, recorded the way providers.call records them."""
    for _ in range(3):
        breaker_record(provider, breaker_admit(provider), Attempt.Outcome.UNAVAILABLE, "HTTP 503")


@pytest.fixture
def order(make_variant, details):
    counter = {"n": 0}

    def place():
        counter["n"] += 1
        variant = make_variant(stock=5, price="20.00")
        placed, _ = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key=f"outage-{counter['n']}")
        return placed

    return place


def payment(order, provider, state, checks=0):
    return Payment.objects.create(order=order, provider=provider, state=state, amount=order.total,
                                  currency=order.currency, checks=checks)


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</div>", start)]


def figure(html, element_id):
    return re.search(rf'id="{element_id}">\s*([^<]*?)\s*<', html).group(1)


def test_everything_working_says_so(admin_client, gateway):
    html = admin_client.get(INDEX).content.decode()
    assert figure(html, "sf-health-pill") == "Everything is working"
    assert figure(html, "sf-providers-out") == "0" and figure(html, "sf-mode") == "Open"
    assert "Card (Dash)" in section(html, "sf-providers") and "Working" in section(html, "sf-providers")
    assert 'id="sf-drills"' not in html and 'id="sf-confirming-list"' not in html


def test_outage_shows_providers_mode_incident_banner_drill_outbox_and_confirming(admin_client, gateway, order,
                                                                                 settings):
    settings.INCIDENT_AFTER_SECONDS = 3600  # only the incident staff open here, not the breaker's automatic one
    other = Provider.objects.create(kind="payment", code="dash-wallet", adapter="paypal", name="Wallet (Dash)")
    open_breaker(gateway)
    shop_mode_set("phone_orders", None, "card gateway out")
    incident = incident_open("Card payments failing", "We are looking into it.", components=["payment-dash-card"])
    Banner.objects.create(message="Pay by bank transfer or call us.", severity="critical")
    ProviderAudit.objects.create(provider=gateway, actor="admin", action=ProviderAudit.Action.DRILL_START,
                                 reason="drill", details={"fault": "hang"})
    ProviderAudit.objects.create(provider=other, actor="admin", action=ProviderAudit.Action.DRILL_START, reason="d")
    ProviderAudit.objects.create(provider=other, actor="admin", action=ProviderAudit.Action.DRILL_END, reason="d")
    OutboxMessage.objects.create(key="late", kind="order_confirmation", recipient="a@example.com",
                                 next_attempt_at=timezone.now() - timedelta(hours=1))
    OutboxMessage.objects.create(key="dead", kind="staff_alert", recipient="b@example.com", status="dead")
    OutboxMessage.objects.create(key="sent", kind="staff_alert", recipient="c@example.com", status="sent")
    lost, returned, fresh, paid = order(), order(), order(), order()
    payment(lost, gateway, Payment.State.UNKNOWN)
    payment(returned, gateway, Payment.State.PENDING, checks=1)  # the customer came back, the provider says pending
    payment(fresh, gateway, Payment.State.PENDING)  # still on the gateway's page: not ours to worry about yet
    payment(paid, gateway, Payment.State.SUCCEEDED, checks=1)

    html = admin_client.get(INDEX).content.decode()

    assert figure(html, "sf-health-pill") == "Needs attention"
    assert figure(html, "sf-mode") == "Phone orders only"
    assert figure(html, "sf-providers-out") == "1"
    providers = section(html, "sf-providers")
    assert providers.index("Card (Dash)") < providers.index("Wallet (Dash)")  # what is out comes first
    row = providers[providers.index("Card (Dash)"):]
    assert "Out of service" in row[: row.index("</tr>")]
    assert reverse("admin:providers_provider_change", args=[gateway.pk]) in providers
    assert figure(html, "sf-incidents") == "1"
    assert reverse("admin:status_incident_change", args=[incident.pk]) in section(html, "sf-incidents-list")
    assert "Pay by bank transfer or call us." in section(html, "sf-banner")
    drills = section(html, "sf-drills")
    assert "Card (Dash)" in drills and "Hang" in drills and "Wallet (Dash)" not in drills
    pending = OutboxMessage.objects.filter(status="pending").count()  # order confirmations, the staff alert, "late"
    assert pending >= 5 and figure(html, "sf-outbox-pending") == str(pending)
    assert figure(html, "sf-outbox-dead") == "1"
    assert "1 late" in html
    assert figure(html, "sf-confirming") == "2"
    confirming = html[html.index('id="sf-confirming-list"'):]
    confirming = confirming[: confirming.index("</table>")]
    assert lost.number in confirming and returned.number in confirming
    assert fresh.number not in confirming and paid.number not in confirming

    # Each card leads to the matching list.
    listed = admin_client.get(reverse("admin:orders_order_changelist"), {"todo": "confirming"})
    assert set(listed.context["cl"].result_list) == {lost, returned}
    assert 'href="/admin/orders/order/?todo=confirming"' in html
    outbox = admin_client.get(reverse("admin:notify_outboxmessage_changelist"), {"status__exact": "dead"})
    assert [m.key for m in outbox.context["cl"].result_list] == ["dead"]
    incidents = admin_client.get(reverse("admin:status_incident_changelist"),
                                 {"status__in": "investigating,identified,monitoring"})
    assert list(incidents.context["cl"].result_list) == [incident]
    assert admin_client.get(reverse("admin:status_shopmode_change", args=[1])).status_code == 200


def test_automatic_banner_is_shown_as_automatic(admin_client, gateway):
    open_breaker(gateway)
    html = admin_client.get(INDEX).content.decode()
    banner = section(html, "sf-banner")
    assert "Written automatically from provider health." in banner
    assert "unavailable" in banner


def test_a_confirming_state_added_later_is_counted_too(gateway, order):
    # i8a may add a "confirming" state; the selector counts whatever of these names the model has.
    lost = order()
    payment(lost, gateway, Payment.State.UNKNOWN)
    assert list(payments_confirming().values_list("order_id", flat=True)) == [lost.pk]
    assert outage_overview().confirming_count == 1


def test_staff_without_order_permission_see_no_outage_panel(client, django_user_model, gateway):
    open_breaker(gateway)
    user = django_user_model.objects.create_user("clerk", password="pw-12345-long", is_staff=True)
    client.force_login(user)
    assert 'id="sf-outage"' not in client.get(INDEX).content.decode()
