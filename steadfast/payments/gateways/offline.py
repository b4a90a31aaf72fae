"""Offline methods: no outside call, so they keep working whatever else is down."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from steadfast.money import format_amount
from steadfast.payments import defaults
from steadfast.payments.interface import Done, PaymentGateway, PaymentState, StartRequest


class CashOnDelivery(PaymentGateway):
    """The courier takes the money, so it needs a delivery to an address (delivery_only): with a pickup the shop
    offers pay at pickup instead, and checkout.services.order_place refuses the combination."""

    offline = True
    ships_before_payment = True
    delivery_only = True
    description = defaults.DESCRIPTIONS["cash_on_delivery"]

    def start(self, request: StartRequest) -> Done:
        text = _("Pay %(amount)s %(currency)s in cash or by card when the courier delivers your order.") % {
            "amount": format_amount(request.amount.amount), "currency": request.amount.currency,
        }
        return Done(PaymentState.PENDING, instructions=text)


class PayAtPickup(PaymentGateway):
    """Pay at the counter when collecting the order. Only offered with a pickup delivery method (pickup_only):
    a courier cannot take the money for it, and checkout.services.order_place refuses the combination."""

    offline = True
    ships_before_payment = True  # handed over and paid in one go, like cash on delivery
    pickup_only = True
    description = defaults.DESCRIPTIONS["pay_at_pickup"]

    def start(self, request: StartRequest) -> Done:
        text = _("Pay %(amount)s %(currency)s in cash or by card when you collect your order in the shop.") % {
            "amount": format_amount(request.amount.amount), "currency": request.amount.currency,
        }
        return Done(PaymentState.PENDING, instructions=text)


class BankTransfer(PaymentGateway):
    offline = True
    description = defaults.DESCRIPTIONS["bank_transfer"]
    pickup_description = gettext_noop("We send the account details; your order is ready to collect when the money "
                                      "arrives.")

    @property
    def expires_after_days(self):
        return settings.BANK_TRANSFER_DAYS

    def start(self, request: StartRequest) -> Done:
        account = self.provider.config.get("account") or settings.SHOP_BANK_ACCOUNT
        if request.pickup:
            text = _(
                "Transfer %(amount)s %(currency)s to account %(account)s (%(shop)s) with the reference "
                "%(reference)s. Your order is ready to collect as soon as the money arrives; unpaid orders are "
                "cancelled after %(days)s days."
            )
        else:
            text = _(
                "Transfer %(amount)s %(currency)s to account %(account)s (%(shop)s) with the reference "
                "%(reference)s. We ship as soon as the money arrives; unpaid orders are cancelled after %(days)s days."
            )
        text = text % {
            "amount": format_amount(request.amount.amount), "currency": request.amount.currency, "account": account,
            "shop": settings.SHOP_NAME, "reference": request.order_number, "days": settings.BANK_TRANSFER_DAYS,
        }
        return Done(PaymentState.PENDING, instructions=text, reference=request.order_number)
