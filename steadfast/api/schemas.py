"""Request and response shapes of the JSON API. Money is always {"amount": "19.90", "currency": "EUR"}: a string
decimal, never a float, so no client can lose a cent to binary rounding."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, field_validator

from steadfast.cart.cart import MAX_QUANTITY
from steadfast.checkout.validators import clean_country, clean_phone, clean_text
from steadfast.money import Money


class MoneyOut(Schema):
    amount: str = Field(examples=["19.90"], description="Decimal amount as a string, two decimal places.")
    currency: str = Field(examples=["EUR"], description="ISO 4217 code.")


def money(value: Money) -> dict:
    return {"amount": str(value.amount), "currency": value.currency}


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = Field(default_factory=list, description="Per-field problems when the input was invalid.")


# --- Catalog -----------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    children: list["CategoryOut"]


CategoryOut.model_rebuild()


class CategoryRef(Schema):
    slug: str
    name: str


class ImageOut(Schema):
    url: str
    alt: str


StockState = Literal["in_stock", "low_stock", "out_of_stock"]


class ProductSummaryOut(Schema):
    slug: str
    name: str
    category: CategoryRef
    price: MoneyOut = Field(description="The lowest price of the product's variants.")
    in_stock: bool
    image: ImageOut | None
    url: str


class ProductPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ProductSummaryOut]


class PackedSizeOut(Schema):
    length_cm: int
    width_cm: int
    height_cm: int


class VariantOut(Schema):
    id: int
    sku: str
    label: str
    options: dict[str, str]
    price: MoneyOut
    stock: StockState
    left: int | None = Field(description="Units left, given only when stock is low.")
    weight_grams: int = Field(description="Packed weight of one unit (the variant's, else the product's, else the "
                                          "shop's default): what delivery prices are quoted for.")
    size: PackedSizeOut | None = Field(description="Packed size of one unit in cm (the variant's, else the "
                                                   "product's); null when not entered (the shop's default box).")


class ProductOut(Schema):
    slug: str
    name: str
    description: str
    category: CategoryRef
    price: MoneyOut
    in_stock: bool
    images: list[ImageOut]
    variants: list[VariantOut]
    url: str


# --- Cart ----------------------------------------------------------------------------------------------


class StrictIn(Schema):
    # Unknown fields (a "price" a client made up, say) are refused rather than silently ignored; ids and quantities
    # are JSON integers (StrictInt): "2" or 2.0 is a client's mistake to hear about, not to guess at.
    model_config = ConfigDict(extra="forbid")


class CartAddIn(StrictIn):
    variant_id: StrictInt
    quantity: StrictInt = Field(1, ge=1, le=MAX_QUANTITY)


class CartUpdateIn(StrictIn):
    quantity: StrictInt = Field(ge=0, le=MAX_QUANTITY, description="0 removes the item.")


class CartLineOut(Schema):
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    label: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    image: ImageOut | None


class CartOut(Schema):
    lines: list[CartLineOut]
    count: int = Field(description="Number of units in the cart.")
    subtotal: MoneyOut
    messages: list[str] = Field(description="What changed because of stock, to show to the shopper.")


# --- Checkout ------------------------------------------------------------------------------------------


class DeliveryOptionOut(Schema):
    code: str
    name: str
    price: MoneyOut
    needs_address: bool
    description: str
    countries: list[str] = Field(description="ISO codes it delivers to (empty for a pickup); others give 422.")
    estimated: bool = Field(False, description="The carrier is out: its last price for this area (plus the shop's "
                                               "markup), charged as shown and recorded on the order.")


class PaymentOptionOut(Schema):
    code: str
    name: str
    description: str = Field(description="Worded for the delivery method given in ?delivery= (pickup or not).")
    delivery_methods: list[str] = Field(
        description="Codes of the delivery methods this payment method can be used with (e.g. cash on delivery "
                    "not with a pickup, pay at pickup only with one); placing an order with another one gives 422."
    )


class CheckoutOptionsOut(Schema):
    subtotal: MoneyOut
    delivery_methods: list[DeliveryOptionOut]
    payment_methods: list[PaymentOptionOut]
    messages: list[str]


def shared(validator, **options):
    """A checkout validator as a pydantic one: its ValidationError becomes the field's 422 message."""
    def run(cls, value):
        try:
            return validator(value, **options)
        except DjangoValidationError as error:
            raise ValueError(error.messages[0]) from None
    return classmethod(run)


class ContactFields(Schema):
    """Who the order is for: shared by the checkout API (ContactIn) and the lifeboat's order requests."""

    email: str = Field(max_length=254)
    full_name: str = Field(min_length=1, max_length=150)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter a valid e-mail address.") from None
        return value


class ContactIn(ContactFields, StrictIn):
    phone: str = Field(min_length=5, max_length=32)

    @field_validator("phone", "full_name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("This field is required.")
        return value.strip()

    # The checkout forms' validators (checkout/validators.py), so the API accepts exactly what the forms accept.
    _full_name = field_validator("full_name")(shared(clean_text))
    _phone = field_validator("phone")(shared(clean_phone))


class AddressIn(StrictIn):
    line1: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2 code.")

    _text = field_validator("line1", "line2", "postcode", "city")(shared(clean_text))
    _country = field_validator("country")(shared(lambda value: clean_country(value) if value.strip() else ""))


class LineIn(StrictIn):
    variant_id: StrictInt
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY)


class PlaceOrderIn(StrictIn):
    contact: ContactIn
    address: AddressIn = Field(default_factory=AddressIn)
    delivery_method: str = Field(max_length=50)
    payment_method: str = Field(max_length=50)
    note: str = Field("", max_length=2000)
    lines: list[LineIn] | None = Field(
        None, min_length=1, max_length=100, description="Items to order; when left out, the session cart is ordered."
    )

    _note = field_validator("note")(shared(clean_text, multiline=True))


class OrderLineOut(Schema):
    product_name: str
    variant_label: str
    sku: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut


class OrderEventOut(Schema):
    at: datetime
    kind: str
    status: str
    status_label: str
    message: str


class OrderOut(Schema):
    number: str
    token: str = Field(description="Secret: whoever has it can see the order. GET /orders/{token}.")
    status: str
    status_label: str
    placed_at: datetime
    full_name: str
    email: str
    phone: str
    address_lines: list[str]
    delivery_method: str
    delivery_name: str
    payment_method: str
    payment_name: str
    payment_reference: str
    payment_instructions: str
    reserved_until: datetime | None
    paid: bool
    lines: list[OrderLineOut]
    subtotal: MoneyOut
    delivery: MoneyOut
    total: MoneyOut
    events: list[OrderEventOut]
    url: str
