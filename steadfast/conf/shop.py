"""The shop's identity: name, currency, contacts, the sender of its e-mails, its bank account, stock and delivery
thresholds shown to shoppers."""

from email.headerregistry import Address

from django.core.exceptions import ImproperlyConfigured

from steadfast.env import env_decimal, env_int, env_str

SHOP_NAME = env_str("SHOP_NAME", "Steadfast Outfitters")
SHOP_CURRENCY = env_str("SHOP_CURRENCY", "EUR")
if len(SHOP_CURRENCY) != 3 or not SHOP_CURRENCY.isalpha() or not SHOP_CURRENCY.isupper():
    raise ImproperlyConfigured(
        f"Environment variable SHOP_CURRENCY={SHOP_CURRENCY!r} is invalid: expected an ISO 4217 code such as EUR."
    )
SHOP_PHONE = env_str("SHOP_PHONE", "+48 22 100 20 30")
SHOP_EMAIL = env_str("SHOP_EMAIL", "hello@steadfast.example")
# Customer e-mails come from the shop (its name and address) and a reply reaches the shop, unless set otherwise.
try:
    SHOP_SENDER = str(Address(display_name=SHOP_NAME, addr_spec=SHOP_EMAIL))  # quoted as needed, never encoded
except ValueError:  # email.errors.InvalidHeaderDefect
    raise ImproperlyConfigured(
        f"Environment variable SHOP_EMAIL={SHOP_EMAIL!r} is invalid: expected an e-mail address."
    ) from None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", SHOP_SENDER)
EMAIL_REPLY_TO = env_str("EMAIL_REPLY_TO", SHOP_EMAIL)
SHOP_BANK_ACCOUNT = env_str("SHOP_BANK_ACCOUNT", "PL61 1090 1014 0000 0712 1981 2874")
SHOP_LOW_STOCK = env_int("SHOP_LOW_STOCK", 3, 0)
SHOP_FREE_DELIVERY_OVER = env_decimal("SHOP_FREE_DELIVERY_OVER", "0")
