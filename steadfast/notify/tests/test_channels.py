"""Each channel adapter against a real server on 127.0.0.1 speaking its protocol, through providers.call():
what arrives at the fake, and how every fault is classified (and recorded as an Attempt)."""

import pytest

from steadfast.fakes.messaging import FakeWebhookSink
from steadfast.notify.channels.base import Outgoing
from steadfast.providers.call import call
from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Unavailable
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.probes import provider_probe_dry_run, providers_probe
from steadfast.providers.registry import adapter_for
from steadfast.providers.secrets import provider_secret_env

pytestmark = pytest.mark.django_db


def send(provider, *to, text="Your order SF-000042 is confirmed", html=""):
    outgoing = Outgoing(key="order_confirmation:42", to=to, subject="Order SF-000042", text=text, html=html)
    adapter = adapter_for(provider)
    return call(provider, "send", lambda client: adapter.send(client, outgoing), reference="SF-000042")


def last_attempt(provider):
    return Attempt.objects.filter(provider=provider).order_by("-pk").values_list("outcome", flat=True).first()


# --- SMTP ------------------------------------------------------------------------------------------------


def test_smtp_delivers_text_and_html_with_the_dedupe_key(email_channel, smtp):
    send(email_channel, "ann@example.com", html="<p>Your order</p>")
    [received] = smtp.messages
    assert received["to"] == "ann@example.com" and received["key"] == "order_confirmation:42"
    assert received["subject"] == "Order SF-000042" and received["html"] is True
    assert "SF-000042" in received["text"] and last_attempt(email_channel) == "ok"


@pytest.mark.parametrize(("fault", "error", "outcome"), [
    ("refuse", Unavailable, "unavailable"),
    ("tempfail", Unavailable, "unavailable"),
    ("hang", Indeterminate, "indeterminate"),
])
def test_smtp_faults_are_classified(email_channel, smtp, fault, error, outcome):
    smtp.set_fault(fault)
    with pytest.raises(error):
        send(email_channel, "ann@example.com")
    assert smtp.messages == [] and last_attempt(email_channel) == outcome


def test_smtp_5xx_for_the_recipient_is_permanent_for_that_address(email_channel, smtp):
    smtp.rejected.add("gone@example.com")
    with pytest.raises(Declined, match="550"):
        send(email_channel, "gone@example.com")
    assert last_attempt(email_channel) == "declined"  # the server is healthy: no strike against the breaker
    send(email_channel, "ann@example.com")
    assert [m["to"] for m in smtp.messages] == ["ann@example.com"]


# --- Telegram --------------------------------------------------------------------------------------------


def test_telegram_send_message(telegram_channel, telegram):
    assert send(telegram_channel, "4242") == "1"
    assert telegram.messages == [{"to": "4242", "text": "Your order SF-000042 is confirmed"}]


@pytest.mark.parametrize(("fault", "error"), [({"status": 429}, Unavailable), ({"status": 502}, Unavailable),
                                              ({"mode": "hang"}, Indeterminate), ({"mode": "reset"}, Indeterminate)])
def test_telegram_faults(telegram_channel, telegram, fault, error):
    telegram.set_fault(fault.pop("mode", "status"), **fault)
    with pytest.raises(error):
        send(telegram_channel, "4242")
    assert telegram.messages == []


def test_telegram_bot_blocked_is_permanent_for_that_chat(telegram_channel, telegram):
    telegram.blocked.add("4242")
    with pytest.raises(Declined, match="blocked by the user"):
        send(telegram_channel, "4242")
    assert last_attempt(telegram_channel) == "declined"


def test_a_person_who_never_started_the_bot_is_declined_not_a_broken_bot(telegram_channel, telegram):
    """An on-call person's chat id from the watcher's bot, never started in the shop's: that one chat fails; the
    shop's Telegram stays in service for customers and the staff group."""
    from steadfast.providers.selectors import provider_state

    telegram.never_started.add("5151")
    for _ in range(3):
        with pytest.raises(Declined, match="initiate conversation"):
            send(telegram_channel, "5151")
    assert last_attempt(telegram_channel) == "declined"
    assert provider_state(telegram_channel) == "closed"
    send(telegram_channel, "4242")


