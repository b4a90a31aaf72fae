from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steadfast.checkout.tests.walk import CONTACT, add_to_cart
from steadfast.status.incidents import incidents_sync
from steadfast.status.models import Incident, IncidentStatus, ModeChange, Policy, PolicyEvent
from steadfast.status.policies import policies_evaluate
from steadfast.status.selectors import current_mode, payment_methods_order_hint
from steadfast.status.services import shop_mode_set
from steadfast.status.tasks import status_tick_task

pytestmark = pytest.mark.django_db


def test_last_gateway_out_fires_the_default_policy_at_once(
    client, card, default_policy, break_provider, recover_provider, settings
):
    settings.INCIDENT_AFTER_SECONDS = 0
    assert payment_methods_order_hint() == ""

    break_provider(card)  # the health_changed signal evaluates policies: no waiting for the minute tick

    default_policy.refresh_from_db()
    assert default_policy.active_since is not None
    incident = Incident.objects.get()
    assert incident.title == "Online payments are unavailable" and incident.automatic
    assert incident.components == [f"payment-{card.code}"] and incident.provider is None
    assert default_policy.incident == incident
    assert [e.action for e in PolicyEvent.objects.order_by("id")] == ["fired", "offline_first", "banner", "incident"]
    assert payment_methods_order_hint() == "offline_first"
    assert "You can still order and pay with Cash on delivery" in client.get("/p/plain/").content.decode()
    summary = client.get("/status/api/v2/summary.json").json()
    assert summary["incidents"][0]["name"] == "Online payments are unavailable"

    # Idempotent: the tick (and a second signal) add nothing; the provider's own incident is not opened twice over.
    status_tick_task.call_local()
    policies_evaluate()
    assert Incident.objects.count() == 1 and PolicyEvent.objects.count() == 4

    recover_provider(card)
    default_policy.refresh_from_db()
    assert default_policy.active_since is None
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED  # automatic incidents close on recovery
    assert payment_methods_order_hint() == ""
    assert PolicyEvent.objects.filter(action="cleared").count() == 1


