"""/status/ is served from cached parts (snapshot, partner shops, the page rendered once per snapshot; issue 16):
what it shows must change at once when a provider goes out or staff change the partner shops, for every visitor."""

import pytest
from django.test import Client

from steadfast.status.models import PartnerShop

pytestmark = pytest.mark.django_db


def _visitor_with_session():
    visitor = Client()
    visitor.get("/")
    visitor.session["seen"] = True  # a session row, as a shopper with a cart has
    visitor.session.save()
    return visitor


def _card_row(html, provider):
    start = html.index(f'id="component-payment-{provider.code}"')
    return html[start:html.index('class="component"', start + 10)]


def test_a_provider_going_out_shows_on_the_next_status_page(card, break_provider):
    visitor = _visitor_with_session()
    before = visitor.get("/status/").content.decode()
    assert card.name in before and "Operational" in _card_row(before, card)
    assert visitor.get("/status/").content.decode() == before  # served again from the cached parts

    break_provider(card)
    after = visitor.get("/status/").content.decode()
    assert "Major outage" in _card_row(after, card), _card_row(after, card)
    assert "Major outage" in Client().get("/status/").content.decode()  # and for a first-time visitor


def test_a_partner_shop_added_removed_or_renamed_shows_at_once():
    visitor = _visitor_with_session()
    assert "Lantern House" not in visitor.get("/status/").content.decode()

    partner = PartnerShop.objects.create(name="Lantern House", url="https://lanterns.example/")
    assert "Lantern House" in visitor.get("/status/").content.decode()

    partner.name = "Lamp Corner"
    partner.save()
    html = visitor.get("/status/").content.decode()
    assert "Lamp Corner" in html and "Lantern House" not in html

    partner.delete()
    assert "Lamp Corner" not in visitor.get("/status/").content.decode()