def test_telegram_wrong_token_is_misconfigured_and_never_logged(telegram_channel, telegram, monkeypatch):
    monkeypatch.setenv(provider_secret_env("telegram", "bot_token"), "999:wrong-token-value")
    with pytest.raises(Misconfigured):
        send(telegram_channel, "4242")
    assert not Attempt.objects.filter(message__contains="wrong-token-value").exists()


# --- SMS -------------------------------------------------------------------------------------------------


def test_sms_ru_sends_to_a_normalised_number(sms_channel, smsru):
    send(sms_channel, "+7 (912) 345-67-89")
    assert smsru.messages == [{"to": "79123456789", "text": "Your order SF-000042 is confirmed"}]


def test_sms_ru_invalid_number_is_permanent(sms_channel, smsru):
    smsru.invalid.add("48600100200")
    with pytest.raises(Declined, match="номер"):
        send(sms_channel, "+48 600 100 200")
    assert smsru.messages == [] and last_attempt(sms_channel) == "declined"


def test_sms_ru_bad_api_id_is_misconfigured_and_a_5xx_unavailable(sms_channel, smsru, monkeypatch):
    smsru.set_fault("status", status=503, times=1)
    with pytest.raises(Unavailable):
        send(sms_channel, "+48 600 100 200")
    monkeypatch.setenv(provider_secret_env("smsru", "api_id"), "wrong")
    with pytest.raises(Misconfigured, match="api_id"):
        send(sms_channel, "+48 600 100 200")
    assert smsru.messages == []


def test_twilio_sends_and_refuses_an_invalid_number(twilio_channel, twilio):
    send(twilio_channel, "+48600100200")
    twilio.invalid.add("+48600999999")
    with pytest.raises(Declined, match="21211"):
        send(twilio_channel, "+48600999999")
    assert [m["to"] for m in twilio.messages] == ["+48600100200"]


# --- Apprise ---------------------------------------------------------------------------------------------


@pytest.fixture
def sink():
    fake = FakeWebhookSink().start()
    yield fake
    fake.stop()


@pytest.fixture
def apprise_channel(db, sink, monkeypatch):
    monkeypatch.setenv(provider_secret_env("ops-chat", "urls"), f"json://127.0.0.1:{sink.port}/hook?cto=2&rto=3")
    return Provider.objects.create(kind="notify", code="ops-chat", adapter="apprise", name="Ops chat",
                                   config={"connect_timeout": 2, "read_timeout": 3})


def test_apprise_posts_to_its_url_and_a_failure_is_unavailable(apprise_channel, sink):
    send(apprise_channel, "staff", text="CardCo is out of service")
    assert [(m["to"], m["text"]) for m in sink.messages] == [("/hook", "CardCo is out of service")]
    sink.set_fault("status", status=503)
    with pytest.raises(Unavailable):
        send(apprise_channel, "staff")
    assert last_attempt(apprise_channel) == "unavailable"


# --- probes ----------------------------------------------------------------------------------------------


def test_probes_reach_every_channel_and_find_the_broken_one(email_channel, telegram_channel, sms_channel,
                                                             twilio_channel, smsru):
    smsru.set_fault("status", status=503)
    results = {r.provider.code: r.outcome for r in providers_probe() if r.provider.kind == "notify"}
    assert results == {"email": "ok", "telegram": "ok", "smsru": "unavailable", "twilio": "ok"}


def test_the_esps_are_probed_with_an_authenticated_read(esp_channel, mailgun_channel, postmark, mailgun,
                                                          monkeypatch):
    def probed():
        return {r.provider.code: r.outcome for r in providers_probe() if r.provider.code in ("esp", "mailgun")}

    assert probed() == {"esp": "ok", "mailgun": "ok"}
    assert postmark.messages == [] and mailgun.messages == []  # a read: nothing was sent
    postmark.set_fault("status", status=503)
    mailgun.domains = {"other.example"}  # the sending domain is not in this Mailgun account
    assert probed() == {"esp": "unavailable", "mailgun": "misconfigured"}
    # Misconfigured took Mailgun out (breaker open): a wrong key is checked from the shell, which changes nothing.
    mailgun.domains = None
    monkeypatch.setenv(provider_secret_env("mailgun", "api_key"), "wrong")
    assert provider_probe_dry_run(mailgun_channel).outcome == "misconfigured"
    monkeypatch.setenv(provider_secret_env("mailgun", "api_key"), mailgun.api_key)
    assert provider_probe_dry_run(mailgun_channel).outcome == "ok"


