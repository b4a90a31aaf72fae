import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review
from steadfast.orders.models import Order

pytestmark = pytest.mark.django_db
PASSWORD = "Corrugated-Lantern-42"


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user("ann@example.com", "ann@example.com", PASSWORD)


def _link(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_signup_sends_a_link_that_activates_logs_in_and_keeps_the_cart(client, make_variant, django_user_model,
                                                                        settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    variant = make_variant()
    add_to_cart(client, variant, 2)

    response = client.post(reverse("accounts:signup"),
                           {"email": "New@Example.com", "password1": PASSWORD, "password2": PASSWORD})

    assert response["Location"] == reverse("accounts:signup_sent")
    user = django_user_model.objects.get()
    assert user.username == user.email == "new@example.com" and not user.is_active
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["new@example.com"]]

    response = client.get(_link(mail.outbox[0]))
    assert response["Location"] == reverse("accounts:orders")
    user.refresh_from_db()
    assert user.is_active and client.session["_auth_user_id"] == str(user.pk)
    assert client.session["cart"] == {str(variant.pk): 2}
    assert client.get(_link(mail.outbox[0])).status_code == 400  # a used link does not work twice


def test_signup_does_not_reveal_that_an_email_has_an_account(client, customer, django_user_model, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    taken = client.post(reverse("accounts:signup"),
                        {"email": "ANN@example.com", "password1": PASSWORD + "x", "password2": PASSWORD + "x"})
    fresh = Client().post(reverse("accounts:signup"),
                          {"email": "zoe@example.com", "password1": PASSWORD + "x", "password2": PASSWORD + "x"})

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("accounts:signup_sent")
    page = client.get(taken["Location"]).content.decode()
    assert "already" not in page and "ann@example.com" in page
    # The owner of the mailbox learns it; the account and its password are untouched.
    assert "already have one" in mail.outbox[0].body and mail.outbox[0].to == ["ann@example.com"]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD) and django_user_model.objects.count() == 2


def test_signup_errors_are_shown_next_to_the_fields(client, customer, django_user_model):
    data = {"email": "ANN@example.com", "password1": "123", "password2": "124"}
    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"password2"}
    assert "already exists" not in response.content.decode()
    assert django_user_model.objects.count() == 1


def test_signup_is_throttled_per_address(client, settings, django_user_model):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATELIMIT_SIGNUP = "3/h"
    statuses = [client.post(reverse("accounts:signup"), {"email": f"u{n}@example.com", "password1": PASSWORD,
                                                         "password2": PASSWORD}).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert django_user_model.objects.count() == 3 and len(mail.outbox) == 3


def test_two_step_login_keeps_the_cart(client, customer, make_variant):
    variant = make_variant()
    add_to_cart(client, variant, 3)
    guest_session = client.session.session_key

    login_page = client.get(reverse("accounts:login") + "?next=" + reverse("checkout:contact"))
    assert login_page.status_code == 200
    response = client.post(reverse("accounts:login"), {"username": "ANN@example.com", "password": PASSWORD,
                                                       "next": reverse("checkout:contact")})

    assert response["Location"] == reverse("checkout:contact")
    assert client.session.session_key != guest_session  # Django rotates the key against fixation...
    assert client.session["cart"] == {str(variant.pk): 3}  # ...and keeps the data
    assert "ann@example.com" in client.get(reverse("checkout:contact")).content.decode()


def test_wrong_password_shows_a_message(client, customer):
    response = client.post(reverse("accounts:login"), {"username": "ann@example.com", "password": "nope"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "correct" in response.content.decode()


def test_logout_is_post_only(client, customer):
    client.force_login(customer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_orders_placed_while_logged_in_are_in_the_account_history(client, customer, make_variant, django_user_model):
    other = django_user_model.objects.create_user("zed@example.com", "zed@example.com", PASSWORD)
    client.force_login(customer)
    add_to_cart(client, make_variant())
    place(client, walk_to_review(client))
    mine = Order.objects.get()
    stranger = Client()
    stranger.force_login(other)
    add_to_cart(stranger, make_variant())
    zed = {"full_name": "Zed", "email": "zed@example.com", "phone": "600100200"}
    place(stranger, walk_to_review(stranger, contact=zed))

    page = client.get(reverse("accounts:orders")).content.decode()

    assert mine.user == customer
    assert mine.number in page and mine.get_absolute_url() in page
    assert Order.objects.exclude(pk=mine.pk).get().number not in page


def test_order_history_needs_login(client):
    response = client.get(reverse("accounts:orders"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_by_email(client, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = client.get("/" + path, follow=True)
    assert form.context["validlink"]
    response = client.post(form.request["PATH_INFO"], {"new_password1": "Another-Lantern-77",
                                                       "new_password2": "Another-Lantern-77"})

    assert response["Location"] == reverse("accounts:password_reset_complete")
    customer.refresh_from_db()
    assert customer.check_password("Another-Lantern-77")


def test_password_reset_emails_are_limited_per_account_and_per_address(client, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATELIMIT_PASSWORD_RESET_EMAIL, settings.RATELIMIT_PASSWORD_RESET_IP = "3/h", "6/h"
    pages = [client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"}) for _ in range(5)]
    # The shopper sees the same "check your e-mail" answer each time; only three e-mails go out.
    assert [p["Location"] for p in pages] == [reverse("accounts:password_reset_done")] * 5
    assert len(mail.outbox) == 3
    more = [client.post(reverse("accounts:password_reset"), {"email": f"x{n}@example.com"}).status_code
            for n in range(2)]
    assert more == [302, 429]  # the seventh request from this address


def test_eleventh_login_attempt_in_a_minute_gets_429(settings, customer):
    settings.RATELIMIT_LOGIN = "10/h"  # an hour-long window cannot roll over mid-test
    settings.AXES_FAILURE_LIMIT = 50  # this test is about the request rate, not the lockout
    client = Client(REMOTE_ADDR=f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
    statuses = [client.post(reverse("accounts:login"), {"username": "ann@example.com", "password": "x"}).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_account_emails_come_from_the_shop_and_replies_go_to_it(client, customer, settings):
    """Sign-up, "you already have an account" and password reset: the From and Reply-To order e-mails carry."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Steadfast Outfitters <shop@steadfast.example>"
    settings.EMAIL_REPLY_TO = "help@steadfast.example"
    for email in ("new@example.com", "ann@example.com"):
        Client().post(reverse("accounts:signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})

    assert [m.to for m in mail.outbox] == [["new@example.com"], ["ann@example.com"], ["ann@example.com"]]
    for sent in mail.outbox:
        headers = sent.message()
        assert headers["From"] == "Steadfast Outfitters <shop@steadfast.example>", sent.subject
        assert headers["Reply-To"] == "help@steadfast.example", sent.subject


def test_a_reset_e_mail_the_esp_refuses_answers_like_an_unknown_address(client, customer, settings):
    """Postmark refusing the address (a hard bounce once): the same "check your e-mail" page as for an address with
    no account, never an error page that tells an attacker the account exists."""
    from steadfast.fakes.esp import FakePostmark

    esp = FakePostmark().start()
    try:
        esp.invalid = {"ann@example.com"}
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": esp.server_token, "POSTMARK_API_URL": esp.url + "/"}
        known = client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    finally:
        esp.stop()
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
