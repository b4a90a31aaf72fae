"""The admin's template preview: every kind of message, in each language, with its SMS length; and the counting."""

import pytest

from steadfast.notify.preview import message_kinds, sms_segments

URL = "/admin/notify/outboxmessage/preview/"


def test_sms_segments_count_as_networks_do():
    assert sms_segments("a" * 160) == {"encoding": "GSM-7", "length": 160, "segments": 1}
    assert sms_segments("a" * 161)["segments"] == 2 and sms_segments("a" * 307)["segments"] == 3
    assert sms_segments("€" * 80) == {"encoding": "GSM-7", "length": 160, "segments": 1}  # escape + €
    assert sms_segments("я" * 70)["segments"] == 1 and sms_segments("я" * 71)["segments"] == 2
    assert sms_segments("ą")["encoding"] == "UCS-2" and sms_segments("🙂")["length"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("language, confirmed", [("en", "Your order SF-000123 is confirmed"),
                                                 ("pl", "Twoje zamówienie SF-000123 zostało potwierdzone"),
                                                 ("ru", "Ваш заказ SF-000123 подтверждён")])
def test_every_kind_renders_in_each_language(admin_client, language, confirmed):
    response = admin_client.get(URL, {"lang": language})
    page = response.content.decode()
    assert response.status_code == 200
    kinds = message_kinds()
    assert {"order_confirmation", "order_shipped", "staff_alert", "campaign", "telegram_linked"} <= set(kinds)
    for kind in kinds:
        assert f'id="kind-{kind}"' in page
    assert "does not render" not in page
    assert confirmed in page and "UCS-2" in page
    html = admin_client.get(f"/admin/notify/outboxmessage/preview/order_confirmation/{language}/html/")
    assert html.status_code == 200 and confirmed in html.content.decode() and "<html" in html.content.decode()
    assert "frame-ancestors 'self'" in html["Content-Security-Policy"] and html["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.django_db
def test_the_preview_is_for_staff_only(client, django_user_model):
    django_user_model.objects.create_user("ann", "ann@example.com", "pw-123456789")
    client.login(username="ann", password="pw-123456789")
    assert client.get(URL).status_code == 302  # to the admin login


@pytest.mark.django_db
@pytest.mark.parametrize("language, texts", [
    ("pl", ["[kampania wstrzymana]", "Tutaj otrzymasz informacje o zamówieniu SF-000123", "Podgląd szablonów"]),
    ("ru", ["[рассылка приостановлена]", "Здесь вы будете получать новости о заказе SF-000123",
            "Предпросмотр шаблонов"]),
])
def test_short_texts_and_admin_strings_are_translated(admin_client, language, texts):
    page = admin_client.get(URL, {"lang": language}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    page += admin_client.get("/admin/notify/outboxmessage/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in texts:
        assert text in page


@pytest.mark.django_db
def test_the_account_page_in_polish(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ann@example.com", "ann@example.com", "x-123456789"))
    page = client.get("/account/messages/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Jak się z Tobą kontaktujemy" in page and "Zamówienia i płatności" in page
