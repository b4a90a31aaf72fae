import pytest

from steadfast.status.models import Banner

pytestmark = pytest.mark.django_db

INJECTED = (
    'Card payments are down. <script>alert("x")</script><a href="javascript:alert(1)" onclick="x()">click</a> '
    '<img src=x onerror="alert(2)"><strong>Call us</strong> <a href="tel:+48221002030">+48 22 100 20 30</a>'
)


def _banner_html(client, url="/p/plain/", **kwargs):
    """The banner part of the page (the page itself loads the shop's own script file)."""
    body = client.get(url, **kwargs).content.decode()
    if 'id="status-banner"' not in body:
        return ""
    start = body.index('<aside class="status-banner')
    return body[start : body.index("</aside>", start)]


def _banner(**fields):
    defaults = {
        "message": "Our card terminal is down.",
        "severity": "warning",
        "phone": "+48 22 100 20 30",
        "email": "help@steadfast.example",
        "telegram": "https://t.me/steadfast_shop",
        "whatsapp": "https://wa.me/48221002030",
        "vk": "https://vk.com/steadfast",
    }
    return Banner.objects.create(**{**defaults, **fields})


def test_injected_script_never_reaches_the_page(client):
    banner = _banner(message=INJECTED, translations={"pl": "<script>evil()</script>Płatności kartą nie działają"})
    banner.refresh_from_db()
    assert "<script" not in banner.message and "javascript:" not in banner.message and "onerror" not in banner.message
    assert "<script" not in banner.translations["pl"]
    body = _banner_html(client)
    assert "Card payments are down." in body and "<strong>Call us</strong>" in body
    assert '<a href="tel:+48221002030"' in body
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body and "onclick" not in body


def test_text_written_around_save_is_sanitized_on_render(client):
    banner = _banner()
    Banner.objects.filter(pk=banner.pk).update(message="<script>alert(1)</script><em>Delayed</em>")
    from steadfast.status.selectors import banner_cache_clear

    banner_cache_clear()
    body = _banner_html(client)
    assert "<em>Delayed</em>" in body and "<script" not in body


def test_each_contact_has_a_local_qr_code(client):
    _banner()
    banner_html = _banner_html(client)
    assert banner_html.count("<svg") == 5
    for href in (
        "tel:+48221002030",
        "mailto:help@steadfast.example",
        "https://t.me/steadfast_shop",
        "https://wa.me/48221002030",
        "https://vk.com/steadfast",
    ):
        assert f'href="{href}"' in banner_html
        assert f"<title>{href}</title>" in banner_html  # the QR code encodes that very link


def test_translated_message_follows_the_language(client):
    _banner(message="Card payments are down.", translations={"pl": "Płatności kartą nie działają."})
    body = client.get("/p/plain/", headers={"accept-language": "pl"}).content.decode()
    assert "Płatności kartą nie działają." in body


def test_dismiss_hides_banner_for_the_session_without_js(client):
    banner = _banner()
    assert 'id="status-banner"' in client.get("/p/plain/").content.decode()
    response = client.post("/status/banner/dismiss", {"next": "/p/plain/"})
    assert response.status_code == 302 and response["Location"] == "/p/plain/"
    assert 'id="status-banner"' not in client.get("/p/plain/").content.decode()
    # A new text comes back even after dismissal.
    banner.message = "Now the courier is late too."
    banner.save()
    assert "Now the courier is late too." in client.get("/p/plain/").content.decode()


def test_dismiss_never_redirects_off_site(client):
    _banner()
    response = client.post("/status/banner/dismiss", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_inactive_banner_is_not_shown(client):
    _banner(active=False)
    assert 'id="status-banner"' not in client.get("/p/plain/").content.decode()


def test_automatic_banner_when_online_payments_are_out(client, card, break_provider):
    assert 'id="status-banner"' not in client.get("/p/plain/").content.decode()
    break_provider(card)
    body = client.get("/p/plain/").content.decode()
    assert "Card and online payments are temporarily unavailable" in body
    assert "Cash on delivery" in body
    # Staff text replaces the automatic one.
    _banner(message="We know about the card problem; pay on delivery please.")
    body = client.get("/p/plain/").content.decode()
    assert "We know about the card problem" in body
    assert "Card and online payments are temporarily unavailable" not in body
