"""Orders for a date range as CSV or XLSX for the bookkeeper.

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is
prefixed with an apostrophe: a customer named "=HYPERLINK(...)" stays text in Excel and LibreOffice (OWASP's
advice for CSV injection). Amounts are written as plain decimal strings with their currency in a column of its own.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.orders.models import Order

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_header() -> list[str]:
    return [_("Order"), _("Placed"), _("Status"), _("Customer"), _("E-mail"), _("Phone"), _("Address"),
            _("Delivery"), _("Payment"), _("Currency"), _("Subtotal"), _("Delivery cost"), _("Total"), _("Paid at"),
            _("Items")]


def orders_in_range(start: date, end: date):
    """Orders placed from `start` to `end` inclusive, in the shop's time zone."""
    first = timezone.make_aware(datetime.combine(start, time.min))
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    placed = Order.objects.filter(created_at__gte=first, created_at__lt=after, synthetic=False)  # not the probe's
    return placed.order_by("created_at", "pk").prefetch_related("lines")


def export_rows(orders):
    for order in orders:
        items = "; ".join(f"{line.quantity} x {line.sku} {line.product_name}" for line in order.lines.all())
        local = timezone.localtime(order.created_at)
        paid = timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M") if order.paid_at else ""
        yield [cell_safe(v) if isinstance(v, str) else v for v in (  # amounts stay Decimal: numbers in XLSX
            order.number, local.strftime("%Y-%m-%d %H:%M"), order.get_status_display(), order.full_name,
            order.email, order.phone, ", ".join(order.address_lines), order.delivery_name, order.payment_name,
            order.currency, order.subtotal, order.delivery_total, order.total, paid, items)]


def export_csv(orders) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    writer.writerows(export_rows(orders))
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 (Polish, Russian names) correctly


def export_xlsx(orders) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Orders"))
    sheet.append(export_header())
    for row in export_rows(orders):
        sheet.append(row)  # every cell a string: openpyxl never turns "'=..." back into a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
