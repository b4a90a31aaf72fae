"""The offline payment methods every shop starts with. Used by a data migration and by transactional tests."""

from django.utils.translation import gettext_noop

# Stored in English; gettext_noop lists the names in the message catalog so pages show them in the shopper's
# language ({% trans provider.name %}). A name the shop owner edits is not in the catalog and shows as typed.
OFFLINE_METHODS = [
    (
        "cash_on_delivery",
        "cash_on_delivery",
        gettext_noop("Cash on delivery"),
        gettext_noop("Pay the courier in cash or by card."),
        200,
    ),
    (
        "pay_at_pickup",
        "pay_at_pickup",
        gettext_noop("Pay at pickup"),
        gettext_noop("Pay in cash or by card when you collect your order."),
        205,
    ),
    (
        "bank_transfer",
        "bank_transfer",
        gettext_noop("Bank transfer"),
        gettext_noop("We send the account details; we ship when the money arrives."),
        210,
    ),
]


DESCRIPTIONS = {code: description for code, _adapter, _name, description, _priority in OFFLINE_METHODS}


def offline_methods_ensure(provider_model):
    for code, adapter, name, description, priority in OFFLINE_METHODS:
        provider_model.objects.get_or_create(
            code=code,
            defaults={
                "kind": "payment",
                "adapter": adapter,
                "name": name,
                "description": description,
                "priority": priority,
            },
        )
