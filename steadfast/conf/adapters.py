"""Adapter class per key (a Provider row's `adapter`): providers/registry.py resolves it through this map."""

STEADFAST_ADAPTERS = {
    "cash_on_delivery": "steadfast.payments.gateways.offline.CashOnDelivery",
    "bank_transfer": "steadfast.payments.gateways.offline.BankTransfer",
    "pay_at_pickup": "steadfast.payments.gateways.offline.PayAtPickup",
    "stripe": "steadfast.payments.gateways.stripe.StripeGateway",
    "paypal": "steadfast.payments.gateways.paypal.PayPalGateway",
    "yookassa": "steadfast.payments.gateways.yookassa.YooKassaGateway",
    "email": "steadfast.notify.channels.email.EmailChannel",
    "telegram": "steadfast.notify.channels.telegram.TelegramChannel",
    "smsru": "steadfast.notify.channels.smsru.SmsRuChannel",
    "twilio": "steadfast.notify.channels.twilio.TwilioChannel",
    "apprise": "steadfast.notify.channels.apprise.AppriseChannel",
    "cdek": "steadfast.shipping.carriers.cdek.CdekCarrier",
    "inpost": "steadfast.shipping.carriers.inpost.InPostCarrier",
    "easypost": "steadfast.shipping.carriers.easypost.EasyPostCarrier",
    "moysklad": "steadfast.accounting.targets.moysklad.MoySkladTarget",
    "signed_webhook": "steadfast.accounting.targets.webhook.WebhookTarget",
    "onec": "steadfast.accounting.targets.onec.OneCTarget",
}
