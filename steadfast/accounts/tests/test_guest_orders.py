"""Guest orders join the account once its e-mail address is verified; guests can have their order link e-mailed."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.orders.models import Order

PASSWORD = "Corrugated-Lantern-42"
SHOTS = Path(django_settings.BASE_DIR) / "var" / "shots"


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://shop.example"
    settings.RATELIMIT_ORDER_LOOKUP = "1000/m"
    return mail.outbox


def guest_order(client, make_variant, email="ann@example.com"):
    add_to_cart(client, make_variant())
    contact = {"full_name": "Ann Nowak", "email": email, "phone": "+48 600 100 200"}
    place(client, walk_to_review(client, contact=contact))
    order = Order.objects.filter(email__iexact=email).latest("pk")
    client.get(order.get_absolute_url())  # shows (and so clears) the "order placed" message
    return order


def link_in(message, pattern):
    found = re.search(pattern, message.body)
    assert found, f"no link matching {pattern} in:\n{message.body}"
    return found.group(0).removeprefix("https://shop.example")


@pytest.mark.django_db
def test_guest_order_joins_the_account_when_the_signup_link_is_opened(client, make_variant, mailbox):
    """One link (sign-up): it activates the account and proves the address, so earlier guest orders join it."""
    order = guest_order(client, make_variant, email="Ann@Example.com")
    outbox_sweep()
    mailbox.clear()
    client.post(reverse("accounts:signup"), {"email": "ann@example.com", "password1": PASSWORD,
                                             "password2": PASSWORD})
    order.refresh_from_db()
    assert order.user is None  # the sign-up alone proves nothing: not linked, not logged in
    assert "_auth_user_id" not in client.session

    outbox_sweep()
    [message] = [m for m in mailbox if m.to == ["ann@example.com"]]
    assert "Orders you placed as a guest with this address" in message.body
    response = client.get(link_in(message, r"https://shop\.example/account/activate/[^\s]+/"))
    assert response["Location"] == reverse("accounts:orders")
    page = client.get(reverse("accounts:orders")).content.decode()
    assert order.number in page and 'id="verify-notice"' not in page
    order.refresh_from_db()
    assert order.user.email == "ann@example.com"


@pytest.mark.django_db
def test_a_guest_order_placed_after_verification_joins_at_the_next_login(client, make_variant, mailbox,
                                                                          django_user_model):
    from steadfast.accounts.services import email_verify, verification_send

    user = django_user_model.objects.create_user("bob@example.com", "bob@example.com", PASSWORD)
    verification_send(user, "en")
    outbox_sweep()
    token = link_in(mailbox[-1], r"/account/verify/[^\s/]+/").split("/")[-2]
    assert email_verify(token) == user
    order = guest_order(client, make_variant, email="bob@example.com")
    assert Order.objects.get(pk=order.pk).user is None
    client.post(reverse("accounts:login"), {"username": "bob@example.com", "password": PASSWORD})
    assert Order.objects.get(pk=order.pk).user == user


@pytest.mark.django_db
def test_a_tampered_or_stale_link_links_nothing(client, make_variant, mailbox, django_user_model):
    from steadfast.accounts.services import verification_send

    order = guest_order(client, make_variant, email="eve@example.com")
    user = django_user_model.objects.create_user("eve@example.com", "eve@example.com", PASSWORD)
    verification_send(user, "en")
    outbox_sweep()
    link = link_in([m for m in mailbox if "Confirm" in m.subject][-1], r"/account/verify/[^\s]+/")
    tampered = link.replace("/verify/", "/verify/x")
    response = client.get(tampered, follow=True)
    assert "invalid or too old" in response.content.decode()
    user.email = "other@example.com"  # the address changed after the link was sent: it proves the old one only
    user.save()
    client.get(link)
    assert Order.objects.get(pk=order.pk).user is None


@pytest.mark.django_db
def test_lookup_mails_the_link_and_answers_the_same_when_nothing_matches(client, make_variant, mailbox):
    order = guest_order(client, make_variant)
    outbox_sweep()
    mailbox.clear()
    url = reverse("accounts:order_lookup")

    answers = []
    for number, email in [(order.number, "ANN@example.com"), (order.number, "mallory@example.com"),
                          ("SF-999999", "ann@example.com")]:
        answers.append(re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", client.post(
            url, {"number": number.lower(), "email": email}, follow=True).content.decode()))
    assert answers[0] == answers[1] == answers[2] and "we have sent the link to it there" in answers[0]
    assert OutboxMessage.objects.filter(kind="order_lookup").count() == 1
    outbox_sweep()
    [message] = mailbox
    assert message.to == ["ann@example.com"] and order.number in message.subject
    assert "https://shop.example" + order.get_absolute_url() in message.body


@pytest.mark.django_db
def test_lookup_mails_at_most_three_an_hour_per_order(client, make_variant, mailbox):
    order = guest_order(client, make_variant)
    for _ in range(5):
        client.post(reverse("accounts:order_lookup"), {"number": order.number, "email": order.email})
    assert OutboxMessage.objects.filter(kind="order_lookup", order=order).count() == 3


@pytest.mark.django_db
def test_lookup_is_rate_limited_per_address(client, settings):
    settings.RATELIMIT_ORDER_LOOKUP = "2/m"
    codes = [client.post(reverse("accounts:order_lookup"), {"number": "SF-000001", "email": f"x{i}@example.com"}
                         ).status_code for i in range(3)]
    assert codes == [302, 302, 429]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lookup_page_in_a_browser(page, make_variant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name="Find your order").click()
    page.get_by_label("Order number").fill("SF-000042")
    page.get_by_label("E-mail used for the order").fill("ann@example.com")
    page.get_by_role("button", name="E-mail me the link").click()
    assert page.get_by_text("we have sent the link to it there").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "order-lookup.png", full_page=True)