def test_a_mail_backend_without_a_probe_records_no_good_call_it_never_made(email_channel, db):
    """Django's file backend (the demo's) or an ESP without a probe: no "ok" Attempt every probe interval that health
    and the SLA report would count; after a cool-down the next message is the trial."""
    from steadfast.providers.registry import has_probe

    filed = Provider.objects.create(kind="notify", code="mailfile", adapter="email", name="Mail to files", config={
        "backend": "django.core.mail.backends.filebased.EmailBackend"})
    sendgrid = Provider.objects.create(kind="notify", code="sendgrid", adapter="email", name="SendGrid", config={
        "backend": "anymail.backends.sendgrid.EmailBackend"})

    assert {r.provider.code for r in providers_probe()} == {"email"}
    assert not Attempt.objects.filter(provider__in=[filed, sendgrid]).exists()
    assert (has_probe(email_channel), has_probe(filed), has_probe(sendgrid)) == (True, False, False)


# --- an ESP through django-anymail (Postmark) ------------------------------------------------------------


def test_esp_through_anymail_sends_and_classifies(esp_channel, postmark, monkeypatch):
    send(esp_channel, "ann@example.com")
    assert [(m["to"], m["key"]) for m in postmark.messages] == [("ann@example.com", "order_confirmation:42")]
    postmark.invalid.add("gone@example.com")
    with pytest.raises(Declined):
        send(esp_channel, "gone@example.com")
    postmark.set_fault("status", status=503, times=1)
    with pytest.raises(Unavailable):
        send(esp_channel, "ann@example.com")
    postmark.set_fault("hang", times=1)
    with pytest.raises(Indeterminate):  # sent, no answer
        send(esp_channel, "ann@example.com")
    monkeypatch.setenv(provider_secret_env("esp", "server_token"), "wrong")
    with pytest.raises(Misconfigured):
        send(esp_channel, "ann@example.com")
    assert len(postmark.messages) == 1


def test_every_email_goes_out_as_text_and_html_in_the_customers_language(email_channel, smtp):
    from steadfast.notify.tasks import outbox_sweep
    from steadfast.notify.tests.conftest import PAYLOAD, message_add

    message_add("k-pl", payload={**PAYLOAD, "language": "pl"})
    assert outbox_sweep() == 1
    [received] = smtp.messages
    assert received["html"] is True and "SF-000042" in received["text"]
    assert "Your order" not in received["subject"]  # Polish, not the English default
    from steadfast.notify.models import OutboxMessage
    from steadfast.notify.render import message_render

    rendered = message_render(OutboxMessage.objects.get(key="k-pl"), "email")
    assert '<a href="http://127.0.0.1:8000/orders/tok-42/"' in rendered.html and 'lang="pl"' in rendered.html


def test_fire_drill_on_a_channel_fake(telegram_channel, telegram, admin_user):
    from steadfast.providers.drill import provider_drill_end, provider_drill_start

    provider_drill_start(telegram_channel, admin_user, "down")
    with pytest.raises(Unavailable):
        send(telegram_channel, "4242")
    provider_drill_end(telegram_channel, admin_user)
    send(telegram_channel, "4242")
    assert [m["to"] for m in telegram.messages] == ["4242"]
    assert list(telegram_channel.audits.values_list("action", flat=True).order_by("pk")) == ["drill_start", "drill_end"]


def test_channels_show_on_the_provider_health_page(admin_client, telegram_channel, sms_channel, telegram):
    telegram.set_fault("status", status=502)
    with pytest.raises(Unavailable):
        send(telegram_channel, "4242")
    page = admin_client.get("/admin/providers/provider/health/").content.decode()
    assert "telegram" in page and "smsru" in page and "Unavailable" in page