def test_provider_out_policy_waits_its_time_and_sets_the_mode(card, break_provider, recover_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 3600
    policy = Policy.objects.create(
        name="Payments out 2 min", condition="provider_out", provider_kind="payment", out_seconds=120,
        actions=["set_mode"], mode="phone_orders",
    )
    break_provider(card)
    incidents_sync()  # the health check makes it degraded on its own
    assert policies_evaluate(timezone.now() + timedelta(seconds=60)) == []
    assert current_mode().mode == "degraded"

    [verdict] = policies_evaluate(timezone.now() + timedelta(seconds=121))
    assert verdict.fires and "Card payments" in verdict.reason
    assert current_mode().mode == "phone_orders"
    change = ModeChange.objects.first()
    assert (change.actor, change.from_mode, change.to_mode) == (
        "policy: Payments out 2 min", "degraded", "phone_orders"
    )
    assert policies_evaluate(timezone.now() + timedelta(seconds=180)) == []  # nothing twice

    recover_provider(card)
    status_tick_task.call_local()  # the minute tick: policies clear, the health check reopens the shop
    assert current_mode().mode == "open"
    policy.refresh_from_db()
    assert policy.active_since is None


def test_policy_never_overrides_a_mode_staff_chose(card, break_provider, staff):
    shop_mode_set("catalog_only", staff, "stocktaking")
    Policy.objects.create(name="p", condition="provider_out", provider_kind="payment", out_seconds=0,
                          actions=["set_mode"], mode="degraded")
    break_provider(card)
    assert current_mode().mode == "catalog_only"
    assert "staff" in PolicyEvent.objects.get(action="set_mode").detail


def test_error_rate_policy_counts_5xx_responses(settings):
    from django.core.cache import cache

    from steadfast.status.traffic import KEY, error_rate, traffic_flush

    settings.STATUS_TRAFFIC_FLUSH_SECONDS = 0
    traffic_flush()  # counts earlier tests left in this process's memory
    minute = int(timezone.now().timestamp() // 60)
    cache.delete_many([KEY.format(minute=m, kind=k) for m in range(minute - 10, minute + 2) for k in ("all", "5xx")])
    policy = Policy.objects.create(
        name="Errors", condition="error_rate_high", window_minutes=5, error_percent=30, min_requests=10,
        actions=["incident", "banner", "set_mode"], mode="degraded", message="We have a technical problem.",
    )
    shopper = Client(raise_request_exception=False)
    for _ in range(8):
        assert shopper.get("/p/plain/").status_code == 200
    assert policies_evaluate() == []  # too few requests to judge
    for _ in range(4):
        assert shopper.get("/p/broken/").status_code == 500
    assert error_rate(5) == (12, 4)

    [verdict] = policies_evaluate()
    assert verdict.fires and "4 of 12 responses" in verdict.reason
    incident = Incident.objects.get()
    assert incident.title == "The website is having problems" and incident.components == ["website"]
    assert incident.updates.get().message == "We have a technical problem."
    assert current_mode().mode == "degraded"
    assert "We have a technical problem." in shopper.get("/p/plain/").content.decode()

    # The health check sees every provider working; the policy still holds the mode.
    incidents_sync()
    assert current_mode().mode == "degraded"

    # Intentional 503s (maintenance, with Retry-After) are not errors.
    for _ in range(40):
        shopper.get("/p/plain/")
    [verdict] = policies_evaluate()
    assert not verdict.fires
    assert current_mode().mode == "open"
    assert Incident.objects.get().status == IncidentStatus.RESOLVED
    policy.refresh_from_db()
    assert policy.active_since is None


def test_maintenance_503_does_not_count_as_an_error(settings):
    from django.http import HttpResponse

    from steadfast.status.traffic import is_error

    intentional = HttpResponse(status=503)
    intentional["Retry-After"] = "60"
    assert not is_error(intentional) and is_error(HttpResponse(status=503)) and is_error(HttpResponse(status=502))


def _superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")


def test_dry_run_shows_what_would_fire_and_changes_nothing(
    client, card, break_provider, django_user_model, default_policy
):
    Policy.objects.update(enabled=False)
    break_provider(card)  # the policy is off: nothing fires
    Policy.objects.update(enabled=True)
    Policy.objects.create(name="Web errors", condition="error_rate_high", actions=["incident"])
    before = (Incident.objects.count(), ModeChange.objects.count(), PolicyEvent.objects.count(), current_mode().mode)
    client.force_login(_superuser(django_user_model))

    page = client.get(reverse("admin:status_policy_dry_run"))

    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(f'class="policy-{default_policy.pk}"'):]
    row = row[: row.index("</tr>")]
    assert "yes" in row and "Open a public incident." in row and "offline payment methods first" in row
    assert "Card payments" in row
    assert "Nothing." in html  # the error-rate policy would not fire
    after = (Incident.objects.count(), ModeChange.objects.count(), PolicyEvent.objects.count(), current_mode().mode)
    assert after == before
    assert Policy.objects.filter(active_since__isnull=False).count() == 0
    assert payment_methods_order_hint() == ""
    assert "Dry run" in client.get(reverse("admin:status_policy_changelist")).content.decode()


def test_admin_rejects_a_provider_policy_without_a_kind(client, django_user_model):
    client.force_login(_superuser(django_user_model))
    count = Policy.objects.count()
    response = client.post(reverse("admin:status_policy_add"), {
        "name": "x", "enabled": "on", "condition": "provider_out", "provider_kind": "", "out_seconds": "60",
        "window_minutes": "5", "error_percent": "20", "min_requests": "20", "actions": ["incident"],
        "mode": "degraded", "message": "", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "Choose the kind of provider this policy watches." in response.content.decode()
    assert Policy.objects.count() == count


def test_checkout_lists_offline_methods_first_with_notice(client, card, default_policy, break_provider,
                                                          make_variant, settings):
    def payment_page():
        add_to_cart(client, make_variant(stock=3, price="10.00"))
        client.post(reverse("checkout:contact"), CONTACT)
        client.post(reverse("checkout:delivery"), {"method": "pickup"})
        return client.get(reverse("checkout:payment")).content.decode()

    page = payment_page()
    assert page.index("Card payments") < page.index("Pay at pickup") and 'id="offline-first"' not in page

    break_provider(card)  # cool-down 0: the card is still offered (its next call is the trial), but last
    page = payment_page()
    assert page.index("Pay at pickup") < page.index("Bank transfer") < page.index("Card payments")
    assert 'id="offline-first"' in page and settings.SHOP_PHONE in page
