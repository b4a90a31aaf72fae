"""Refusals of one request: the classification table for every gateway (issue 8, item 9).

What a gateway's refusal means, looked up by the provider's own error code first, then by HTTP status (401/403,
429 and 5xx are mapped before, by providers.call.check_response); anything not listed is Unavailable.
  Declined             the customer's card or account: say so, the customer picks again; the provider is healthy
  Rejected             this one request is wrong (our data for this order: an amount, an unknown object id): not
                       the provider's health (the breaker counts it as an answer), not the customer's card;
                       the method is greyed out for this order, staff are alerted when it repeats
  IdempotencyConflict  our key was seen before with other parameters: a bug, alerted at once; never an outage
"""

from steadfast.providers.errors import Declined, IdempotencyConflict, ProviderError, Rejected, Unavailable

REFUSALS = {
    ("stripe", "card_error"): Declined,
    ("stripe", "idempotency_error"): IdempotencyConflict,
    ("stripe", "invalid_request_error"): Rejected,
    ("yookassa", "Idempotence-Key"): IdempotencyConflict,
    ("yookassa", 400): Rejected,
    ("yookassa", 404): Rejected,
    ("paypal", 400): Rejected,
    ("paypal", 404): Rejected,
    ("paypal", 422): Rejected,
    # 422 issues that mean "this payer or instrument cannot pay": the customer's business.
    **{("paypal", issue): Declined for issue in (
        "INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY", "PAYEE_BLOCKED_TRANSACTION",
        "COMPLIANCE_VIOLATION", "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED", "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING")},
}


def refusal(adapter: str, status: int, *codes: str, message: str = "") -> ProviderError:
    """The error for a gateway's refusal: REFUSALS by the first listed code, else by status, else Unavailable."""
    for code in codes:
        if (adapter, code) in REFUSALS:
            return REFUSALS[(adapter, code)](message)
    return REFUSALS.get((adapter, status), Unavailable)(message)
