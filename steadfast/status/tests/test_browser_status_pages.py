"""The status page, history and an incident permalink as a visitor sees them in Chromium (screenshots in var/shots)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from steadfast.providers.models import Attempt, HealthEvent
from steadfast.status.incidents import incident_open, incident_update
from steadfast.status.maintenance import maintenance_schedule
from steadfast.status.models import IncidentStatus, OriginCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


def _backdate(row, when):
    type(row).objects.filter(pk=row.pk).update(created_at=when)


def _history(card):
    """Thirty days of recorded checks: the website (one maintenance day, one outage day) and the card gateway."""
    now = timezone.now()
    for days_ago in range(30):
        day = now - timedelta(days=days_ago, hours=1)
        outcomes = ["up"] * 23 + (["maintenance"] if days_ago == 9 else ["down"] if days_ago == 4 else ["up"])
        OriginCheck.objects.bulk_create([OriginCheck(created_at=day, outcome=o) for o in outcomes])
        _backdate(Attempt.objects.create(provider=card, operation="probe", outcome="ok"), day)
    for hours, state in ((2 * 24 + 6, "open"), (2 * 24 + 2, "closed")):
        _backdate(
            HealthEvent.objects.create(provider=card, from_state="x", to_state=state), now - timedelta(hours=hours)
        )


def test_status_pages_look_finished(page, card, break_provider, settings):
    settings.SITE_URL = "http://shop.example.com"  # the public name the "back to the shop" link uses
    _history(card)
    past = incident_open("Courier pickups delayed", "The depot is closed by a storm.", ["delivery-courier"], "minor")
    incident_update(past, IncidentStatus.IDENTIFIED, "Pickups resume tomorrow morning.")
    incident_update(past, IncidentStatus.RESOLVED, "Parcels are moving again.")
    past.postmortem = "The depot closed for a storm; we now book a second carrier on storm warnings."
    past.save()
    break_provider(card)
    current = incident_open(
        "Card payments unavailable",
        "The card gateway does not answer. Pay on delivery or by bank transfer.",
        [f"payment-{card.code}"],
        "major",
    )
    start = (timezone.now() + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    maintenance_schedule(
        "maintenance",
        start,
        start + timedelta(hours=1),
        title="Database upgrade",
        message="Ordering pauses for an hour; the catalog stays open.",
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/status/")
    assert page.locator("#overall").inner_text() == "Partial system outage"
    assert page.locator("#back-to-shop").get_attribute("href") == "http://shop.example.com"
    assert "Database upgrade" in page.locator("#scheduled-maintenance + .maintenance").inner_text()
    payments = page.locator("#group-payments")
    assert payments.get_attribute("open") is not None and "Major outage" in payments.locator("summary").inner_text()
    delivery = page.locator("#group-delivery")
    assert delivery.get_attribute("open") is None
    delivery.locator("summary").click()
    assert page.locator("#component-delivery-courier").is_visible()
    website = page.locator("#component-website")
    assert website.locator(".bars span").count() == 90 and website.locator(".bars span.maint").count() == 1
    assert "% uptime (measured days)" in website.inner_text()
    assert "does not depend on an outside service" in page.locator("#component-payment-cash_on_delivery").inner_text()
    page.screenshot(path=str(SHOTS / "status-page.png"), full_page=True)

    page.locator(f"#incident-{current.id} a.title").click()
    page.wait_for_url(f"**/status/incidents/{current.id}/")
    assert page.locator("#item-title").inner_text() == "Card payments unavailable"
    page.goto(f"/status/incidents/{past.id}/")
    assert "we now book a second carrier" in page.locator(".permalink").inner_text()
    assert page.locator(".updates li").count() == 3
    page.screenshot(path=str(SHOTS / "status-incident.png"), full_page=True)

    page.goto("/status/")
    page.locator("#history-link").click()
    page.wait_for_url("**/status/history/")
    assert "Courier pickups delayed" in page.locator(f"#incident-{past.id}").inner_text()
    page.screenshot(path=str(SHOTS / "status-history.png"), full_page=True)


def test_offline_copy_looks_finished_and_says_the_website_is_down(page, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    incident_open("Card payments unavailable", "Pay on delivery or by bank transfer.", ["website"], "major")
    call_command("status", "export", str(tmp_path), "--no-check", stdout=StringIO())
    page.goto((tmp_path / "unreachable" / "index.html").as_uri())
    notice = page.locator("#offline-notice")
    assert notice.is_visible() and "Our website is not answering right now." in notice.inner_text()
    assert page.locator("#overall").inner_text() == "Our website is not answering"
    assert "Major outage" in page.locator("#component-website").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "status-offline.png"), full_page=True)


def test_a_copy_nobody_refreshes_says_so(page, tmp_path):
    """On another host the copy outlives the shop's host; once it is older than a few minutes it says so."""
    from datetime import datetime
    from io import StringIO

    from django.core.management import call_command

    call_command("status", "export", str(tmp_path), "--no-check", stdout=StringIO())
    index = (tmp_path / "index.html").as_uri()
    page.goto(index)
    assert page.locator("#stale-notice").is_hidden() and page.locator("#overall").inner_text() == (
        "All systems operational"
    )
    page.clock.set_fixed_time(datetime.now() + timedelta(minutes=10))
    page.goto(index)
    notice = page.locator("#stale-notice")
    assert notice.is_visible() and "our website may not be answering" in notice.inner_text()
