"""Payments (payments/, docs/payments.md): reservations, payment links, the payment step's budget, reconciliation."""

from steadfast.env import env_bool, env_int

# Unpaid orders hold stock this long before the reservation expires.
RESERVATION_MINUTES = env_int("RESERVATION_MINUTES", 30, 1)
BANK_TRANSFER_DAYS = env_int("BANK_TRANSFER_DAYS", 5, 1)
# A payment link staff create for a phone order (/pay/<token>/) works this long.
PAYMENT_LINK_HOURS = env_int("PAYMENT_LINK_HOURS", 72, 1)
# The customer's payment step (start at the gateway + replays of a lost answer) ends within this many seconds;
# each send to the gateway waits at most its config "start_timeout" (default 5 s). See docs/payments.md.
PAYMENT_STEP_BUDGET = env_int("PAYMENT_STEP_BUDGET", 8, 2)
# One reconciliation run stops starting new status queries after this many seconds (the rest go next minute).
PAYMENT_RECONCILE_BUDGET = env_int("PAYMENT_RECONCILE_BUDGET", 20, 5)
# When a payment gateway recovers, e-mail customers whose payment failed on it a "complete your payment" link.
PAYMENT_RECOVERY_EMAILS = env_bool("PAYMENT_RECOVERY_EMAILS", True)
