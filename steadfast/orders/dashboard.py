"""Read-only figures for the staff dashboard on the admin index. Three queries, however many orders there are."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum, Window
from django.utils import timezone

from steadfast.catalog.models import Variant
from steadfast.money import Money
from steadfast.orders.models import Order, OrderStatus
from steadfast.providers.models import Provider
from steadfast.synthetic.product import PRODUCT_SLUG as SYNTHETIC_PRODUCT

# Adapters whose orders ship before the money arrives (the courier collects it).
PAY_ON_DELIVERY_ADAPTERS = ("cash_on_delivery",)
NOT_REVENUE = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
LOW_STOCK_SHOWN = 10
RECENT_SHOWN = 10


def pay_on_delivery_q() -> Q:
    """Orders paid to the courier on delivery; a subquery so it stays one query and follows renamed providers."""
    codes = Provider.objects.filter(kind=Provider.Kind.PAYMENT, adapter__in=PAY_ON_DELIVERY_ADAPTERS).values("code")
    return Q(payment_method__in=Subquery(codes))


def to_ship_q() -> Q:
    """Paid orders, and cash-on-delivery orders that wait for the courier to collect the money."""
    return Q(status=OrderStatus.PAID) | (Q(status=OrderStatus.AWAITING_OFFLINE_PAYMENT) & pay_on_delivery_q())


def unpaid_q() -> Q:
    """Orders we wait on the customer to pay before shipping."""
    awaiting = Q(status__in=(OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_OFFLINE_PAYMENT))
    return awaiting & ~pay_on_delivery_q()


def low_stock_q() -> Q:
    return Q(stock__lte=settings.SHOP_LOW_STOCK, is_active=True)


def products_with_low_stock_q() -> Q:
    """For filtering products: any active variant at or below the low-stock threshold."""
    return Q(Exists(Variant.objects.filter(low_stock_q(), product=OuterRef("pk"))))


def today_range(now=None) -> tuple[datetime, datetime]:
    """Start and end of the shop's local day (TIME_ZONE), as aware datetimes."""
    day = timezone.localdate(now or timezone.now())
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Dashboard:
    today: date
    today_orders: int
    today_revenue: Money
    unpaid: int
    to_ship: int
    low_stock: list = field(default_factory=list)
    low_stock_count: int = 0
    low_stock_threshold: int = 0
    recent_orders: list = field(default_factory=list)
    # today_revenue split: money received, and money promised (bank transfer, cash on delivery) not yet in.
    today_paid: Money | None = None
    today_expected: Money | None = None
    today_unfinished: int = 0  # placed today, online payment not finished: not counted above, said so on the card


def dashboard_figures(now=None) -> Dashboard:
    start, end = today_range(now)
    # Today's business: money received and offline orders the customer committed to pay (transfer, courier);
    # unfinished online payments are not business yet, cancelled and refunded orders no longer are.
    earning = Q(paid_at__isnull=False) | Q(status=OrderStatus.AWAITING_OFFLINE_PAYMENT)
    today = Q(created_at__gte=start, created_at__lt=end) & earning & ~Q(status__in=NOT_REVENUE)
    in_currency = Q(currency=settings.SHOP_CURRENCY)
    placed_today = Q(created_at__gte=start, created_at__lt=end)
    real = Order.objects.filter(synthetic=False)  # the synthetic checkout probe's orders are not business
    counts = real.aggregate(
        today_orders=Count("pk", filter=today),
        today_revenue=Sum("total", filter=today & in_currency),
        today_paid=Sum("total", filter=today & in_currency & Q(paid_at__isnull=False)),
        today_expected=Sum("total", filter=today & in_currency & Q(paid_at__isnull=True)),
        today_unfinished=Count("pk", filter=placed_today & Q(status=OrderStatus.PENDING_PAYMENT)),
        unpaid=Count("pk", filter=unpaid_q()),
        to_ship=Count("pk", filter=to_ship_q()),
    )
    # The window count gives the total number of low variants on every row, so list and total are one query.
    low_stock = list(
        Variant.objects.filter(low_stock_q(), product__is_active=True).exclude(product__slug=SYNTHETIC_PRODUCT)
        .select_related("product")
        .annotate(low_count=Window(Count("pk")))
        .order_by("stock", "product__name", "sku")[:LOW_STOCK_SHOWN]
    )
    recent = list(real.order_by("-created_at", "-pk")[:RECENT_SHOWN])
    return Dashboard(
        today=start.date(),
        today_orders=counts["today_orders"],
        today_revenue=Money(counts["today_revenue"] or Decimal("0"), settings.SHOP_CURRENCY),
        unpaid=counts["unpaid"],
        to_ship=counts["to_ship"],
        low_stock=low_stock,
        low_stock_count=low_stock[0].low_count if low_stock else 0,
        low_stock_threshold=settings.SHOP_LOW_STOCK,
        recent_orders=recent,
        today_paid=Money(counts["today_paid"] or Decimal("0"), settings.SHOP_CURRENCY),
        today_expected=Money(counts["today_expected"] or Decimal("0"), settings.SHOP_CURRENCY),
        today_unfinished=counts["today_unfinished"],
    )

