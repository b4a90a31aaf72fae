from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One message to one person (or the staff), written in the same transaction as its cause (transactional outbox).

    `key` is the dedupe key: one row, so at most one delivery, per person and reason, whichever channel carries it.
    The worker walks the message's fallback chain (notify/chains.py); `step` and `step_tries` say where it is.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead-lettered")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held (shop not open)")  # promotional: waits for staff to resume or reschedule

    key = models.CharField(_("dedupe key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=50, help_text=_("e.g. order_confirmation"))
    channel = models.CharField(_("channel"), max_length=30, default="email",
                               help_text=_("The channel that carried the message (or is being tried)."))
    recipient = models.CharField(_("recipient"), max_length=254)
    # Where this person can be reached, per channel type: {"email": ..., "sms": "+48...", "telegram": "<chat id>"}.
    addresses = models.JSONField(_("addresses"), default=dict, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0, help_text=_("Delivery runs made."))
    step = models.PositiveSmallIntegerField(default=0)  # position in the chain the next run starts at
    step_tries = models.PositiveSmallIntegerField(default=0)  # temporary failures on that channel in this round
    refused = models.JSONField(default=list, blank=True)  # channel types that refused this address for good
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker holds a lease while delivering; a worker killed mid-delivery lets it expire and the sweep retries.
    # Every state change names the lease token, so a worker whose lease expired (and was taken over) changes nothing.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The provider's receipt said the message reached the phone/mailbox (SMS delivery receipts, ESP webhooks).
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class DeliveryAttempt(models.Model):
    """One try of one message on one channel: the attempt log staff read (the provider's own Attempt row has the
    latency and feeds health; this one says which message it was and what happened to it)."""

    class Outcome(models.TextChoices):
        SENDING = "sending", _("Sending")  # written before the call: left behind by a worker killed mid-send
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (channel out of service)")
        REFUSED = "refused", _("Refused for this address")
        FAILED = "failed", _("Failed, temporary")
        ERROR = "error", _("Error")
        BOUNCED = "bounced", _("Bounced after sending")
        DELIVERED = "delivered", _("Delivered (receipt)")
        UNDELIVERED = "undelivered", _("Not delivered (receipt)")

    message = models.ForeignKey(OutboxMessage, models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=30)
    provider = models.CharField(_("provider"), max_length=50, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)
    reference = models.CharField(_("provider's message id"), max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"{self.message_id} {self.channel}/{self.provider} {self.outcome}"


class MessageChain(models.Model):
    """The channels a kind of message tries, in order. `name` is a message kind (order_confirmation) or an
    audience default ("customer", "staff")."""

    name = models.CharField(_("message kind or audience"), max_length=50, unique=True)
    channels = models.CharField(_("channels, in order"), max_length=200,
                                help_text=_("Comma-separated channel types: email, sms, telegram, apprise."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("fallback chain")
        verbose_name_plural = _("fallback chains")

    def __str__(self):
        return f"{self.name}: {self.channels}"


class OutboxAlarm(models.Model):
    """A condition staff were alerted about (outbox dead letters or backlog; shipments waiting for their carrier,
    shipping/watch.py), open until it clears: one alert when it starts and one when it ends, however long it lasts."""

    topic = models.CharField(max_length=30)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["topic"], condition=models.Q(ended_at__isnull=True),
                                               name="notify_one_open_alarm_per_topic")]

    def __str__(self):
        return f"{self.topic} since {self.started_at:%Y-%m-%d %H:%M}"


class NewsletterSubscriber(models.Model):
    """A customer who opted in to promotional e-mail. The token authorises the one-click unsubscribe link."""

    email = models.EmailField(_("e-mail"), unique=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    token = models.CharField(max_length=64, unique=True)
    opted_in_at = models.DateTimeField(_("opted in"), default=timezone.now)
    # Double opt-in: campaigns go only to confirmed addresses. The consent record: when it was asked for, where,
    # the words the person agreed to, and when they confirmed it from their mailbox.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    consent_source = models.CharField(_("consent given on"), max_length=30, default="admin")
    consent_text = models.TextField(_("consent text"), blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")

    def __str__(self):
        return self.email


class Campaign(models.Model):
    """A promotional e-mail to every subscriber, sent at `scheduled_at` only while the shop is open: a Friday
    promotion must never send customers to a dead shop. Held automatically otherwise; staff resume or reschedule."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held: the shop is not open")
        SENDING = "sending", _("Sending")
        CANCELLED = "cancelled", _("Cancelled")

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    scheduled_at = models.DateTimeField(_("send at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    held_reason = models.CharField(_("why held"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("e-mail campaign")
        verbose_name_plural = _("e-mail campaigns")

    def __str__(self):
        return self.subject


class ChannelPreference(models.Model):
    """How a customer with an account wants to hear about their orders: channel types per group of message kinds
    ({"orders": ["email", "telegram"], "shipping": ["sms"]}). No row, or no entry for a group: the shop's chain."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_channels")
    choices = models.JSONField(_("channels per kind of message"), default=dict, blank=True)
    phone = models.CharField(_("phone for SMS"), max_length=32, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("customer's channel choice")
        verbose_name_plural = _("customers' channel choices")

    def __str__(self):
        return str(self.user)


class TelegramLink(models.Model):
    """A Telegram chat a customer linked by opening the bot's deep link (t.me/<bot>?start=<token>) and pressing
    Start: for one order (guest checkout) or for the account (every order of theirs)."""

    order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="telegram_link")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="telegram_link")
    chat_id = models.CharField(_("Telegram chat"), max_length=32)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")
        constraints = [models.CheckConstraint(condition=models.Q(order__isnull=False) | models.Q(user__isnull=False),
                                              name="notify_telegram_link_has_owner")]

    def __str__(self):
        return f"{self.order or self.user} → {self.chat_id}"
